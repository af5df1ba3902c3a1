import { CondenseError, Tensor, attr, type Attr, type Value } from '@condense/core';
import { quoted } from './check-json.js';
import { NHWC_AS_NCHW, identity, type Perm } from '../layout.js';
import { samePads } from '../padding.js';
import { rankOf, unsupported, type TfBuilder, type TfTensor } from './builder.js';

/** tfjs padding: SAME (TensorFlow's, extra at the end), VALID, or explicit [[top, bottom], [left, right]]. */
export type Padding = 'SAME' | 'VALID' | { explicit: [[number, number], [number, number]] };

/** Activations tfjs fuses into convolutions and dense layers, and Keras names. */
export type Activation =
  | { kind: 'linear' | 'relu' | 'relu6' | 'elu' | 'selu' | 'sigmoid' | 'tanh' | 'softplus' | 'softsign' | 'swish' | 'hard_sigmoid' | 'exponential' | 'softmax' }
  | { kind: 'leakyrelu'; alpha: number }
  | { kind: 'prelu'; alpha: TfTensor };

export interface Window {
  strides: [number, number];
  dilations?: [number, number];
  padding: Padding;
  /** NHWC unless the tfjs node says NCHW. */
  channelsFirst?: boolean;
}

const layoutOf = (w: { channelsFirst?: boolean }): Perm => (w.channelsFirst ? identity(4) : NHWC_AS_NCHW);
const spatialAxes = (w: Window): [number, number] => (w.channelsFirst ? [2, 3] : [1, 2]);

/**
 * ONNX pads [top, left, bottom, right] for a window. SAME needs the input's
 * spatial size; when it is unknown, ONNX's SAME_UPPER (the same rule) is used.
 */
function padAttrs(b: TfBuilder, x: TfTensor, kernel: [number, number], w: Window): Record<string, Attr> {
  const p = w.padding;
  if (p === 'VALID') return { pads: attr.ints([0, 0, 0, 0]) };
  if (p !== 'SAME') return { pads: attr.ints([p.explicit[0][0], p.explicit[1][0], p.explicit[0][1], p.explicit[1][1]]) };
  const shape = b.shapeOf(x);
  const sizes = spatialAxes(w).map((a) => shape?.[a]);
  if (!sizes.every((s): s is number => typeof s === 'number')) return { auto_pad: attr.string('SAME_UPPER') };
  const pads = sizes.map((size, i) => samePads(size, kernel[i]!, w.strides[i]!, w.dilations?.[i] ?? 1));
  return { pads: attr.ints([pads[0]![0], pads[1]![0], pads[0]![1], pads[1]![1]]) };
}

export interface ConvSpec extends Window {
  /** tfjs filter: [h, w, in, out] for Conv2D, [h, w, in, multiplier] for depthwise. */
  filter: TfTensor;
  depthwise?: boolean;
  bias?: TfTensor;
  activation?: Activation;
}

/** Conv2D / DepthwiseConv2dNative (and their fused forms) as ONNX Conv. */
/** Windowed ops read NHWC (or NCHW) maps: four axes. */
function checkMap(x: TfTensor, name: string): void {
  if (rankOf(x) !== 4) throw new CondenseError('E_MODEL_INVALID', `Node ${quoted(name)} applies a 2-D window to a tensor of ${rankOf(x)} axes; it needs 4.`, { context: { node: name } });
}

export function conv2d(b: TfBuilder, name: string, x: TfTensor, spec: ConvSpec): TfTensor {
  checkMap(x, name);
  const fshape = spec.filter.kind === 'const' ? spec.filter.tensor.shape : b.shapeOf(spec.filter);
  if (!fshape || fshape.length !== 4 || !fshape.every((d): d is number => typeof d === 'number')) throw unsupported(`a ${name} filter of unknown shape`);
  const [kh, kw, cin, cout] = fshape as [number, number, number, number];
  // ONNX wants [out, in / group, kh, kw]; a depthwise filter's [in, multiplier] becomes in * multiplier outputs, one group per input channel.
  const weight = spec.depthwise ? b.constantAs(spec.filter, fshape, [2, 3, 0, 1], [cin * cout, 1, kh, kw]) : b.in(spec.filter, [3, 2, 0, 1]);
  const perm = layoutOf(spec);
  const inputs: Array<Value | null> = [b.in(x, perm), weight];
  if (spec.bias) inputs.push(b.in(spec.bias, [0]));
  const conv = b.node('Conv', inputs, {
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints(spec.strides),
    dilations: attr.ints(spec.dilations ?? [1, 1]),
    group: attr.int(spec.depthwise ? cin : 1),
    ...padAttrs(b, x, [kh, kw], spec),
  }, name);
  return activate(b, name, { kind: 'value', value: conv, perm }, spec.activation);
}

