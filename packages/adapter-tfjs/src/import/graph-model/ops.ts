import { quoted } from '../check-json.js';
import { CondenseError, Tensor, type Dim } from '@condense/core';
import { rankOf, unsupported, type TfBuilder, type TfTensor } from '../builder.js';
import { activate, batchNorm, conv2d, convTranspose, matMul, pool, resize, softmax, transposedCrop, type Activation, type Padding, type Window } from '../ops-nn.js';
import { samePads } from '../../padding.js';
import { cast, concat, elementwise, expandDims, gather, pad, reduce, reshape, resolveShape, squeeze, transpose } from '../ops-tensor.js';
import type { Attrs } from './attrs.js';

/** What a converter gets: the builder, the node's name, its data inputs and its attributes. */
export interface OpContext {
  b: TfBuilder;
  name: string;
  op: string;
  inputs: TfTensor[];
  attrs: Attrs;
}

type Converter = (c: OpContext) => TfTensor;

const input = (c: OpContext, i: number): TfTensor => {
  const t = c.inputs[i];
  if (!t) throw unsupported(`${c.op} ${quoted(c.name)} without its input ${i}`);
  return t;
};

/** strides, dilations or ksize: one positive integer per NHWC (or NCHW) axis. */
function fourInts(c: OpContext, name: string): number[] {
  const v = c.attrs.ints(name, [1, 1, 1, 1]);
  if (v.length !== 4 || v.some((x) => x < 1)) throw new CondenseError('E_MODEL_INVALID', `${c.op} ${quoted(c.name)} has ${name} ${quoted(v.join(','))}; it needs four positive integers.`, { context: { node: c.name } });
  return v;
}

function windowOf(c: OpContext): Window {
  const channelsFirst = c.attrs.string('data_format', 'NHWC') === 'NCHW';
  const [h, w] = channelsFirst ? [2, 3] : [1, 2];
  const strides = fourInts(c, 'strides');
  const dilations = fourInts(c, 'dilations');
  const mode = c.attrs.string('padding', 'VALID').toUpperCase();
  let padding: Padding;
  if (mode === 'EXPLICIT') {
    const e = c.attrs.ints('explicit_paddings');
    if (e.length !== 8) throw new CondenseError('E_MODEL_INVALID', `${c.op} ${quoted(c.name)} has EXPLICIT padding with ${e.length} explicit_paddings; it needs 8.`, { context: { node: c.name } });
    padding = { explicit: [[e[2 * h]!, e[2 * h + 1]!], [e[2 * w]!, e[2 * w + 1]!]] };
  } else if (mode === 'SAME' || mode === 'VALID') padding = mode;
  else throw unsupported(`${c.op} ${quoted(c.name)} with padding ${mode}`);
  return { strides: [strides[h]!, strides[w]!], dilations: [dilations[h]!, dilations[w]!], padding, channelsFirst };
}

/** The extra arguments and activation of tfjs's fused ops (fused_ops = [BiasAdd?, activation?], args = [bias?, prelu alpha?]). */
function fused(c: OpContext): { bias?: TfTensor; activation?: Activation } {
  const ops = c.attrs.strings('fused_ops').map((s) => s.toLowerCase());
  const args = c.inputs.slice(2);
  let next = 0;
  let bias: TfTensor | undefined;
  if (ops[0] === 'biasadd') bias = args[next++];
  else if (ops[0] === 'fusedbatchnorm') throw unsupported(`${c.op} ${quoted(c.name)} with a fused FusedBatchNorm (tfjs rejects it too)`);
  const kind = ops[ops[0] === 'biasadd' ? 1 : 0];
  let activation: Activation | undefined;
  if (kind === 'prelu') activation = { kind: 'prelu', alpha: args[next++]! };
  else if (kind === 'leakyrelu') activation = { kind: 'leakyrelu', alpha: c.attrs.float('leakyrelu_alpha', 0.2) };
  else if (kind === 'relu' || kind === 'relu6' || kind === 'elu' || kind === 'sigmoid' || kind === 'tanh') activation = { kind };
  else if (kind !== undefined) throw unsupported(`${c.op} ${quoted(c.name)} fusing ${kind}`);
  return { bias, activation };
}

const convolution = (depthwise: boolean, fusedOps: boolean): Converter => (c) =>
  conv2d(c.b, c.name, input(c, 0), { ...windowOf(c), filter: input(c, 1), depthwise, ...(fusedOps ? fused(c) : {}) });

