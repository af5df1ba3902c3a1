import { nodeMacs } from '../../cost/macs.js';
import type { Graph } from '../../ir/graph.js';
import type { ChannelGraph, Space } from './channel-graph.js';

/**
 * The graph's MACs (countMacs's per-node count, shapes inferred) as a
 * function of how many channels each value keeps: a layer's count scales
 * with the fraction of its input channels kept (a plain Conv or Gemm) and of
 * its output channels kept (a producer, or a depthwise Conv, whose input is
 * its output). This lets a greedy search price every candidate without
 * rewriting the graph.
 */
export class MacModel {
  readonly #terms: Array<{ macs: number; spaces: Space[] }> = [];
  /** Layers whose MACs are unknown (shapes not inferred); the model then undercounts. */
  readonly unknown: string[] = [];

  constructor(graph: Graph, g: ChannelGraph) {
    const scaling = new Map<object, Space[]>();
    const scaleBy = (node: object, space: Space) => scaling.set(node, [...(scaling.get(node) ?? []), space]);
    for (const c of g.consumers) scaleBy(c.node, c.input);
    for (const p of g.producers) scaleBy(p.node, p.out);
    for (const d of g.depthwise) scaleBy(d.node, d.out);
    for (const node of graph) {
      const macs = nodeMacs(node);
      if (macs === undefined) this.unknown.push(node.name);
      else if (macs > 0) this.#terms.push({ macs, spaces: scaling.get(node) ?? [] });
    }
  }

  /** MACs per sample when space i keeps kept[i] of its channels. */
  total(kept: ArrayLike<number>): number {
    let sum = 0;
    for (const { macs, spaces } of this.#terms) sum += spaces.reduce((m, s) => (m * kept[s.id]!) / s.channels, macs);
    return sum;
  }
}
