import type { Graph } from '../ir/graph.js';
import type { Node } from '../ir/node.js';
import { inferShapes } from '../shape-inference/index.js';
import { isKnown, product } from './shapes.js';

/** Multiply-accumulates of one inference, per sample. */
export interface MacCount {
  /** Sum over the layers whose cost is known. */
  macs: number;
  /** By op type. */
  byOp: Record<string, number>;
  /** Layers whose shapes were not known (run inferShapes with pinned input shapes first), left out of the sum. */
  unknown: string[];
}

/** Ops whose work is multiply-accumulates (everything else counts 0 MACs). */
export const MAC_OPS = new Set(['Conv', 'QLinearConv', 'ConvInteger', 'ConvTranspose', 'Gemm', 'MatMul', 'QLinearMatMul', 'MatMulInteger']);

/** Where each MAC op reads its weight (B): QLinear* ops put scales and zero points in between. */
const WEIGHT_INPUT: Record<string, number> = { QLinearConv: 3, QLinearMatMul: 3 };

/** MACs of one node per sample (the first dim is the batch), or undefined when its shapes are not known. */
export function nodeMacs(node: Node): number | undefined {
  if (!MAC_OPS.has(node.op)) return 0;
  const shapeOf = (i: number) => node.inputs[i]?.type?.shape;
  const w = shapeOf(WEIGHT_INPUT[node.op] ?? 1);
  switch (node.op) {
    case 'ConvTranspose': {
      const x = shapeOf(0);
      if (!isKnown(w) || !isKnown(x?.slice(1))) return undefined;
      // Each input element scatters into (output channels / group) x kernel.
      return product((x as number[]).slice(1)) * product(w.slice(1));
    }
    case 'Gemm':
      // Per row of A (a sample): K x N, both read from B.
      return isKnown(w) ? w[0]! * w[1]! : undefined;
    case 'MatMul':
    case 'QLinearMatMul':
    case 'MatMulInteger': {
      const a = shapeOf(0);
      if (!isKnown(a?.slice(1)) || !isKnown(w)) return undefined;
      // Per sample: every row of A (all but the batch dim and K) times B's columns.
      const rows = product((a as number[]).slice(1, -1));
      return rows * w[w.length - 2]! * w[w.length - 1]!;
    }
    default: {
      // Conv, QLinearConv, ConvInteger.
      const out = node.outputs[0]?.type?.shape;
      if (!isKnown(w) || !isKnown(out?.slice(1))) return undefined;
      // Each output element: one dot product over (input channels / group) x kernel.
      return product((out as number[]).slice(1)) * product(w.slice(1));
    }
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

/**
 * MACs per sample of the whole graph after inferring its shapes (which also
 * gives every value the shape passes read their per-layer figures from), or
 * undefined where some layer's shapes stay unknown.
 */
export function graphMacs(graph: Graph): number | undefined {
  try {
    inferShapes(graph);
  } catch {
    return undefined;
  }
  const count = countMacs(graph);
  return count.unknown.length ? undefined : count.macs;
}
