import { getInt, getInts, type Node } from '@condense/core';
import { ActivationFunctionType, BuiltinOperator } from '../../generated/tflite_generated.js';
import { NCHW_TO_NHWC, NHWC, NHWC_AXIS_OF, NHWC_TO_NCHW, PLAIN, composePerm, defaultLayout, type Layout } from '../layout.js';
import type { LowerContext } from '../context.js';
import { ALL_INPUTS, FIRST_INPUT, type OpRule } from '../rule.js';
import { dims, isStatic, staticFloats } from '../static-values.js';
import { absorbsColumnOrder } from './dense.js';

/**
 * Reshape, Flatten, Squeeze, Unsqueeze: the output shape comes from shape
 * inference, so only the data input is read. ONNX reshapes in NCHW element
 * order; an NHWC tensor is transposed to that order first, except for a
 * Flatten whose every reader is a fully-connected layer taking the column
 * order into its weights.
 */
export const reshape: OpRule = {
  operands: FIRST_INPUT,
  check: () => undefined,
  lower: (node, ctx) => lowerReshape(node, ctx, false),
  int8: { check: () => undefined, lower: (node, ctx) => lowerReshape(node, ctx, true) },
};

/** Float or int8 (same scale in and out, requantized after if the quantizers differ). */
function lowerReshape(node: Node, ctx: LowerContext, quantized: boolean): void {
  const x = node.inputs[0]!;
  const y = node.output;
  const [, c, h, w] = dims(x);
  const stored = ctx.read(x, quantized);
  const output = (layout: Layout) => ctx.output(node, { layout, params: ctx.paramsOf(stored) }).index;
  if (ctx.layoutOf(x).kind === 'nhwc' && keepsColumnsInNhwcOrder(node)) {
    // NHWC and NCHW flatten alike when C or H·W is 1.
    const layout: Layout = c === 1 || h! * w! === 1 ? PLAIN : { kind: 'hwc-flat', c: c!, h: h!, w: w! };
    return ctx.reshapeInto(stored, output(layout));
  }
  const source = ctx.read(x, quantized, true);
  const rank = dims(y).length;
  if (rank !== 4) return ctx.reshapeInto(source, output(PLAIN));
  const nchw = ctx.similar(source, `${y.name}_nchw`, dims(y));
  ctx.reshapeInto(source, nchw);
  ctx.transposeInto(nchw, NCHW_TO_NHWC, output(NHWC));
}

function keepsColumnsInNhwcOrder(node: Node): boolean {
  const [n] = dims(node.inputs[0]!);
  const y = node.output;
  const out = dims(y);
  return out.length === 2 && out[0] === n && !y.isGraphOutput() && y.useCount > 0 && y.uses().every(absorbsColumnOrder);
}

/** Transpose composes with the layouts on either side into one TFLite permutation. */
export const transpose: OpRule = {
  operands: FIRST_INPUT,
  check: () => undefined,
  lower: (node, ctx) => lowerTranspose(node, ctx, false),
  int8: { check: () => undefined, lower: (node, ctx) => lowerTranspose(node, ctx, true) },
};

function lowerTranspose(node: Node, ctx: LowerContext, quantized: boolean): void {
  const x = node.inputs[0]!;
  const rank = dims(x).length;
  const perm = getInts(node.attrs, 'perm', [...Array(rank).keys()].reverse());
  const nhwc = ctx.layoutOf(x).kind === 'nhwc';
  const input = ctx.read(x, quantized, !nhwc);
  const toOnnx = nhwc ? NHWC_TO_NCHW : [...Array(rank).keys()];
  const outLayout = defaultLayout(rank);
  const fromOnnx = outLayout.kind === 'nhwc' ? NCHW_TO_NHWC : [...Array(rank).keys()];
  const out = ctx.output(node, { layout: outLayout, params: ctx.paramsOf(input) });
  ctx.transposeInto(input, composePerm(composePerm(toOnnx, perm), fromOnnx), out.index);
}

/**
 * Concat along the ONNX axis, which for NHWC tensors sits elsewhere. The
 * format gives CONCATENATION a fused activation, but runtimes do not apply it
 * (LiteRT.js silently skips it), so a following Relu stays an op of its own.
 */
export const concat: OpRule = {
  operands: ALL_INPUTS,
  check(node) {
    const bad = node.inputs.find((v) => v && isStatic(v) && !staticFloats(v));
    return bad ? `constant input "${bad.name}" is not a float tensor` : undefined;
  },
  lower: (node, ctx) => lowerConcat(node, ctx, false),
  int8: {
    check: (node) => (node.inputs.some((v) => v && isStatic(v)) ? 'a constant input would need quantizing' : undefined),
    lower: (node, ctx) => lowerConcat(node, ctx, true),
  },
};

/** int8 CONCATENATION wants one scale for all: inputs quantized otherwise are requantized to the output's first. */
function lowerConcat(node: Node, ctx: LowerContext, quantized: boolean): void {
  const rank = dims(node.output).length;
  const layout = defaultLayout(rank);
  let axis = getInt(node.attrs, 'axis', 0);
  if (axis < 0) axis += rank;
  const target = quantized ? ctx.plan.int8.get(node)!.params : undefined;
  const inputs = node.inputs.flatMap((v) => {
    if (!v) return [];
    if (isStatic(v)) return [ctx.broadcastConstant(v, rank, layout)];
    if (!target) return [layout.kind === 'nhwc' ? ctx.input(v) : ctx.plainInput(v)];
    return [ctx.requantized(ctx.read(v, true, layout.kind !== 'nhwc'), target)];
  });
  const out = ctx.output(node, { layout });
  ctx.emit(BuiltinOperator.CONCATENATION, inputs, [out.index], {
    kind: 'concatenation',
    axis: layout.kind === 'nhwc' ? NHWC_AXIS_OF[axis]! : axis,
    activation: ActivationFunctionType.NONE,
  });
}

/** Identity and inference-mode Dropout: the output is the input's tensor. */
export const passThrough: OpRule = {
  operands: FIRST_INPUT,
  check(node) {
    if (isStatic(node.inputs[0]!)) return 'a pass-through of a constant; run the cleanup preset (fold-constants) first';
    if (node.outputs[1] && (node.outputs[1].useCount > 0 || node.outputs[1].isGraphOutput())) return "Dropout's mask output is not supported";
    if (node.output.isGraphOutput() && node.inputs[0]!.kind === 'graph-input') return 'a graph output that is a graph input unchanged';
    return undefined;
  },
  lower(node, ctx) {
    ctx.bind(node.output, ctx.ref(node.inputs[0]!));
  },
};
