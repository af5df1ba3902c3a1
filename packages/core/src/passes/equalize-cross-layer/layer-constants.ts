import { constantOf } from '../../ir/constant.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import { Tensor } from '../../tensor/tensor.js';

/**
 * Input 2 of a Conv or Gemm as one number per output channel: null when the
 * layer has none, undefined when it is not a float32 constant of shape [C] or
 * [1, C] (a scalar or per-row Gemm C does not belong to the channels).
 */
export function readBias(node: Node, channels: number): Float64Array | null | undefined {
  const v = node.inputs[2];
  if (!v) return null;
  const b = constantOf(v);
  if (!b || b.dtype !== 'float32' || b.size !== channels || !(b.rank === 1 || (b.rank === 2 && b.shape[0] === 1))) return undefined;
  return Float64Array.from(b.data<'float32'>());
}

/**
 * Points input `index` of `node` at a new float32 constant (the old one may be
 * shared, so it is never edited in place) and forgets the old initializer once
 * nothing reads it. The new constant keeps the old one's shape, or takes `shape`.
 */
export function replaceConstantInput(graph: Graph, node: Node, index: number, values: ArrayLike<number>, shape: readonly number[], suffix: string): void {
  const old = node.inputs[index] ?? null;
  const base = old?.name ?? `${node.name || node.op}_input${index}`;
  const tensor = Tensor.from('float32', constantOf(old)?.shape ?? shape, Float32Array.from(values));
  while (node.inputs.length < index) node.replaceInput(node.inputs.length, null);
  node.replaceInput(index, graph.constant(`${base}_${suffix}`, tensor));
  if (old?.const && old.useCount === 0 && !old.isGraphOutput() && !graph.inputs.includes(old)) graph.deleteValue(old);
}
