import { CondenseError, attr, type Attr, type Value } from '@condense/core';
import { BuiltinOperator as Op, Padding } from '../generated/tflite_generated.js';
import { NHWC_AXIS_OF } from '../lower/layout.js';
import { sameTotal } from '../lower/window.js';
import type { TfliteOperator, TfliteOptions } from '../tflite-model.js';
import { invalidTflite } from './errors.js';
import type { Form, GraphImporter } from './importer.js';

type Handler = (op: TfliteOperator, g: GraphImporter) => void;
type Options<K extends TfliteOptions['kind']> = Extract<TfliteOptions, { kind: K }>;

/** The options of the kind an operator must carry. */
function options<K extends TfliteOptions['kind']>(op: TfliteOperator, kind: K): Options<K> {
  if (op.options?.kind !== kind) throw new CondenseError('E_MODEL_INVALID', `Not a valid .tflite model: a ${Op[op.op]} operator lacks its ${kind} options.`);
  return op.options as Options<K>;
}

/** ONNX pads [top, left, bottom, right] for TFLite's SAME or VALID over an NHWC input of `inputHW`. */
function padsOf(padding: Padding, inputHW: number[], kernel: number[], strides: number[], dilations = [1, 1]): number[] {
  if (padding === Padding.VALID) return [0, 0, 0, 0];
  const total = [0, 1].map((i) => sameTotal(inputHW[i]!, kernel[i]!, strides[i]!, dilations[i]!));
  return [Math.floor(total[0]! / 2), Math.floor(total[1]! / 2), total[0]! - Math.floor(total[0]! / 2), total[1]! - Math.floor(total[1]! / 2)];
}

const hw = (shape: number[]) => [shape[1]!, shape[2]!];

/** An op over 2-D windows (CONV_2D, DEPTHWISE_CONV_2D): Conv with explicit pads, fused activation after. */
function conv(depthwise: boolean): Handler {
  return (op, g) => {
    const o = depthwise ? options(op, 'depthwiseConv2d') : options(op, 'conv2d');
    const [x, filter, bias] = op.inputs as [number, number, number | undefined];
    const [, kh, kw] = g.shapeOfRank(filter, 4, 'filter');
    g.shapeOfRank(x, 4, 'input');
    // CONV_2D filters are [out, kh, kw, in], depthwise ones [1, kh, kw, out]; ONNX's are [out, in/group, kh, kw].
    const w = g.weight(filter, depthwise ? [3, 0, 1, 2] : [0, 3, 1, 2]);
    const b = bias !== undefined && bias !== -1 ? g.weight(bias) : null;
    const dilations = [o.dilationH, o.dilationW];
    const strides = [o.strideH, o.strideW];
    const attrs: Record<string, Attr> = {
      kernel_shape: attr.ints([kh!, kw!]),
      strides: attr.ints(strides),
      dilations: attr.ints(dilations),
      pads: attr.ints(padsOf(o.padding, hw(g.shape(x)), [kh!, kw!], strides, dilations)),
    };
    if (depthwise) attrs['group'] = attr.int(g.shape(x)[3]!);
    g.define(op.outputs[0]!, g.activation(g.add('Conv', [g.float(x), w, b], attrs), o.activation));
  };
}

/**
 * TRANSPOSE_CONV (output shape, filter [out, kh, kw, in], input, bias?):
 * ConvTranspose with the leading pads TFLite derives from the output size,
 * and trailing pads (or output_padding) that give that size.
 */