export interface PoolSpec extends Window {
  kernel: [number, number];
}

/** MaxPool / AvgPool. TensorFlow's average leaves padding out of the count, as ONNX's count_include_pad=0 does. */
export function pool(b: TfBuilder, name: string, op: 'MaxPool' | 'AveragePool', x: TfTensor, spec: PoolSpec): TfTensor {
  checkMap(x, name);
  const perm = layoutOf(spec);
  const value = b.node(op, [b.in(x, perm)], { kernel_shape: attr.ints(spec.kernel), strides: attr.ints(spec.strides), ...padAttrs(b, x, spec.kernel, spec) }, name);
  return { kind: 'value', value, perm };
}

/**
 * Where a transposed convolution's result sits in the full one (s * (in - 1)
 * + k rows along an axis): `begin` rows cut at the start, and `excess` the
 * full size minus the result's. A result longer than the full one (excess
 * below `begin`) is ONNX's output_padding, rows added at the end.
 */
export function transposedCrop(excess: number, begin: number): { pads: [number, number]; outputPadding: number } {
  const end = excess - begin;
  return end >= 0 ? { pads: [begin, end], outputPadding: 0 } : { pads: [begin, 0], outputPadding: -end };
}

export interface ConvTransposeSpec {
  /** tfjs filter [h, w, out, in]: the result's channels, then the input's (Conv2DBackpropInput's and Keras Conv2DTranspose's order). */
  filter: TfTensor;
  strides: [number, number];
  /** Per spatial axis (height, width), from transposedCrop. */
  crop: [ReturnType<typeof transposedCrop>, ReturnType<typeof transposedCrop>];
  channelsFirst?: boolean;
  bias?: TfTensor;
  activation?: Activation;
}

/**
 * Conv2DBackpropInput (tf.conv2dTranspose) as ONNX ConvTranspose with explicit
 * pads and output_padding: both compute y[i * s + t - begin] += x[i] * w[t],
 * and explicit numbers leave no runtime to choose where an odd pad goes (as
 * output_shape or auto_pad would).
 */
export function convTranspose(b: TfBuilder, name: string, x: TfTensor, spec: ConvTransposeSpec): TfTensor {
  checkMap(x, name);
  const fshape = spec.filter.kind === 'const' ? spec.filter.tensor.shape : b.shapeOf(spec.filter);
  if (!fshape || fshape.length !== 4 || !fshape.every((d): d is number => typeof d === 'number')) throw unsupported(`a ${name} filter of unknown shape`);
  const [kh, kw] = fshape as [number, number, number, number];
  const [h, w] = spec.crop;
  const perm = layoutOf(spec);
  // ONNX wants [in, out, kh, kw].
  const inputs: Array<Value | null> = [b.in(x, perm), b.in(spec.filter, [3, 2, 0, 1])];
  if (spec.bias) inputs.push(b.in(spec.bias, [0]));
  const value = b.node('ConvTranspose', inputs, {
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints(spec.strides),
    dilations: attr.ints([1, 1]),
    group: attr.int(1),
    pads: attr.ints([h.pads[0], w.pads[0], h.pads[1], w.pads[1]]),
    output_padding: attr.ints([h.outputPadding, w.outputPadding]),
  }, name);
  return activate(b, name, { kind: 'value', value, perm }, spec.activation);
}

