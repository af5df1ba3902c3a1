import { constantOf } from '../../ir/constant.js';
import type { Consumer, Producer, Space } from './channel-graph.js';
import type { Gram } from './gram.js';
import type { ChannelGroup } from './groups.js';

export const CRITERIA = ['l1', 'l2', 'bn-gamma', 'activation'] as const;
export type Criterion = (typeof CRITERIA)[number];

/** A score per output channel of one producer, or per input channel of one consumer. */
type Scores = Map<Space, Float64Array>;

function filterNorms(p: Producer, power: 1 | 2): Float64Array {
  const { rows, count, size } = p.filters;
  return Float64Array.from({ length: count }, (_, c) => {
    let s = 0;
    for (let j = c * size; j < (c + 1) * size; j++) s += power === 1 ? Math.abs(rows[j]!) : rows[j]! ** 2;
    return power === 1 ? s : Math.sqrt(s);
  });
}

/** |gamma| of the BatchNormalization reading each producer, or the first producer without one. */
function bnGammas(producers: readonly Producer[]): Scores | Producer {
  const scores: Scores = new Map();
  for (const p of producers) {
    const uses = p.out.value.uses();
    const bn = uses.length === 1 && uses[0]!.index === 0 && uses[0]!.node.op === 'BatchNormalization' ? uses[0]!.node : undefined;
    const gamma = constantOf(bn?.inputs[1]);
    if (!gamma) return p;
    scores.set(p.out, Float64Array.from(gamma.toNumbers(), Math.abs));
  }
  return scores;
}

/**
 * Each input channel's share of the energy of the consumer's output,
 * E‖W_c x_c‖² over the channel's weight columns (Gram block c), as a
 * fraction of the sum over channels, so consumers of any scale weigh alike.
 */
function outputContributions(consumer: Consumer, gram: Gram): Float64Array {
  const { rows, count, size } = consumer.filters;
  const { span, input } = consumer;
  const energy = new Float64Array(input.channels);
  for (let c = 0; c < input.channels; c++) {
    const from = c * span;
    let e = 0;
    for (let o = 0; o < count; o++) {
      const w = rows.subarray(o * size + from, o * size + from + span);
      for (let a = 0; a < span; a++) {
        const g = gram.matrix.subarray((from + a) * gram.size + from, (from + a) * gram.size + from + span);
        let s = 0;
        for (let b = 0; b < span; b++) s += g[b]! * w[b]!;
        e += w[a]! * s;
      }
    }
    energy[c] = e;
  }
  const total = energy.reduce((a, b) => a + b, 0);
  return total > 0 ? energy.map((e) => e / total) : energy;
}

/**
 * The importance of each channel of `group`, as fractions of the group's
 * total so that groups compare: the sum over the channel's slots of its
 * filters' L1/L2 norms or BatchNormalization |gamma| (over every producer of
 * a residual group), or of its contribution to each consumer's output.
 * Returns why the group cannot be ranked instead when it cannot.
 */
export function rankChannels(group: ChannelGroup, criterion: Criterion, grams: ReadonlyMap<Consumer, Gram>): Float64Array | string {
  let scores: Scores;
  if (criterion === 'bn-gamma') {
    const found = bnGammas(group.producers);
    if (!(found instanceof Map)) return `no BatchNormalization follows ${found.node.op} "${found.node.name}" (folded already?); run prune-filters before fold-batch-norm, or use another criterion`;
    scores = found;
  } else if (criterion === 'activation') {
    const measured = group.consumers.filter((c) => grams.has(c));
    if (!measured.length) return 'no layer reading its channels could be measured (see maxRefitColumns)';
    scores = new Map();
    for (const c of measured) {
      const share = outputContributions(c, grams.get(c)!);
      const sum = scores.get(c.input);
      scores.set(c.input, sum ? sum.map((v, i) => v + share[i]!) : share);
    }
  } else scores = new Map(group.producers.map((p) => [p.out, filterNorms(p, criterion === 'l1' ? 1 : 2)]));
  const importance = Float64Array.from(group.channels, (ch) => ch.slots.reduce((s, { space, channel }) => s + (scores.get(space)?.[channel] ?? 0), 0));
  const total = importance.reduce((a, b) => a + b, 0);
  return total > 0 ? importance.map((v) => v / total) : importance;
}
