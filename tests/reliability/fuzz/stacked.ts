import type { Mutator } from './target.js';

/** Two to four of `mutators` applied in turn: faults that only bite together (a huge shape on a tensor whose buffer is gone...). */
export function stacked(mutators: readonly Mutator[], weight = 2): Mutator {
  return {
    kind: 'stacked',
    weight,
    mutate(input, rng) {
      let out = input;
      for (let i = rng.range(2, 4); i > 0; i--) out = rng.weighted(mutators).mutate(out, rng);
      return out;
    },
  };
}
