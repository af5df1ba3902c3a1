import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import { Tensor } from '../../tensor/tensor.js';

/**
 * Points input `index` of `node` at a new constant and forgets the old one
 * once nothing reads it. (equalize-cross-layer's replaceConstantInput keeps
 * the old shape; merging changes it.)
 */
export function setInput(graph: Graph, node: Node, index: number, value: Value): void {
  const old = node.inputs[index];
  node.replaceInput(index, value);
  if (old?.const && old.useCount === 0 && !old.isGraphOutput() && !graph.inputs.includes(old)) graph.deleteValue(old);
}

export function floatConstant(graph: Graph, name: string, shape: readonly number[], values: ArrayLike<number>): Value {
  return graph.constant(graph.uniqueName(name), Tensor.from('float32', shape, Float32Array.from(values)));
}