export interface ResizeSpec {
  mode: 'linear' | 'nearest';
  alignCorners: boolean;
  halfPixelCenters: boolean;
  /** The output's [height, width] (tf's ResizeBilinear / ResizeNearestNeighbor), or */
  size?: [number, number];
  /** whole factors of the input's (Keras UpSampling2D). */
  scale?: [number, number];
  channelsFirst?: boolean;
}

/**
 * tf.image.resizeBilinear / resizeNearestNeighbor as ONNX Resize. tfjs maps an
 * output pixel r to r * in / out (align_corners: (in - 1) / (out - 1),
 * half_pixel_centers: (r + 0.5) * in / out, less 0.5 for bilinear), as ONNX's
 * asymmetric, align_corners and half_pixel do. Nearest takes the floor, which
 * is ONNX's floor for asymmetric; with half-pixel centers floor((r + 0.5) *
 * in / out) is round_prefer_ceil of ONNX's half_pixel coordinate, and with
 * align_corners tfjs rounds halves up, as round_prefer_ceil does.
 */
export function resize(b: TfBuilder, name: string, x: TfTensor, spec: ResizeSpec): TfTensor {
  checkMap(x, name);
  if (x.kind === 'const') throw unsupported(`${name}: resizing a constant`);
  const perm = layoutOf(spec);
  const coords = spec.alignCorners ? 'align_corners' : spec.halfPixelCenters ? 'half_pixel' : 'asymmetric';
  const attrs: Record<string, Attr> = { mode: attr.string(spec.mode), coordinate_transformation_mode: attr.string(coords) };
  if (spec.mode === 'nearest') attrs['nearest_mode'] = attr.string(coords === 'asymmetric' ? 'floor' : 'round_prefer_ceil');
  const stored = b.in(x, perm);
  let inputs: Array<Value | null>;
  if (spec.scale) {
    inputs = [stored, null, b.irConstant(`${name}/scales`, Tensor.from('float32', [4], [1, 1, ...spec.scale]))];
  } else {
    // Sizes, not scales: ONNX derives the ratio from them as tfjs does, and no float scale can round an output size.
    const [height, width] = spec.size!;
    const dims = b.shapeOf(x);
    const [n, c] = [dims?.[0], dims?.[spec.channelsFirst ? 1 : 3]];
    let sizes: Value;
    if (typeof n === 'number' && typeof c === 'number') sizes = b.int64s(`${name}/sizes`, [n, c, height, width]);
    else {
      // The batch is known only at run time: [N, C] from the input's shape, then the constant [height, width].
      const shape = b.node('Shape', [stored], {}, `${name}/shape`);
      const lead = b.node('Slice', [shape, b.int64s(`${name}/lead_start`, [0]), b.int64s(`${name}/lead_end`, [2])], {}, `${name}/lead`);
      sizes = b.node('Concat', [lead, b.int64s(`${name}/size`, [height, width])], { axis: attr.int(0) }, `${name}/sizes`);
    }
    inputs = [stored, null, null, sizes];
  }
  return { kind: 'value', value: b.node('Resize', inputs, attrs, name), perm };
}

export interface MatMulSpec {
  transposeA?: boolean;
  transposeB?: boolean;
  bias?: TfTensor;
  activation?: Activation;
}

/** MatMul (+ bias): Gemm for the usual 2-D dense layer, MatMul over the last axis otherwise. */
export function matMul(b: TfBuilder, name: string, a: TfTensor, w: TfTensor, spec: MatMulSpec = {}): TfTensor {
  const rank = rankOf(a);
  let out: Value;
  if (rank === 2 && rankOf(w) === 2 && (!spec.bias || rankOf(spec.bias) === 1)) {
    const inputs = [b.in(a, [0, 1]), b.in(w, [0, 1]), ...(spec.bias ? [b.in(spec.bias, [0])] : [])];
    out = b.node('Gemm', inputs, { transA: attr.int(spec.transposeA ? 1 : 0), transB: attr.int(spec.transposeB ? 1 : 0) }, name);
  } else {
    if (spec.transposeA || spec.transposeB) throw unsupported(`${name}: a transposed MatMul operand of rank ${rank}`);
    out = b.node('MatMul', [b.in(a, identity(rank)), b.in(w, identity(rankOf(w)))], {}, spec.bias ? `${name}/matmul` : name);
    if (spec.bias) out = b.node('Add', [out, b.in(spec.bias, identity(rank))], {}, name);
  }
  return activate(b, name, { kind: 'value', value: out, perm: identity(rank) }, spec.activation);
}

