import { getInt } from '../../ir/attr.js';
import { constantOf } from '../../ir/constant.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import type { Tensor } from '../../tensor/tensor.js';

/** The ops whose weight (input 1) can be pruned. */
export const PRUNABLE_OPS = ['Conv', 'ConvTranspose', 'Gemm', 'MatMul'] as const;

/** A weight tensor to prune, with every eligible node that reads it. */
export interface PruneTarget {
  value: Value;
  tensor: Tensor;
  /** A copy of the weights, edited in place by the pruning. */
  weights: Float32Array;
  readers: Node[];
  /** The axis of the weight that runs over the layer's input channels (as the first reader sees it), where there is one. */
  inputAxis: number | undefined;
}

/**
 * The axis of `node`'s weight (rank `rank`) indexing input channels: Conv's
 * [O, I/g, k...] axis 1, ConvTranspose's [I, O/g, k...] axis 0, Gemm's K
 * (axis 1 with transB, else 0), MatMul's second to last.
 */
export function inputChannelAxis(node: Node, rank: number): number | undefined {
  if (rank < 2) return undefined;
  switch (node.op) {
    case 'Conv':
      return 1;
    case 'ConvTranspose':
      return 0;
    case 'Gemm':
      return rank === 2 ? (getInt(node.attrs, 'transB', 0) ? 1 : 0) : undefined;
    case 'MatMul':
      return rank - 2;
    default:
      return undefined;
  }
}

/** A Conv or ConvTranspose whose every group sees one input channel. */
export function isDepthwise(node: Node, shape: readonly number[]): boolean {
  const group = getInt(node.attrs, 'group', 1);
  if (group <= 1) return false;
  return node.op === 'Conv' ? shape[1] === 1 : node.op === 'ConvTranspose' && shape[0] === group;
}

export interface TargetFilter {
  ops: readonly string[];
  minElements: number;
  depthwise: boolean;
}

/**
 * The float32 constant weights the pass prunes, one entry per tensor however
 * many nodes read it. Biases (input 2) are never candidates. `skip` hears why
 * a candidate was passed over, where the reason is worth reporting, and
 * whether it is a warning (bad data) or a note (a choice).
 */
export function findTargets(graph: Graph, filter: TargetFilter, skip: (node: Node, why: string, warning: boolean) => void): PruneTarget[] {
  const byTensor = new Map<Tensor, PruneTarget>();
  for (const node of graph) {
    if (node.domain !== '' || !filter.ops.includes(node.op)) continue;
    const value = node.inputs[1];
    const tensor = constantOf(value);
    if (!value || !tensor || tensor.dtype !== 'float32' || tensor.size < filter.minElements) continue;
    const known = byTensor.get(tensor);
    if (known) {
      known.readers.push(node);
      continue;
    }
    if (!filter.depthwise && isDepthwise(node, tensor.shape)) {
      skip(node, 'depthwise weights left dense (set depthwise to prune them)', false);
      continue;
    }
    const weights = Float32Array.from(tensor.data<'float32'>());
    if (!weights.every(Number.isFinite)) {
      skip(node, `${value.name} has non-finite values; left dense`, true);
      continue;
    }
    byTensor.set(tensor, { value, tensor, weights, readers: [node], inputAxis: inputChannelAxis(node, tensor.rank) });
  }
  return [...byTensor.values()];
}