const poolOp = (op: 'MaxPool' | 'AveragePool'): Converter => (c) => {
  const w = windowOf(c);
  const k = fourInts(c, 'ksize');
  const [h, wi] = w.channelsFirst ? [2, 3] : [1, 2];
  return pool(c.b, c.name, op, input(c, 0), { ...w, kernel: [k[h]!, k[wi]!] });
};

const binary = (op: string): Converter => (c) => elementwise(c.b, c.name, op, [input(c, 0), input(c, 1)]);
const unary = (op: string): Converter => (c) => elementwise(c.b, c.name, op, [input(c, 0)]);
const act = (kind: 'relu' | 'relu6' | 'elu' | 'selu' | 'sigmoid' | 'tanh' | 'softplus'): Converter => (c) => activate(c.b, c.name, input(c, 0), { kind });

const reduction = (op: 'ReduceMean' | 'ReduceMax' | 'ReduceMin' | 'ReduceSum' | 'ReduceProd'): Converter => (c) =>
  reduce(c.b, c.name, op, input(c, 0), c.b.numbers(input(c, 1), 'reduction axes'), c.attrs.bool('keep_dims'));

function matMulOp(adjoint: boolean, fusedOps: boolean): Converter {
  return (c) => matMul(c.b, c.name, input(c, 0), input(c, 1), {
    transposeA: c.attrs.bool(adjoint ? 'adj_x' : 'transpose_a'),
    transposeB: c.attrs.bool(adjoint ? 'adj_y' : 'transpose_b'),
    ...(fusedOps ? fused(c) : {}),
  });
}

