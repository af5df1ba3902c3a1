import { getInt, getInts, type Node } from '@condense/core';
import { BuiltinOperator, Padding } from '../../generated/tflite_generated.js';
import { NHWC_AXIS_OF } from '../layout.js';
import { clipBounds } from '../plan.js';
import { FIRST_INPUT, type OpRule } from '../rule.js';
import { dims } from '../static-values.js';
import { tflitePadding, windowOf, windowOutput, type TflitePadding, type Window2d } from '../window.js';
import type { LowerContext } from '../context.js';
import { padInput } from './conv.js';

interface PoolPlan {
  window: Window2d;
  padding: TflitePadding;
}

/**
 * TFLite pools skip padded cells (max ignores them, average leaves them out of
 * the count), like ONNX pads under SAME with count_include_pad 0. Pads SAME
 * cannot express go through a PAD op of zeros, which is exact for an average
 * that counts pads, and for a max over values known to be non-negative.
 */
function planPool(node: Node): PoolPlan | string {
  const x = node.inputs[0]!;
  const [, , h, w] = dims(x) as [number, number, number, number];
  if (dims(x).length !== 4) return 'only 2-D pooling (4-D input) is supported';
  const window = windowOf(node, getInts(node.attrs, 'kernel_shape', []), [h, w]);
  if (typeof window === 'string') return window;
  if (window.dilations.some((d) => d !== 1)) return 'dilated pooling has no TFLite builtin';
  if (node.outputs[1] && (node.outputs[1].useCount > 0 || node.outputs[1].isGraphOutput())) return "MaxPool's Indices output has no TFLite equivalent";
  const [, , oh, ow] = dims(node.output);
  if (windowOutput(window, [h, w], 0) !== oh || windowOutput(window, [h, w], 1) !== ow) {
    return 'ceil_mode changes the output size here, which TFLite pools cannot reproduce';
  }
  const padding = tflitePadding(window, [h, w]);
  const average = node.op === 'AveragePool';
  const countsPads = getInt(node.attrs, 'count_include_pad', 0) === 1;
  if (average && countsPads && !padding.explicit && window.pads.some((p) => p > 0)) {
    // SAME would leave the pads out of the count: pad explicitly instead.
    return { window, padding: { padding: Padding.VALID, explicit: window.pads } };
  }
  if (padding.explicit && average && !countsPads) return 'these pads with count_include_pad 0 match neither SAME nor VALID';
  if (padding.explicit && !average && !isNonNegative(node)) {
    return "these pads match neither SAME nor VALID, and zero padding would change the max of a possibly negative input";
  }
  return { window, padding };
}

/** True when the pooled input cannot be negative: it comes straight out of a Relu, Relu6 or Clip at 0 or above. */
function isNonNegative(node: Node): boolean {
  const p = node.inputs[0]!.producer();
  if (!p) return false;
  if (p.op === 'Relu' || p.op === 'Sigmoid' || p.op === 'HardSigmoid') return true;
  if (p.op === 'Clip') return (clipBounds(p)?.[0] ?? -1) >= 0;
  return false;
}

export const pool: OpRule = {
  operands: FIRST_INPUT,
  fusesActivation: true,
  check(node) {
    const plan = planPool(node);
    return typeof plan === 'string' ? plan : undefined;
  },
  lower: (node, ctx) => emitPool(node, ctx, false),
  int8: { check: () => undefined, lower: (node, ctx) => emitPool(node, ctx, true) },
};

/** MAX_POOL_2D or AVERAGE_POOL_2D, in float or int8 (whose kernels keep the input's scale). */
function emitPool(node: Node, ctx: LowerContext, quantized: boolean): void {
  const { window, padding } = planPool(node) as PoolPlan;
  const x = node.inputs[0]!;
  const source = ctx.read(x, quantized);
  const input = padInput(ctx, x, source, padding.explicit);
  const out = ctx.output(node, { params: ctx.paramsOf(source) });
  const op = node.op === 'MaxPool' ? BuiltinOperator.MAX_POOL_2D : BuiltinOperator.AVERAGE_POOL_2D;
  ctx.emit(op, [input], [out.index], {
    kind: 'pool2d',
    padding: padding.padding,
    strideH: window.strides[0],
    strideW: window.strides[1],
    filterH: window.kernel[0],
    filterW: window.kernel[1],
    activation: out.activation,
  });
}

/** GlobalAveragePool and GlobalMaxPool: a mean or max over H and W, kept as size-1 axes. */
export const globalPool: OpRule = {
  operands: FIRST_INPUT,
  check(node) {
    return dims(node.inputs[0]!).length === 4 ? undefined : 'only 4-D inputs are supported';
  },
  lower: (node, ctx) => emitGlobalPool(node, ctx, false),
  int8: { check: () => undefined, lower: (node, ctx) => emitGlobalPool(node, ctx, true) },
};

/** MEAN or REDUCE_MAX over H and W. int8 MEAN rescales to any output scale; int8 REDUCE_MAX keeps its input's. */
function emitGlobalPool(node: Node, ctx: LowerContext, quantized: boolean): void {
  const x = node.inputs[0]!;
  const input = ctx.read(x, quantized);
  const axes = ctx.int32(`${node.name}/axes`, [NHWC_AXIS_OF[2]!, NHWC_AXIS_OF[3]!]);
  const max = node.op === 'GlobalMaxPool';
  const out = ctx.output(node, { params: max ? ctx.paramsOf(input) : undefined });
  ctx.emit(max ? BuiltinOperator.REDUCE_MAX : BuiltinOperator.MEAN, [input, axes], [out.index], { kind: 'reducer', keepDims: true });
}