const transposeConv: Handler = (op, g) => {
  const o = options(op, 'transposeConv');
  const [, filter, x, bias] = op.inputs as [number, number, number, number | undefined];
  const [, kh, kw] = g.shapeOfRank(filter, 4, 'filter');
  g.shapeOfRank(x, 4, 'input');
  g.shapeOfRank(op.outputs[0]!, 4, 'output');
  const kernel = [kh!, kw!];
  const strides = [o.strideH, o.strideW];
  const inHW = hw(g.shape(x));
  const outHW = hw(g.shape(op.outputs[0]!));
  const lead = [0, 1].map((i) => (o.padding === Padding.VALID ? 0 : Math.floor(sameTotal(outHW[i]!, kernel[i]!, strides[i]!, 1) / 2)));
  const trail = [0, 1].map((i) => strides[i]! * (inHW[i]! - 1) + kernel[i]! - outHW[i]! - lead[i]!);
  const attrs: Record<string, Attr> = {
    kernel_shape: attr.ints(kernel),
    strides: attr.ints(strides),
    pads: attr.ints([...lead, ...trail.map((t) => Math.max(t, 0))]),
  };
  if (trail.some((t) => t < 0)) attrs['output_padding'] = attr.ints(trail.map((t) => Math.max(-t, 0)));
  const b = bias !== undefined && bias !== -1 ? g.weight(bias) : null;
  g.define(op.outputs[0]!, g.activation(g.add('ConvTranspose', [g.float(x), g.weight(filter, [3, 0, 1, 2]), b], attrs), o.activation));
};

/** FULLY_CONNECTED: Gemm on rows (weights [out, in], transB), or MatMul and Add keeping a 3-D input's axes. */
const fullyConnected: Handler = (op, g) => {
  const o = options(op, 'fullyConnected');
  const [x, weights, bias] = op.inputs as [number, number, number | undefined];
  const b = bias !== undefined && bias !== -1 ? g.weight(bias) : null;
  const rank = g.shape(x).length;
  const inputs = g.shapeOfRank(weights, 2, 'weight matrix')[1]!;
  let y: Value;
  if (o.keepNumDims && rank > 2) {
    const product = g.add('MatMul', [g.float(x, 'stored'), g.weight(weights, [1, 0])]);
    y = b ? g.add('Add', [product, b]) : product;
  } else {
    const rows = rank === 2 ? g.float(x, 'stored') : g.add('Reshape', [g.float(x, 'stored'), g.int64([-1, inputs])]);
    y = g.add('Gemm', [rows, g.weight(weights), b], { transB: attr.int(1) });
  }
  g.define(op.outputs[0]!, g.activation(y, o.activation), 'stored');
};

/** Two-input elementwise ops; constants broadcast as TFLite broadcasts them. */
function binary(onnx: string): Handler {
  return (op, g) => {
    const out = op.outputs[0]!;
    const rank = g.shape(out).length;
    const inputs = op.inputs.map((t) => (g.isStatic(t) ? g.operand(t, rank, 'logical') : g.float(t)));
    g.define(out, g.activation(g.add(onnx, inputs), op.options?.kind === 'arithmetic' ? op.options.activation : undefined));
  };
}

function unary(onnx: string, attrs: (op: TfliteOperator) => Record<string, Attr> = () => ({}), extra: (g: GraphImporter) => Value[] = () => []): Handler {
  return (op, g) => g.define(op.outputs[0]!, g.add(onnx, [g.float(op.inputs[0]!), ...extra(g)], attrs(op)));
}

function pool(onnx: string): Handler {
  return (op, g) => {
    const o = options(op, 'pool2d');
    const x = op.inputs[0]!;
    g.shapeOfRank(x, 4, 'input');
    const kernel = [o.filterH, o.filterW];
    const strides = [o.strideH, o.strideW];
    // TFLite leaves padded cells out of averages and maxima, as ONNX does with count_include_pad 0.
    const y = g.add(onnx, [g.float(x)], { kernel_shape: attr.ints(kernel), strides: attr.ints(strides), pads: attr.ints(padsOf(o.padding, hw(g.shape(x)), kernel, strides)) });
    g.define(op.outputs[0]!, g.activation(y, o.activation));
  };
}