export interface BatchNormSpec {
  scale?: TfTensor;
  offset?: TfTensor;
  mean: TfTensor;
  variance: TfTensor;
  epsilon: number;
}

/** Batch normalization over the last (channel) axis, as ONNX BatchNormalization over axis 1. */
export function batchNorm(b: TfBuilder, name: string, x: TfTensor, spec: BatchNormSpec): TfTensor {
  const rank = rankOf(x);
  // The channel axis (tfjs's last) must sit at ONNX's axis 1.
  const perm = rank === 4 ? NHWC_AS_NCHW : [0, rank - 1, ...identity(rank).slice(1, rank - 1)];
  const channels = (spec.mean.kind === 'const' ? spec.mean.tensor.size : undefined) ?? 0;
  const filled = (t: TfTensor | undefined, v: number, what: string) => t ?? b.constant(`${name}/${what}`, Tensor.from('float32', [channels], new Float32Array(channels).fill(v)));
  const inputs = [x, filled(spec.scale, 1, 'gamma'), filled(spec.offset, 0, 'beta'), spec.mean, spec.variance].map((t, i) => (i === 0 ? b.in(t, perm) : b.in(t, [0])));
  const value = b.node('BatchNormalization', inputs, { epsilon: attr.float(spec.epsilon) }, name);
  return { kind: 'value', value, perm };
}

const UNARY: Partial<Record<Activation['kind'], string>> = {
  relu: 'Relu', elu: 'Elu', selu: 'Selu', sigmoid: 'Sigmoid', tanh: 'Tanh', softplus: 'Softplus', softsign: 'Softsign', exponential: 'Exp',
};

/** Applies a tfjs/Keras activation; a linear one adds nothing. */
export function activate(b: TfBuilder, name: string, x: TfTensor, act: Activation | undefined): TfTensor {
  if (!act || act.kind === 'linear') return x;
  if (act.kind === 'softmax') return softmax(b, `${name}/softmax`, x);
  if (x.kind === 'const') throw unsupported(`${name}: an activation of a constant`);
  const v = x.value;
  const out = (value: Value): TfTensor => ({ kind: 'value', value, perm: x.perm });
  const unary = UNARY[act.kind];
  const opName = `${name}/${act.kind}`;
  if (unary) return out(b.node(unary, [v], {}, opName));
  switch (act.kind) {
    case 'relu6':
      return out(b.node('Clip', [v, b.irConstant(`${name}/min`, Tensor.scalar('float32', 0)), b.irConstant(`${name}/max`, Tensor.scalar('float32', 6))], {}, opName));
    case 'leakyrelu':
      return out(b.node('LeakyRelu', [v], { alpha: attr.float(act.alpha) }, opName));
    case 'prelu':
      return out(b.node('PRelu', [v, b.in(act.alpha, x.perm)], {}, opName));
    case 'swish':
      return out(b.node('Mul', [v, b.node('Sigmoid', [v], {}, `${name}/sigmoid`)], {}, opName));
    case 'hard_sigmoid':
      // tfjs-layers' hard sigmoid: clip(0.2 x + 0.5, 0, 1).
      return out(b.node('HardSigmoid', [v], { alpha: attr.float(0.2), beta: attr.float(0.5) }, opName));
    default:
      throw unsupported(`the activation ${act.kind}`);
  }
}

/** Softmax over tfjs's last axis, wherever the IR stores it. */
export function softmax(b: TfBuilder, name: string, x: TfTensor): TfTensor {
  if (x.kind === 'const') throw unsupported(`${name}: softmax of a constant`);
  const axis = x.perm.indexOf(x.perm.length - 1);
  return { kind: 'value', value: b.node('Softmax', [x.value], { axis: attr.int(axis) }, name), perm: x.perm };
}