/** tfjs GraphModel ops (TensorFlow op names) as IR. Placeholder and Const are read by the importer itself. */
export const GRAPH_OPS: Record<string, Converter> = {
  Identity: (c) => input(c, 0),
  StopGradient: (c) => input(c, 0),
  Snapshot: (c) => input(c, 0),
  Conv2D: convolution(false, false),
  _FusedConv2D: convolution(false, true),
  DepthwiseConv2dNative: convolution(true, false),
  DepthwiseConv2d: convolution(true, false),
  FusedDepthwiseConv2dNative: convolution(true, true),
  MatMul: matMulOp(false, false),
  _FusedMatMul: matMulOp(false, true),
  BatchMatMul: matMulOp(true, false),
  BatchMatMulV2: matMulOp(true, false),
  BiasAdd: (c) => {
    const bias = input(c, 1);
    if (c.attrs.string('data_format', 'NHWC') !== 'NCHW') return elementwise(c.b, c.name, 'Add', [input(c, 0), bias]);
    // NCHW: the bias runs along axis 1, so it needs trailing axes to broadcast.
    const rank = rankOf(input(c, 0));
    return elementwise(c.b, c.name, 'Add', [input(c, 0), reshape(c.b, `${c.name}/bias`, bias, [-1, ...new Array<number>(rank - 2).fill(1)])]);
  },
  Add: binary('Add'),
  AddV2: binary('Add'),
  AddN: (c) => elementwise(c.b, c.name, 'Sum', c.inputs),
  Sub: binary('Sub'),
  Mul: binary('Mul'),
  RealDiv: binary('Div'),
  Div: binary('Div'),
  Maximum: binary('Max'),
  Minimum: binary('Min'),
  Pow: binary('Pow'),
  SquaredDifference: (c) => {
    const d = elementwise(c.b, `${c.name}/difference`, 'Sub', [input(c, 0), input(c, 1)]);
    return elementwise(c.b, c.name, 'Mul', [d, d]);
  },
  Greater: binary('Greater'),
  GreaterEqual: binary('GreaterOrEqual'),
  Less: binary('Less'),
  LessEqual: binary('LessOrEqual'),
  Equal: binary('Equal'),
  LogicalAnd: binary('And'),
  LogicalOr: binary('Or'),
  LogicalNot: unary('Not'),
  Select: (c) => elementwise(c.b, c.name, 'Where', [input(c, 0), input(c, 1), input(c, 2)]),
  SelectV2: (c) => elementwise(c.b, c.name, 'Where', [input(c, 0), input(c, 1), input(c, 2)]),
  Relu: act('relu'),
  Relu6: act('relu6'),
  Elu: act('elu'),
  Selu: act('selu'),
  Sigmoid: act('sigmoid'),
  Tanh: act('tanh'),
  Softplus: act('softplus'),
  LeakyRelu: (c) => activate(c.b, c.name, input(c, 0), { kind: 'leakyrelu', alpha: c.attrs.float('alpha', 0.2) }),
  Prelu: (c) => activate(c.b, c.name, input(c, 0), { kind: 'prelu', alpha: input(c, 1) }),
  ClipByValue: clip,
  Exp: unary('Exp'),
  Log: unary('Log'),
  Sqrt: unary('Sqrt'),
  Rsqrt: (c) => elementwise(c.b, c.name, 'Reciprocal', [elementwise(c.b, `${c.name}/sqrt`, 'Sqrt', [input(c, 0)])]),
  Square: (c) => elementwise(c.b, c.name, 'Mul', [input(c, 0), input(c, 0)]),
  Neg: unary('Neg'),
  Abs: unary('Abs'),
  Floor: unary('Floor'),
  Ceil: unary('Ceil'),
  Round: unary('Round'),
  Reciprocal: unary('Reciprocal'),
  Sign: unary('Sign'),
  Erf: unary('Erf'),
  MaxPool: poolOp('MaxPool'),
  AvgPool: poolOp('AveragePool'),
  Mean: reduction('ReduceMean'),
  Max: reduction('ReduceMax'),
  Min: reduction('ReduceMin'),
  Sum: reduction('ReduceSum'),
  Prod: reduction('ReduceProd'),
  Reshape: (c) => {
    const shape = input(c, 1);
    const target = shape.kind === 'const' && shape.dims ? resolveShape(shape.dims, c.b.shapeOf(input(c, 0)), c.name) : c.b.numbers(shape, 'Reshape shapes');
    return reshape(c.b, c.name, input(c, 0), target);
  },
  Shape: (c) => {
    const dims = c.b.shapeOf(input(c, 0));
    if (!dims) throw unsupported(`Shape ${quoted(c.name)} of a tensor of unknown rank`);
    return shapeConstant(c.name, dims);
  },
  StridedSlice: stridedSlice,
  Pack: pack,
  Squeeze: (c) => squeeze(c.b, c.name, input(c, 0), c.attrs.has('squeeze_dims') ? c.attrs.ints('squeeze_dims') : c.attrs.ints('axis')),
  ExpandDims: (c) => expandDims(c.b, c.name, input(c, 0), c.b.numbers(input(c, 1), 'ExpandDims axes')[0]!),
  ConcatV2: (c) => concat(c.b, c.name, c.inputs.slice(0, -1), c.b.numbers(c.inputs[c.inputs.length - 1]!, 'ConcatV2 axes')[0]!),
  Pad: (c) => pad(c.b, c.name, input(c, 0), c.b.numbers(input(c, 1), 'paddings'), 'constant'),
  PadV2: (c) => pad(c.b, c.name, input(c, 0), c.b.numbers(input(c, 1), 'paddings'), 'constant', c.b.numbers(input(c, 2), 'pad values')[0]),
  MirrorPad: (c) => pad(c.b, c.name, input(c, 0), c.b.numbers(input(c, 1), 'paddings'), c.attrs.string('mode').toLowerCase() === 'reflect' ? 'reflect' : 'symmetric'),
  GatherV2: (c) => {
    if (c.attrs.int('batch_dims', 0) !== 0) throw unsupported(`GatherV2 ${quoted(c.name)} with batch_dims`);
    return gather(c.b, c.name, input(c, 0), input(c, 1), c.b.numbers(input(c, 2), 'GatherV2 axes')[0]!);
  },
  Transpose: (c) => transpose(c.b, c.name, input(c, 0), c.b.numbers(input(c, 1), 'Transpose perms')),
  Cast: (c) => cast(c.b, c.name, input(c, 0), c.attrs.dtype('DstT')),
  Softmax: (c) => softmax(c.b, c.name, input(c, 0)),
  FusedBatchNorm: batchNormOp,
  FusedBatchNormV2: batchNormOp,
  FusedBatchNormV3: batchNormOp,
  Conv2DBackpropInput: convBackpropInput,
  Conv2dTranspose: convBackpropInput,
  ResizeBilinear: resizeOp('linear'),
  ResizeNearestNeighbor: resizeOp('nearest'),
};

const invalid = (c: OpContext, why: string) => new CondenseError('E_MODEL_INVALID', `${c.op} ${quoted(c.name)} ${why}.`, { context: { node: c.name } });