/** Where a stored (NHWC) axis of a 4-D map is in ONNX's NCHW. */
const logicalAxis = (stored: number) => NHWC_AXIS_OF.indexOf(stored);

/** Whether an op on this tensor can work on its NCHW form (4-D maps) or must see TFLite's element order. */
function formFor(g: GraphImporter, t: number): Form {
  return g.shape(t).length === 4 ? 'logical' : 'stored';
}

/** MEAN and REDUCE_MAX; over H and W of a map, kept as size-1 axes, they are ONNX's global pools (as condense exports those). */
function reduce(onnx: string, globalPool: string): Handler {
  return (op, g) => {
    const [x, axesTensor] = op.inputs as [number, number];
    const keepDims = options(op, 'reducer').keepDims;
    const rank = g.shape(x).length;
    const stored = g.ints(axesTensor).map((a) => (a < 0 ? a + rank : a));
    if (rank === 4 && keepDims && [...stored].sort().join() === '1,2') return g.define(op.outputs[0]!, g.add(globalPool, [g.float(x)]));
    // Dropping axes of an NHWC map leaves the rest in NHWC order: work on the stored order then.
    const form: Form = rank === 4 && keepDims ? 'logical' : 'stored';
    const axes = form === 'logical' ? stored.map(logicalAxis) : stored;
    g.define(op.outputs[0]!, g.add(onnx, [g.float(x, form)], { axes: attr.ints(axes), keepdims: attr.int(keepDims ? 1 : 0) }), form);
  };
}

/** RESHAPE and TRANSPOSE act on TFLite's element order, so they see the stored order. */
const reshape: Handler = (op, g) => {
  const out = op.outputs[0]!;
  g.define(out, g.add('Reshape', [g.float(op.inputs[0]!, 'stored'), g.int64(g.shape(out))]), 'stored');
};

const transpose: Handler = (op, g) => {
  g.define(op.outputs[0]!, g.add('Transpose', [g.float(op.inputs[0]!, 'stored')], { perm: attr.ints(g.ints(op.inputs[1]!)) }), 'stored');
};

const concatenation: Handler = (op, g) => {
  const o = options(op, 'concatenation');
  const out = op.outputs[0]!;
  const rank = g.shape(out).length;
  const form = formFor(g, out);
  const axis = o.axis < 0 ? o.axis + rank : o.axis;
  if (axis < 0 || axis >= rank) throw invalidTflite(`${g.operator} joins along axis ${o.axis} of a ${rank}-D output`);
  const inputs = op.inputs.map((t) => (g.isStatic(t) ? g.operand(t, rank, form) : g.float(t, form)));
  const y = g.add('Concat', inputs, { axis: attr.int(form === 'logical' ? logicalAxis(axis) : axis) });
  g.define(out, g.activation(y, o.activation), form);
};

/** PAD with zeros (an int8 PAD fills with the zero point: the same real 0). */
const pad: Handler = (op, g) => {
  const [x, paddings] = op.inputs as [number, number];
  const rank = g.shape(x).length;
  const form = formFor(g, x);
  const flat = g.ints(paddings);
  if (flat.length !== 2 * rank) throw invalidTflite(`${g.operator} gives ${flat.length} paddings for a ${rank}-D input (it needs ${2 * rank})`);
  const perAxis = Array.from({ length: rank }, (_, i) => {
    const s = form === 'logical' ? NHWC_AXIS_OF[i]! : i;
    return [flat[2 * s]!, flat[2 * s + 1]!];
  });
  const pads = [...perAxis.map((p) => p[0]!), ...perAxis.map((p) => p[1]!)];
  g.define(op.outputs[0]!, g.add('Pad', [g.float(x, form), g.int64(pads)]), form);
};

