import type { Graph } from '../ir/graph.js';
import type { Node } from '../ir/node.js';
import type { Value } from '../ir/value.js';

export interface ActivationPeak {
  bytes: number;
  /** The node running at the peak; undefined when the graph inputs alone are the peak. */
  at: string | undefined;
}

/**
 * Peak bytes of live activations over an execution in node order (graphs are
 * kept topologically sorted): graph inputs are live from the start, a node's
 * outputs from that node on, each value until the last node that reads it,
 * graph outputs to the end. While a node runs its inputs and outputs are live
 * together (no in-place reuse). `skipped` nodes (computed at load) and values
 * whose size is unknown are left out.
 */
export function peakActivation(graph: Graph, sizeOf: (v: Value) => number | undefined, skipped: ReadonlySet<Node>): ActivationPeak {
  const order = [...graph].filter((n) => !skipped.has(n));
  const step = new Map(order.map((n, i) => [n, i]));
  // Bytes that die after each step; step -1 is before the first node.
  const freed = new Map<number, number>();
  let live = 0;
  const produce = (v: Value | null, at: number): number => {
    const bytes = v ? sizeOf(v) : undefined;
    if (!v || bytes === undefined) return 0;
    if (!v.isGraphOutput()) {
      const last = Math.max(at, ...v.uses().map((u) => step.get(u.node) ?? -1));
      freed.set(last, (freed.get(last) ?? 0) + bytes);
    }
    return bytes;
  };
  const release = (at: number) => (live -= freed.get(at) ?? 0);

  for (const input of graph.inputs) live += produce(input, -1);
  const peak: ActivationPeak = { bytes: live, at: undefined };
  release(-1);
  order.forEach((node, i) => {
    const outputs = node.outputs.reduce((sum, v) => sum + produce(v, i), 0);
    if (live + outputs > peak.bytes) Object.assign(peak, { bytes: live + outputs, at: node.name });
    live += outputs;
    release(i);
  });
  return peak;
}
