import { getInts, getString, type Node, type Value } from '@condense/core';
import { ActivationFunctionType, BuiltinOperator, Padding } from '../../generated/tflite_generated.js';
import type { LowerContext, WeightArrangement } from '../context.js';
import { NHWC, transposeData } from '../layout.js';
import { FIRST_INPUT, type OpRule } from '../rule.js';
import { dims, staticFloats, weightProblem } from '../static-values.js';
import { kernelWeightProblem } from '../weights.js';
import { groupOf, sameTotal, tflitePadding, windowOf, type Window2d } from '../window.js';

/** Reorders a 4-D weight by `perm` (ONNX Transpose semantics). */
export function permuted(key: string, perm: number[], channelAxis: number): WeightArrangement {
  return {
    key,
    channelAxis,
    arrange: (data, shape) => ({ data: transposeData(data, shape, perm), shape: perm.map((p) => shape[p]!) }),
    axisOf: (a) => perm.indexOf(a),
  };
}

/** Weights TFLite reads in ONNX's layout already (biases). */
export const AS_IS: WeightArrangement = { key: '', channelAxis: 0, arrange: (data, shape) => ({ data, shape }), axisOf: (a) => a };
/** CONV_2D filters are [out, kh, kw, in]. */
const OHWI = permuted('ohwi', [0, 2, 3, 1], 0);
/** DEPTHWISE_CONV_2D filters are [1, kh, kw, channels x multiplier]; ONNX's output channel order already matches. */
const DEPTHWISE = permuted('1hwo', [1, 2, 3, 0], 3);
/** TRANSPOSE_CONV filters are [out, kh, kw, in]; ONNX's are [in, out, kh, kw]. */
const TRANSPOSED = permuted('io-ohwi', [1, 2, 3, 0], 0);

function spatial(v: Value): [number, number] {
  const [, , h, w] = dims(v);
  return [h!, w!];
}

function staticWeight(node: Node): string | undefined {
  return weightProblem(node.inputs[1], 'weight', 4) ?? (node.inputs[2] ? weightProblem(node.inputs[2], 'bias', 1) : undefined);
}

function convWindow(node: Node): Window2d | string {
  const [, , kh, kw] = staticFloats(node.inputs[1])!.shape;
  return windowOf(node, getInts(node.attrs, 'kernel_shape', [kh!, kw!]), spatial(node.inputs[0]!));
}

export const conv: OpRule = {
  operands: FIRST_INPUT,
  fusesActivation: true,
  check(node) {
    if (dims(node.inputs[0]!).length !== 4) return 'only 2-D convolutions (4-D input) are supported';
    const bad = staticWeight(node);
    if (bad) return bad;
    const w = convWindow(node);
    if (typeof w === 'string') return w;
    const group = groupOf(node);
    const channels = dims(node.inputs[0]!)[1]!;
    const outChannels = dims(node.output)[1]!;
    if (group !== 1 && !(group === channels && outChannels % channels === 0)) {
      return `grouped convolution (group ${group} of ${channels} channels) has no TFLite builtin; only group 1 and depthwise (group = input channels) export`;
    }
    return undefined;
  },
  lower(node, ctx) {
    const how = filterArrangement(node);
    // Hybrid kernels read int8 weights and quantize the float input on the fly.
    const hybrid = ctx.options.dynamicRange === 'hybrid' && !kernelWeightProblem(node.inputs[1], how);
    const filter = hybrid ? ctx.weights.int8(node.inputs[1]!, how).index : ctx.weight(node.inputs[1]!, how);
    const bias = node.inputs[2] ? ctx.weight(node.inputs[2], AS_IS) : ctx.zeroBias(`${node.name}/bias`, dims(node.output)[1]!);
    emitConv(node, ctx, ctx.input(node.inputs[0]!), filter, bias);
  },
  int8: {
    check: (node) => kernelWeightProblem(node.inputs[1], filterArrangement(node)),
    lower(node, ctx) {
      const x = node.inputs[0]!;
      const filter = ctx.weights.int8(node.inputs[1]!, filterArrangement(node));
      const bias = ctx.weights.int32Bias(node.inputs[2]?.name ?? `${node.name}/bias`, node.inputs[2], AS_IS, ctx.paramsOf(ctx.quantizedInput(x))!.scale, filter.scales);
      emitConv(node, ctx, ctx.quantizedInput(x), filter.index, bias);
    },
  },
};

function filterArrangement(node: Node): WeightArrangement {
  return groupOf(node) > 1 ? DEPTHWISE : OHWI;
}

