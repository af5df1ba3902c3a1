import { getFloat, getInts, getString, type Node } from '@condense/core';
import { BuiltinOperator } from '../../generated/tflite_generated.js';
import { NCHW_TO_NHWC, permute } from '../layout.js';
import type { LowerContext } from '../context.js';
import { FIRST_INPUT, type OpRule } from '../rule.js';
import { dims, staticFloats, staticInts } from '../static-values.js';

/** [begin, end] per ONNX axis, from the attribute (before opset 11) or the constant input. */
function padsOf(node: Node): Array<[number, number]> | string {
  const rank = dims(node.inputs[0]!).length;
  if (getString(node.attrs, 'mode', 'constant') !== 'constant') return `mode "${getString(node.attrs, 'mode')}" is not supported (only constant)`;
  const pads = node.attrs['pads'] ? getInts(node.attrs, 'pads') : staticInts(node.inputs[1]);
  if (!pads) return 'the pads must be a constant';
  let value = getFloat(node.attrs, 'value', 0);
  if (node.inputs[2]) {
    const v = staticFloats(node.inputs[2]);
    if (!v) return 'the padding value must be a constant';
    value = v.data[0] ?? 0;
  }
  if (value !== 0) return `padding with ${value} is not supported (only 0)`;
  let axes = [...Array(rank).keys()];
  if (node.inputs[3]) {
    const given = staticInts(node.inputs[3]);
    if (!given) return 'the axes must be a constant';
    axes = given.map((a) => (a < 0 ? a + rank : a));
  }
  const perAxis: Array<[number, number]> = Array.from({ length: rank }, () => [0, 0]);
  axes.forEach((a, i) => (perAxis[a] = [pads[i]!, pads[i + axes.length]!]));
  if (perAxis.some(([b, e]) => b < 0 || e < 0)) return 'negative pads (cropping) are not supported';
  return perAxis;
}

export const pad: OpRule = {
  operands: FIRST_INPUT,
  check(node) {
    const pads = padsOf(node);
    return typeof pads === 'string' ? pads : undefined;
  },
  lower: (node, ctx) => lowerPad(node, ctx, false),
  // int8 PAD fills with the zero point (the quantized 0) and keeps the input's scale.
  int8: { check: () => undefined, lower: (node, ctx) => lowerPad(node, ctx, true) },
};

function lowerPad(node: Node, ctx: LowerContext, quantized: boolean): void {
  const x = node.inputs[0]!;
  const perAxis = padsOf(node) as Array<[number, number]>;
  const nhwc = ctx.layoutOf(x).kind === 'nhwc';
  const stored = nhwc ? permute(perAxis, NCHW_TO_NHWC) : perAxis;
  const paddings = ctx.int32(`${node.name}/paddings`, stored.flat(), [stored.length, 2]);
  const input = ctx.read(x, quantized, !nhwc);
  const out = ctx.output(node, { params: ctx.paramsOf(input) });
  ctx.emit(BuiltinOperator.PAD, [input, paddings], [out.index]);
}
