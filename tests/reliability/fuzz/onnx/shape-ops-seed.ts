/**
 * A synthetic seed of shape arithmetic (Shape, Gather, Concat, Reshape, Slice,
 * ConstantOfShape, Expand, Tile, Split, Pad, Transpose, Squeeze, Unsqueeze):
 * the real seeds are plain CNNs, and these are the ops whose shape rules turn
 * declared dimensions into sizes, where a hostile dimension does harm.
 */
import { Graph, Tensor, attr, createModel, type Value } from '@condense/core';
import { encodeModelBytes } from '@condense/onnx';

export function shapeOpsModel(): Uint8Array {
  const g = new Graph({ opset: { '': 17 } });
  const x = g.input('x', { dtype: 'float32', shape: [1, 3, 8, 8] });
  const i64 = (name: string, values: number[], shape = [values.length]) => g.constant(name, Tensor.from('int64', shape, values.map(BigInt)));
  const op = (type: string, inputs: Array<Value | null>, attrs = {}) => g.add(type, inputs, attrs).output;
  const shape = op('Shape', [x]);
  const batch = op('Unsqueeze', [op('Gather', [shape, i64('zero', [0], [])]), i64('axis0', [0])]);
  const flat = op('Reshape', [x, op('Concat', [batch, i64('rest', [-1])], { axis: attr.int(0) })]);
  const head = op('Slice', [flat, i64('starts', [0]), i64('ends', [2 ** 53 - 1]), i64('axes', [1]), i64('steps', [2])]);
  const ones = op('ConstantOfShape', [op('Shape', [head])], { value: attr.tensor(Tensor.from('float32', [1], [1])) });
  const wide = op('Tile', [op('Add', [head, ones]), i64('reps', [1, 2])]);
  const [left, right] = g.add('Split', [wide, i64('split', [96, 96])], { axis: attr.int(1) }, { outputs: 2 }).outputs as [Value, Value];
  const padded = op('Pad', [op('Mul', [left, right]), i64('pads', [0, 1, 0, 1])]);
  const grid = op('Reshape', [padded, i64('grid', [-1, 2, 7, 7])]);
  const turned = op('Transpose', [grid], { perm: attr.ints([0, 2, 3, 1]) });
  const spread = op('Expand', [op('Unsqueeze', [turned, i64('axis1', [1])]), i64('to', [1, 3, 1, 1, 1])]);
  g.outputs = [op('Squeeze', [op('ReduceMean', [spread], { axes: attr.ints([1]), keepdims: attr.int(1) }), i64('axis1b', [1])])];
  return encodeModelBytes(createModel(g));
}