/** CONV_2D or DEPTHWISE_CONV_2D of whatever input, filter and bias tensors the caller made (float, hybrid or int8). */
function emitConv(node: Node, ctx: LowerContext, source: number, filter: number, bias: number): void {
  const w = convWindow(node) as Window2d;
  const { padding, explicit } = tflitePadding(w, spatial(node.inputs[0]!));
  const x = padInput(ctx, node.inputs[0]!, source, explicit);
  const group = groupOf(node);
  const out = ctx.output(node);
  const common = { padding, strideH: w.strides[0], strideW: w.strides[1], dilationH: w.dilations[0], dilationW: w.dilations[1], activation: out.activation };
  if (group > 1) {
    ctx.emit(BuiltinOperator.DEPTHWISE_CONV_2D, [x, filter, bias], [out.index], { kind: 'depthwiseConv2d', depthMultiplier: dims(node.output)[1]! / group, ...common });
  } else {
    ctx.emit(BuiltinOperator.CONV_2D, [x, filter, bias], [out.index], { kind: 'conv2d', ...common });
  }
}

/**
 * `source` (x's NHWC tensor, float or int8) zero-padded by [top, left, bottom,
 * right] where TFLite's SAME/VALID cannot express the pads; `source` itself
 * when there are none. PAD fills an int8 tensor with its zero point: the
 * quantized 0.
 */
export function padInput(ctx: LowerContext, x: Value, source: number, explicit: [number, number, number, number] | undefined): number {
  if (!explicit) return source;
  const [t, l, b, r] = explicit;
  const [n, h, w, c] = ctx.shapeOf(source) as [number, number, number, number];
  const padded = ctx.similar(source, `${x.name}/padded`, [n, h + t + b, w + l + r, c]);
  const paddings = ctx.int32(`${x.name}/paddings`, [0, 0, t, b, l, r, 0, 0], [4, 2]);
  ctx.emit(BuiltinOperator.PAD, [source, paddings], [padded]);
  return padded;
}

/**
 * ONNX ConvTranspose's leading pad per axis. TFLite's TRANSPOSE_CONV takes the
 * output size explicitly and derives its leading pad from it (VALID: none,
 * SAME: TensorFlow's split), cropping whatever falls past the end.
 */
function transposedPadding(node: Node): { padding: Padding } | string {
  if (getInts(node.attrs, 'dilations', [1, 1]).some((d) => d !== 1)) return 'dilated ConvTranspose has no TFLite builtin';
  if (groupOf(node) !== 1) return 'grouped ConvTranspose has no TFLite builtin';
  const x = node.inputs[0]!;
  const [, , kh, kw] = staticFloats(node.inputs[1])!.shape as [number, number, number, number];
  const kernel = getInts(node.attrs, 'kernel_shape', [kh, kw]);
  if (kernel.length !== 2) return 'only 2-D ConvTranspose is supported';
  const strides = getInts(node.attrs, 'strides', [1, 1]);
  const outPadding = getInts(node.attrs, 'output_padding', [0, 0]);
  const inHW = spatial(x);
  const outHW = spatial(node.output);
  const autoPad = getString(node.attrs, 'auto_pad', 'NOTSET');
  const leading = [0, 1].map((i) => {
    if (autoPad === 'VALID') return 0;
    if (autoPad === 'NOTSET' && !node.attrs['output_shape']) return getInts(node.attrs, 'pads', [0, 0, 0, 0])[i]!;
    const total = strides[i]! * (inHW[i]! - 1) + outPadding[i]! + kernel[i]! - outHW[i]!;
    return autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
  });
  if (leading.every((p) => p === 0)) return { padding: Padding.VALID };
  const sameLeading = [0, 1].map((i) => Math.floor(sameTotal(outHW[i]!, kernel[i]!, strides[i]!, 1) / 2));
  if (leading.every((p, i) => p === sameLeading[i])) return { padding: Padding.SAME };
  return `pads leading [${leading.join(', ')}] match neither TFLite's VALID nor SAME for this output size`;
}

/** Relu is not fused into TRANSPOSE_CONV: that needs op version 4, which older TFLite runtimes refuse. */
export const convTranspose: OpRule = {
  operands: FIRST_INPUT,
  check(node) {
    if (dims(node.inputs[0]!).length !== 4) return 'only 2-D ConvTranspose (4-D input) is supported';
    const bad = staticWeight(node);
    if (bad) return bad;
    const p = transposedPadding(node);
    return typeof p === 'string' ? p : undefined;
  },
  lower(node, ctx) {
    const { padding } = transposedPadding(node) as { padding: Padding };
    const strides = getInts(node.attrs, 'strides', [1, 1]);
    const filter = ctx.weight(node.inputs[1]!, TRANSPOSED);
    const out = ctx.output(node, { layout: NHWC });
    const outputShape = ctx.int32(`${node.name}/output_shape`, ctx.shapeOf(out.index));
    const inputs = [outputShape, filter, ctx.input(node.inputs[0]!)];
    if (node.inputs[2]) inputs.push(ctx.weight(node.inputs[2], AS_IS));
    ctx.emit(BuiltinOperator.TRANSPOSE_CONV, inputs, [out.index], {
      kind: 'transposeConv',
      padding,
      strideH: strides[0]!,
      strideW: strides[1]!,
      activation: ActivationFunctionType.NONE,
    });
  },
};