/**
 * Conv2DBackpropInput (inputs: the result's size, filter, input) as a
 * transposed convolution. The result's size and the padding say where the
 * forward convolution's windows sat; the input must be that convolution's
 * output size, as tfjs reads it by that geometry without checking.
 */
function convBackpropInput(c: OpContext): TfTensor {
  const w = windowOf(c);
  // tfjs ignores data_format and dilations here: it computes NHWC, undilated.
  if (w.channelsFirst) throw unsupported(`${c.op} ${quoted(c.name)} in NCHW (tfjs computes it NHWC)`);
  if (w.dilations!.some((d) => d !== 1)) throw unsupported(`${c.op} ${quoted(c.name)} with dilations (tfjs has none)`);
  const [sizes, filter, x] = [input(c, 0), input(c, 1), input(c, 2)];
  if (sizes.kind !== 'const') throw unsupported(`${c.op} ${quoted(c.name)} with input_sizes computed at run time`);
  // input_sizes often comes from Pack(batch, h, w, c) with the batch a symbol: only the other three are needed.
  const target: Dim[] = sizes.dims ?? sizes.tensor.toNumbers();
  const [height, width, channels] = [target[1], target[2], target[3]];
  const isSize = (d: Dim | undefined): d is number => typeof d === 'number' && Number.isSafeInteger(d) && d >= 1;
  if (target.length !== 4 || !isSize(height) || !isSize(width) || !isSize(channels)) throw invalid(c, `has input_sizes ${quoted(target.join(','))}, which are not four sizes (NHWC)`);
  const fshape = c.b.shapeOf(filter);
  if (!fshape || fshape.length !== 4 || !fshape.every(isSize)) throw invalid(c, `has a filter of shape ${quoted(fshape?.join(',') ?? 'unknown')}, which is not four sizes`);
  const [kh, kw, out, inChannels] = fshape as number[];
  if (out !== channels) throw invalid(c, `has input_sizes with ${channels} channels but a filter for ${out}`);
  const xshape = c.b.shapeOf(x);
  if (xshape && xshape.length === 4 && typeof xshape[3] === 'number' && xshape[3] !== inChannels) throw invalid(c, `reads an input of ${xshape[3]} channels with a filter for ${inChannels}`);
  const crop = [0, 1].map((i) => {
    const [size, k, s] = [[height, width][i]!, [kh, kw][i]!, w.strides[i]!];
    let begin: number;
    let expected: number;
    if (w.padding === 'SAME') {
      begin = samePads(size, k, s, 1)[0];
      expected = Math.ceil(size / s);
    } else {
      const [pb, pe] = w.padding === 'VALID' ? [0, 0] : w.padding.explicit[i]!;
      if (pb < 0 || pe < 0) throw invalid(c, `has negative explicit_paddings ${quoted(`${pb},${pe}`)}`);
      if (size + pb + pe < k) throw invalid(c, `has input_sizes ${quoted(target.join(','))} smaller than its ${k}-wide filter`);
      begin = pb;
      expected = Math.floor((size + pb + pe - k) / s) + 1;
    }
    const actual = xshape?.length === 4 ? xshape[1 + i] : undefined;
    if (typeof actual === 'number' && actual !== expected) {
      throw invalid(c, `has input_sizes ${quoted(target.join(','))} that do not match its input: a ${size}-long axis convolved by ${k} with stride ${s} has ${expected} positions, not ${actual}`);
    }
    return transposedCrop(s * (expected - 1) + k - size, begin);
  }) as [ReturnType<typeof transposedCrop>, ReturnType<typeof transposedCrop>];
  return convTranspose(c.b, c.name, x, { filter, strides: w.strides, crop });
}

/** ResizeBilinear / ResizeNearestNeighbor (inputs: images, [height, width]). */
function resizeOp(mode: 'linear' | 'nearest'): Converter {
  return (c) => {
    const alignCorners = c.attrs.bool('align_corners');
    const halfPixelCenters = c.attrs.bool('half_pixel_centers');
    if (alignCorners && halfPixelCenters) throw invalid(c, 'sets both align_corners and half_pixel_centers, which tfjs refuses');
    const size = c.b.numbers(input(c, 1), `${c.op} sizes`);
    if (size.length !== 2 || !size.every((d) => Number.isSafeInteger(d) && d >= 1)) throw invalid(c, `resizes to ${quoted(size.join(','))}, which is not a height and a width`);
    return resize(c.b, c.name, input(c, 0), { mode, alignCorners, halfPixelCenters, size: size as [number, number] });
  };
}

