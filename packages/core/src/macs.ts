import type { Graph } from './ir/graph.js';
import type { Node } from './ir/node.js';
import type { Dim } from './ir/value.js';

/** Multiply-accumulates of one inference, per sample. */
export interface MacCount {
  /** Sum over the layers whose cost is known. */
  macs: number;
  /** By op type. */
  byOp: Record<string, number>;
  /** Layers whose shapes were not known (run inferShapes with pinned input shapes first), left out of the sum. */
  unknown: string[];
}

const known = (dims: readonly Dim[] | undefined): dims is number[] => !!dims && dims.every((d) => typeof d === 'number');
const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** MACs of one node per sample (the first dim is the batch), or undefined when its shapes are not known. */
function nodeMacs(node: Node): number | undefined {
  const shapeOf = (i: number) => node.inputs[i]?.type?.shape;
  const out = node.outputs[0]?.type?.shape;
  switch (node.op) {
    case 'Conv':
    case 'QLinearConv': {
      const w = shapeOf(node.op === 'Conv' ? 1 : 3);
      if (!known(w) || !known(out?.slice(1))) return undefined;
      // Each output element: one dot product over (input channels / group) x kernel.
      return product((out as number[]).slice(1)) * product(w.slice(1));
    }
    case 'ConvTranspose': {
      const x = shapeOf(0);
      const w = shapeOf(1);
      if (!known(w) || !known(x?.slice(1))) return undefined;
      // Each input element scatters into (output channels / group) x kernel.
      return product((x as number[]).slice(1)) * product(w.slice(1));
    }
    case 'Gemm': {
      // Per row of A (a sample): K x N, both read from B.
      const b = shapeOf(1);
      return known(b) ? b[0]! * b[1]! : undefined;
    }
    case 'MatMul':
    case 'QLinearMatMul': {
      const a = shapeOf(0);
      const b = shapeOf(node.op === 'MatMul' ? 1 : 3);
      if (!known(a?.slice(1)) || !known(b)) return undefined;
      // Per sample: every row of A (all but the batch dim and K) times B's columns.
      const rows = product((a as number[]).slice(1, -1));
      return rows * b[b.length - 2]! * b[b.length - 1]!;
    }
    default:
      return 0;
  }
}

/** The MACs of a graph (subgraphs not included), per sample; shapes must have been inferred. */
export function countMacs(graph: Graph): MacCount {
  const result: MacCount = { macs: 0, byOp: {}, unknown: [] };
  for (const node of graph) {
    const m = nodeMacs(node);
    if (m === undefined) result.unknown.push(node.name);
    else if (m > 0) {
      result.macs += m;
      result.byOp[node.op] = (result.byOp[node.op] ?? 0) + m;
    }
  }
  return result;
}