/** SOFTMAX over the stored last axis (channels, for a 4-D map). */
const softmax: Handler = (op, g) => {
  const x = op.inputs[0]!;
  const rank = g.shape(x).length;
  const beta = options(op, 'softmax').beta;
  const scaled = beta === 1 ? g.float(x) : g.add('Mul', [g.float(x), g.scalar(beta)]);
  g.define(op.outputs[0]!, g.add('Softmax', [scaled], { axis: attr.int(rank === 4 ? 1 : rank - 1) }));
};

/** RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR to the sizes given, with the coordinate rules TFLite's flags stand for. */
function resize(nearest: boolean): Handler {
  return (op, g) => {
    const o = options(op, 'resize');
    const [x, size] = op.inputs as [number, number];
    const [n, , , c] = g.shapeOfRank(x, 4, 'input');
    const sizes = g.ints(size);
    if (sizes.length !== 2) throw invalidTflite(`${g.operator} gives ${sizes.length} output sizes; it needs a height and a width`);
    const [h, w] = sizes;
    const attrs: Record<string, Attr> = {
      mode: attr.string(nearest ? 'nearest' : 'linear'),
      coordinate_transformation_mode: attr.string(o.alignCorners ? 'align_corners' : o.halfPixelCenters ? (nearest ? 'tf_half_pixel_for_nn' : 'half_pixel') : 'asymmetric'),
    };
    // Nearest rounds half away from zero when aligning corners, and floors otherwise.
    if (nearest) attrs['nearest_mode'] = attr.string(o.alignCorners ? 'round_prefer_ceil' : 'floor');
    g.define(op.outputs[0]!, g.add('Resize', [g.float(x), null, null, g.int64([n!, c!, h!, w!])], attrs));
  };
}

/** QUANTIZE and DEQUANTIZE of run-time tensors: the float view of the input, quantized if the output is. */
const requantize: Handler = (op, g) => {
  const x = op.inputs[0]!;
  const form = g.formOf(x);
  g.define(op.outputs[0]!, g.float(x, form), form);
};

export const HANDLERS: ReadonlyMap<Op, Handler> = new Map<Op, Handler>([
  [Op.CONV_2D, conv(false)],
  [Op.DEPTHWISE_CONV_2D, conv(true)],
  [Op.TRANSPOSE_CONV, transposeConv],
  [Op.FULLY_CONNECTED, fullyConnected],
  [Op.ADD, binary('Add')],
  [Op.SUB, binary('Sub')],
  [Op.MUL, binary('Mul')],
  [Op.DIV, binary('Div')],
  [Op.MAXIMUM, binary('Max')],
  [Op.MINIMUM, binary('Min')],
  [Op.RELU, unary('Relu')],
  [Op.RELU6, unary('Clip', undefined, (g) => [g.scalar(0), g.scalar(6)])],
  [Op.RELU_N1_TO_1, unary('Clip', undefined, (g) => [g.scalar(-1), g.scalar(1)])],
  [Op.LOGISTIC, unary('Sigmoid')],
  [Op.TANH, unary('Tanh')],
  [Op.HARD_SWISH, unary('HardSwish')],
  [Op.LEAKY_RELU, unary('LeakyRelu', (op) => ({ alpha: attr.float(options(op, 'leakyRelu').alpha) }))],
  [Op.MAX_POOL_2D, pool('MaxPool')],
  [Op.AVERAGE_POOL_2D, pool('AveragePool')],
  [Op.MEAN, reduce('ReduceMean', 'GlobalAveragePool')],
  [Op.REDUCE_MAX, reduce('ReduceMax', 'GlobalMaxPool')],
  [Op.RESHAPE, reshape],
  [Op.TRANSPOSE, transpose],
  [Op.CONCATENATION, concatenation],
  [Op.PAD, pad],
  [Op.SOFTMAX, softmax],
  [Op.RESIZE_BILINEAR, resize(false)],
  [Op.RESIZE_NEAREST_NEIGHBOR, resize(true)],
  [Op.QUANTIZE, requantize],
  [Op.DEQUANTIZE, requantize],
]);