function batchNormOp(c: OpContext): TfTensor {
  if (c.attrs.bool('is_training')) throw unsupported(`${c.op} ${quoted(c.name)} in training mode`);
  let x = input(c, 0);
  if (c.attrs.string('data_format', 'NHWC') === 'NCHW') x = transpose(c.b, `${c.name}/nhwc`, x, [0, 2, 3, 1]);
  const out = batchNorm(c.b, c.name, x, { scale: input(c, 1), offset: input(c, 2), mean: input(c, 3), variance: input(c, 4), epsilon: c.attrs.float('epsilon', 1e-3) });
  return c.attrs.string('data_format', 'NHWC') === 'NCHW' ? transpose(c.b, c.name, out, [0, 3, 1, 2]) : out;
}

/** ClipByValue with constant bounds: Relu6 when they are 0 and 6, as tfjs graphs from Keras often spell it. */
function clip(c: OpContext): TfTensor {
  const [lo] = c.b.numbers(input(c, 1), 'ClipByValue bounds');
  const [hi] = c.b.numbers(input(c, 2), 'ClipByValue bounds');
  if (lo === 0 && hi === 6) return activate(c.b, c.name, input(c, 0), { kind: 'relu6' });
  const x = input(c, 0);
  if (x.kind === 'const') throw unsupported(`${c.name}: ClipByValue of a constant`);
  // ONNX Clip takes scalar bounds, so they do not go through broadcasting.
  const bound = (name: string, v: number) => c.b.irConstant(`${c.name}/${name}`, Tensor.scalar('float32', v));
  return { kind: 'value', value: c.b.node('Clip', [x.value, bound('min', lo!), bound('max', hi!)], {}, c.name), perm: x.perm };
}

/** A shape as a constant: its dimensions, symbols kept aside (and -1 in the data) for Reshape. */
function shapeConstant(name: string, dims: Dim[]): TfTensor {
  return { kind: 'const', name, tensor: Tensor.from('int32', [dims.length], dims.map((d) => (typeof d === 'number' ? d : -1))), dims };
}

/** StridedSlice of a constant vector (shape arithmetic, as converted Keras models do it). */
function stridedSlice(c: OpContext): TfTensor {
  const x = input(c, 0);
  if (x.kind !== 'const' || x.tensor.rank !== 1) throw unsupported(`StridedSlice ${quoted(c.name)} of anything but a constant vector`);
  if (c.attrs.int('ellipsis_mask') || c.attrs.int('new_axis_mask')) throw unsupported(`StridedSlice ${quoted(c.name)} with ellipsis or new axes`);
  const [begin] = c.b.numbers(input(c, 1), 'StridedSlice bounds');
  const [end] = c.b.numbers(input(c, 2), 'StridedSlice bounds');
  const [step] = c.b.numbers(input(c, 3), 'StridedSlice strides');
  const size = x.tensor.size;
  const at = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const dims: Dim[] = x.dims ?? x.tensor.toNumbers();
  const from = c.attrs.int('begin_mask') & 1 ? 0 : at(begin!);
  if (c.attrs.int('shrink_axis_mask') & 1) return { kind: 'const', name: c.name, tensor: Tensor.from('int32', [], [x.tensor.toNumbers()[from]!]), dims: [dims[from]!] };
  if (step !== 1) throw unsupported(`StridedSlice ${quoted(c.name)} with a step of ${step}`);
  const to = c.attrs.int('end_mask') & 1 ? size : at(end!);
  return shapeConstant(c.name, dims.slice(from, to));
}

/** Pack (tf.stack): constants (shape pieces) at axis 0 stay constant; tensors are stacked in the graph. */
function pack(c: OpContext): TfTensor {
  const axis = c.attrs.int('axis', 0);
  if (axis === 0 && c.inputs.every((t) => t.kind === 'const' && t.tensor.rank === 0)) {
    return shapeConstant(c.name, c.inputs.flatMap((t) => (t.kind === 'const' ? (t.dims ?? t.tensor.toNumbers()) : [])));
  }
  return concat(c.b, c.name, c.inputs.map((t, i) => expandDims(c.b, `${c.name}/${i}`, t, axis)), axis);
}
