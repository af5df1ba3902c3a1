import { CondenseError } from '../errors.js';
import type { Dim } from '../ir/value.js';

/** Numpy-style broadcast of shapes; an unresolvable pair of symbols becomes a fresh symbol. */
export function broadcastShapes(shapes: ReadonlyArray<readonly Dim[]>, fresh: () => string): Dim[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let dim: Dim = 1;
    for (const s of shapes) {
      const d = s[s.length - rank + i];
      if (d === undefined || d === 1) continue;
      if (dim === 1 || dim === d) dim = d;
      else if (typeof dim === 'number' && typeof d === 'number') {
        throw new CondenseError('E_SHAPE_INFERENCE', `Shapes [${shapes.map((x) => x.join(',')).join('] and [')}] do not broadcast.`);
      } else if (typeof d === 'number') dim = d;
      else if (typeof dim !== 'number') dim = fresh();
    }
    out.push(dim);
  }
  return out;
}
