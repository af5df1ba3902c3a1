import { getInt, getInts, type Node } from '@condense/core';
import { BuiltinOperator } from '../../generated/tflite_generated.js';
import { NHWC_AXIS_OF, NHWC_TO_NCHW, PLAIN, defaultLayout, permute } from '../layout.js';
import { FIRST_INPUT, type OpRule } from '../rule.js';
import { dims, staticInts } from '../static-values.js';

/** ReduceMean and ReduceMax over constant axes (an attribute before opset 18, an input from then on). */
function axesOf(node: Node): number[] | undefined {
  const rank = dims(node.inputs[0]!).length;
  let axes = node.attrs['axes'] ? getInts(node.attrs, 'axes') : node.inputs[1] ? staticInts(node.inputs[1]) : [];
  if (!axes) return undefined;
  if (axes.length === 0 && getInt(node.attrs, 'noop_with_empty_axes', 0) === 0) axes = [...Array(rank).keys()];
  return axes.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
}

export const reduce: OpRule = {
  operands: FIRST_INPUT,
  check(node) {
    const axes = axesOf(node);
    if (!axes) return 'the axes must be constants';
    if (axes.length === 0) return 'a reduction over no axes (noop_with_empty_axes) is an identity; remove it first';
    return undefined;
  },
  lower(node, ctx) {
    const x = node.inputs[0]!;
    const axes = axesOf(node)!;
    const keepDims = getInt(node.attrs, 'keepdims', 1) === 1;
    const nhwc = ctx.layoutOf(x).kind === 'nhwc';
    const input = nhwc ? ctx.input(x) : ctx.plainInput(x);
    const stored = nhwc ? axes.map((a) => NHWC_AXIS_OF[a]!).sort((a, b) => a - b) : axes;
    const op = node.op === 'ReduceMax' ? BuiltinOperator.REDUCE_MAX : BuiltinOperator.MEAN;
    const options = { kind: 'reducer' as const, keepDims };
    const axesTensor = ctx.int32(`${node.name}/axes`, stored);
    if (keepDims || !nhwc) {
      const out = ctx.output(node, { layout: keepDims ? defaultLayout(dims(node.output).length) : PLAIN });
      return ctx.emit(op, [input, axesTensor], [out.index], options);
    }
    // Dropping axes of an NHWC tensor leaves the rest in NHWC order; ONNX keeps NCHW order.
    const kept = [0, 1, 2, 3].filter((a) => !stored.includes(a));
    const raw = ctx.temp(`${node.name}/nhwc_order`, permute(ctx.shapeOf(input), kept));
    ctx.emit(op, [input, axesTensor], [raw], options);
    const onnxOrder = NHWC_TO_NCHW.filter((a) => kept.includes(a));
    const perm = onnxOrder.map((a) => kept.indexOf(a));
    ctx.transposeInto(raw, perm, ctx.output(node, { layout: PLAIN }).index);
  },
};
