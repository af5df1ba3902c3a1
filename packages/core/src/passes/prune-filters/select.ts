import type { ChannelGraph } from './channel-graph.js';
import type { ChannelGroup } from './groups.js';
import type { MacModel } from './macs-model.js';

/** A group with its channels' importance (fractions of the group's total). */
export interface RankedGroup {
  group: ChannelGroup;
  importance: Float64Array;
}

/**
 * Channels are removed in steps of `multiple` from a group that has a
 * multiple of it (CPU convolution kernels work on blocks of 8 channels: a
 * Conv left with 31 of 32 ran 3x slower than with 32 in onnxruntime), one
 * at a time otherwise; a group never loses its last step.
 */
const stepOf = (group: ChannelGroup, multiple: number) => (group.channels.length % multiple === 0 ? multiple : 1);

/** Channel indices, least important first. */
const ascending = (importance: Float64Array) => [...importance.keys()].sort((a, b) => importance[a]! - importance[b]! || a - b);

/** The same fraction `ratio` of every group, rounded down to whole steps: the least important channels. */
export function selectByRatio(ranked: readonly RankedGroup[], ratio: number, multiple: number): Map<ChannelGroup, number[]> {
  const removed = new Map<ChannelGroup, number[]>();
  for (const { group, importance } of ranked) {
    const step = stepOf(group, multiple);
    const count = group.channels.length;
    const keep = Math.max(step, Math.ceil((count * (1 - ratio)) / step - 1e-9) * step);
    if (keep < count) removed.set(group, ascending(importance).slice(0, count - keep));
  }
  return removed;
}

/**
 * Greedy MACs target: repeatedly removes, across all groups, the step of
 * least important channels that costs the least importance per MAC saved
 * (MACs priced by the model, so a channel saves more where its neighbours
 * are still wide), until the graph's MACs are at most `targetMacs`.
 * Returns the removal and whether the target was reached.
 */
export function selectByMacs(ranked: readonly RankedGroup[], g: ChannelGraph, model: MacModel, targetMacs: number, multiple: number): { removed: Map<ChannelGroup, number[]>; reached: boolean } {
  const kept = Int32Array.from(g.spaces, (s) => s.channels);
  const orders = ranked.map((r) => ({ ...r, order: ascending(r.importance), taken: 0, step: stepOf(r.group, multiple) }));
  const apply = (channels: number[], group: ChannelGroup, sign: 1 | -1) => {
    for (const c of channels) for (const { space } of group.channels[c]!.slots) kept[space.id]! -= sign;
  };
  let macs = model.total(kept);
  while (macs > targetMacs) {
    let best: { candidate: (typeof orders)[number]; macs: number; score: number } | undefined;
    for (const candidate of orders) {
      const { group, order, taken, step, importance } = candidate;
      if (group.channels.length - taken - step < step) continue;
      const block = order.slice(taken, taken + step);
      apply(block, group, 1);
      const after = model.total(kept);
      apply(block, group, -1);
      const saved = macs - after;
      if (saved <= 0) continue;
      const score = block.reduce((s, c) => s + importance[c]!, 0) / saved;
      if (!best || score < best.score) best = { candidate, macs: after, score };
    }
    if (!best) break;
    const { candidate } = best;
    apply(candidate.order.slice(candidate.taken, candidate.taken + candidate.step), candidate.group, 1);
    candidate.taken += candidate.step;
    macs = best.macs;
  }
  const removed = new Map(orders.filter((o) => o.taken > 0).map((o) => [o.group, o.order.slice(0, o.taken)] as const));
  return { removed, reached: macs <= targetMacs };
}
