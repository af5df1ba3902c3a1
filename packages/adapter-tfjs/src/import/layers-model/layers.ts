import { quoted } from '../check-json.js';
import { CondenseError, Tensor } from '@condense/core';
import { rankOf, unsupported, type TfBuilder, type TfTensor } from '../builder.js';
import { activate, batchNorm, conv2d, convTranspose, matMul, pool, resize, transposedCrop, type Activation, type Window } from '../ops-nn.js';
import { concat, elementwise, flatten, pad, reduce, reshape, transpose } from '../ops-tensor.js';

/** What a layer converter gets: the builder, the layer's name and config, its inputs, and its weights by Keras name. */
export interface LayerContext {
  b: TfBuilder;
  name: string;
  className: string;
  config: Record<string, unknown>;
  inputs: TfTensor[];
  weight(name: string): TfTensor;
  hasWeight(name: string): boolean;
}

type LayerConverter = (c: LayerContext) => TfTensor;

const num = (c: LayerContext, key: string, fallback: number): number => (typeof c.config[key] === 'number' ? (c.config[key] as number) : fallback);
const bool = (c: LayerContext, key: string, fallback: boolean): boolean => (typeof c.config[key] === 'boolean' ? (c.config[key] as boolean) : fallback);

/** A Keras size given as one number or a pair. */
function pair(c: LayerContext, key: string, fallback: [number, number]): [number, number] {
  const v = c.config[key];
  const sizes = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? v : v === undefined || v === null ? fallback : [];
  if (sizes.length !== 2 || !sizes.every((x) => Number.isSafeInteger(x) && x >= 1)) throw new CondenseError('E_MODEL_INVALID', `Layer ${quoted(c.name)} has ${key} ${quoted(JSON.stringify(v) ?? '')}, which is not one or two positive integers.`, { context: { node: c.name } });
  return sizes as [number, number];
}

/** A list of integers from a layer's config (target shapes, axis orders, paddings). */
function intList(c: LayerContext, key: string): number[] {
  const v = c.config[key];
  if (!Array.isArray(v) || !v.every((x) => Number.isSafeInteger(x))) throw new CondenseError('E_MODEL_INVALID', `Layer ${quoted(c.name)} has ${key} ${quoted(JSON.stringify(v) ?? '')}, which is not a list of integers.`, { context: { node: c.name } });
  return v as number[];
}

const input = (c: LayerContext): TfTensor => {
  if (c.inputs.length !== 1) throw unsupported(`${c.className} ${quoted(c.name)} with ${c.inputs.length} inputs`);
  return c.inputs[0]!;
};

/** Keras activation names (and tfjs-layers' serialized objects) as tfjs activations. */
export function parseActivation(spec: unknown, layer: string): Activation | undefined {
  const name = typeof spec === 'string' ? spec : (spec as { class_name?: string; config?: { name?: string } } | null)?.config?.name ?? (spec as { class_name?: string } | null)?.class_name;
  if (name === undefined || name === null) return undefined;
  const kind = String(name).replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  const known = ['linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'tanh', 'softplus', 'softsign', 'swish', 'hard_sigmoid', 'exponential', 'softmax'] as const;
  const found = known.find((k) => k === kind || (k === 'swish' && kind === 'silu'));
  if (!found) throw unsupported(`the activation ${quoted(name)} (layer ${quoted(layer)})`);
  return { kind: found };
}

function windowOf(c: LayerContext, strides: [number, number]): Window {
  const padding = String(c.config['padding'] ?? 'valid').toUpperCase();
  if (padding !== 'SAME' && padding !== 'VALID') throw unsupported(`${c.className} ${quoted(c.name)} with padding ${quoted(padding.toLowerCase())}`);
  return { strides, dilations: pair(c, 'dilation_rate', [1, 1]), padding, channelsFirst: c.config['data_format'] === 'channels_first' };
}

const bias = (c: LayerContext): TfTensor | undefined => (bool(c, 'use_bias', true) ? c.weight('bias') : undefined);

function convLayer(depthwise: boolean): LayerConverter {
  return (c) => conv2d(c.b, c.name, input(c), {
    ...windowOf(c, pair(c, 'strides', [1, 1])),
    filter: c.weight(depthwise ? 'depthwise_kernel' : 'kernel'),
    depthwise,
    bias: bias(c),
    activation: parseActivation(c.config['activation'], c.name),
  });
}

function poolLayer(op: 'MaxPool' | 'AveragePool'): LayerConverter {
  return (c) => {
    const kernel = pair(c, 'pool_size', [2, 2]);
    return pool(c.b, c.name, op, input(c), { ...windowOf(c, pair(c, 'strides', kernel)), kernel });
  };
}

function globalPoolLayer(op: 'ReduceMean' | 'ReduceMax'): LayerConverter {
  return (c) => {
    const x = input(c);
    const channelsFirst = c.config['data_format'] === 'channels_first';
    const axes = channelsFirst ? [2, 3] : [1, 2];
    return reduce(c.b, c.name, op, x, axes.slice(0, rankOf(x) - 2), bool(c, 'keepdims', false));
  };
}

function mergeLayer(op: string): LayerConverter {
  return (c) => elementwise(c.b, c.name, op, c.inputs);
}

const passThrough: LayerConverter = (c) => input(c);

/**
 * Keras Conv2DTranspose as tfjs-layers computes it: a result of in * s rows
 * (same) or in * s + max(k - s, 0) (valid), so where it sits in the full
 * transposed convolution depends on k and s alone, whatever the input's size.
 */
function convTransposeLayer(c: LayerContext): TfTensor {
  const w = windowOf(c, pair(c, 'strides', [1, 1]));
  if (w.dilations!.some((d) => d !== 1)) throw unsupported(`Conv2DTranspose ${quoted(c.name)} with dilation_rate ${w.dilations!.join('x')} (tfjs has none)`);
  const outputPadding = c.config['output_padding'];
  if (outputPadding !== undefined && outputPadding !== null) throw unsupported(`Conv2DTranspose ${quoted(c.name)} with output_padding (tfjs-layers has none)`);
  const kernel = c.weight('kernel');
  const [kh, kw] = kernel.kind === 'const' ? kernel.tensor.shape : [];
  const size = pair(c, 'kernel_size', [kh ?? 1, kw ?? 1]);
  if (kernel.kind !== 'const' || kernel.tensor.rank !== 4 || kh !== size[0] || kw !== size[1]) {
    throw new CondenseError('E_MODEL_INVALID', `Layer ${quoted(c.name)} has kernel_size ${quoted(size.join('x'))} but a kernel of shape ${quoted(kernel.kind === 'const' ? kernel.tensor.shape.join(',') : 'unknown')}.`, { context: { node: c.name } });
  }
  const crop = [0, 1].map((i) => {
    const [k, s] = [size[i]!, w.strides[i]!];
    // SAME: the forward convolution of the in * s result pads max(k - s, 0), the smaller half first.
    return w.padding === 'SAME' ? transposedCrop(k - s, Math.floor(Math.max(k - s, 0) / 2)) : transposedCrop(k - s - Math.max(k - s, 0), 0);
  }) as [ReturnType<typeof transposedCrop>, ReturnType<typeof transposedCrop>];
  return convTranspose(c.b, c.name, input(c), { filter: kernel, strides: w.strides, crop, channelsFirst: w.channelsFirst, bias: bias(c), activation: parseActivation(c.config['activation'], c.name) });
}

/** UpSampling2D: tfjs-layers resizes by whole factors with neither aligned corners nor half-pixel centers. */
function upSamplingLayer(c: LayerContext): TfTensor {
  const interpolation = c.config['interpolation'] ?? 'nearest';
  if (interpolation !== 'nearest' && interpolation !== 'bilinear') throw unsupported(`UpSampling2D ${quoted(c.name)} with interpolation ${quoted(String(interpolation))}`);
  return resize(c.b, c.name, input(c), { mode: interpolation === 'nearest' ? 'nearest' : 'linear', alignCorners: false, halfPixelCenters: false, scale: pair(c, 'size', [2, 2]), channelsFirst: c.config['data_format'] === 'channels_first' });
}

/** Keras layers (tfjs-layers and tf.keras class names) as IR. InputLayer is read by the importer itself. */
export const LAYERS: Record<string, LayerConverter> = {
  Conv2D: convLayer(false),
  Convolution2D: convLayer(false),
  Conv2DTranspose: convTransposeLayer,
  Convolution2DTranspose: convTransposeLayer,
  UpSampling2D: upSamplingLayer,
  DepthwiseConv2D: convLayer(true),
  SeparableConv2D: (c) => {
    const w = windowOf(c, pair(c, 'strides', [1, 1]));
    const depthwise = conv2d(c.b, `${c.name}/depthwise`, input(c), { ...w, filter: c.weight('depthwise_kernel'), depthwise: true });
    return conv2d(c.b, c.name, depthwise, { strides: [1, 1], padding: 'VALID', channelsFirst: w.channelsFirst, filter: c.weight('pointwise_kernel'), bias: bias(c), activation: parseActivation(c.config['activation'], c.name) });
  },
  Dense: (c) => matMul(c.b, c.name, input(c), c.weight('kernel'), { bias: bias(c), activation: parseActivation(c.config['activation'], c.name) }),
  BatchNormalization: (c) => {
    const x = input(c);
    const axis = num(c, 'axis', -1);
    const rank = rankOf(x);
    const last = axis === -1 || axis === rank - 1;
    // Keras BatchNormalization normalizes `axis`; the builder's runs over the last one, so a channels-first axis 1 is moved there and back.
    const moved = !last && axis === 1 && rank === 4 ? transpose(c.b, `${c.name}/nhwc`, x, [0, 2, 3, 1]) : x;
    if (!last && moved === x) throw unsupported(`BatchNormalization ${quoted(c.name)} over axis ${axis}`);
    const out = batchNorm(c.b, c.name, moved, {
      scale: bool(c, 'scale', true) ? c.weight('gamma') : undefined,
      offset: bool(c, 'center', true) ? c.weight('beta') : undefined,
      mean: c.weight('moving_mean'),
      variance: c.weight('moving_variance'),
      epsilon: num(c, 'epsilon', 1e-3),
    });
    return moved === x ? out : transpose(c.b, c.name, out, [0, 3, 1, 2]);
  },
  Activation: (c) => activate(c.b, c.name, input(c), parseActivation(c.config['activation'], c.name)),
  ReLU: (c) => {
    const max = c.config['max_value'];
    const slope = num(c, 'negative_slope', 0);
    if (num(c, 'threshold', 0) !== 0) throw unsupported(`ReLU ${quoted(c.name)} with a threshold`);
    if (slope !== 0 && (max === null || max === undefined)) return activate(c.b, c.name, input(c), { kind: 'leakyrelu', alpha: slope });
    if (slope !== 0) throw unsupported(`ReLU ${quoted(c.name)} with both a slope and a maximum`);
    if (max === null || max === undefined) return activate(c.b, c.name, input(c), { kind: 'relu' });
    if (max === 6) return activate(c.b, c.name, input(c), { kind: 'relu6' });
    const x = activate(c.b, `${c.name}/relu`, input(c), { kind: 'relu' });
    return elementwise(c.b, c.name, 'Min', [x, c.b.constant(`${c.name}/max`, Tensor.scalar('float32', Number(max)))]);
  },
  LeakyReLU: (c) => activate(c.b, c.name, input(c), { kind: 'leakyrelu', alpha: num(c, 'alpha', num(c, 'negative_slope', 0.3)) }),
  PReLU: (c) => activate(c.b, c.name, input(c), { kind: 'prelu', alpha: c.weight('alpha') }),
  ELU: (c) => {
    if (num(c, 'alpha', 1) !== 1) throw unsupported(`ELU ${quoted(c.name)} with alpha ${num(c, 'alpha', 1)}`);
    return activate(c.b, c.name, input(c), { kind: 'elu' });
  },
  Softmax: (c) => {
    const axis = num(c, 'axis', -1);
    if (axis !== -1 && axis !== rankOf(input(c)) - 1) throw unsupported(`Softmax ${quoted(c.name)} over axis ${axis}`);
    return activate(c.b, c.name, input(c), { kind: 'softmax' });
  },
  Add: mergeLayer('Add'),
  Subtract: mergeLayer('Sub'),
  Multiply: mergeLayer('Mul'),
  Maximum: mergeLayer('Max'),
  Minimum: mergeLayer('Min'),
  Average: (c) => {
    const sum = elementwise(c.b, `${c.name}/sum`, 'Sum', c.inputs);
    return elementwise(c.b, c.name, 'Mul', [sum, c.b.constant(`${c.name}/scale`, Tensor.scalar('float32', 1 / c.inputs.length))]);
  },
  Concatenate: (c) => concat(c.b, c.name, c.inputs, num(c, 'axis', -1)),
  GlobalAveragePooling2D: globalPoolLayer('ReduceMean'),
  GlobalMaxPooling2D: globalPoolLayer('ReduceMax'),
  GlobalAveragePooling1D: globalPoolLayer('ReduceMean'),
  GlobalMaxPooling1D: globalPoolLayer('ReduceMax'),
  MaxPooling2D: poolLayer('MaxPool'),
  MaxPool2D: poolLayer('MaxPool'),
  AveragePooling2D: poolLayer('AveragePool'),
  AvgPool2D: poolLayer('AveragePool'),
  Flatten: (c) => flatten(c.b, c.name, input(c)),
  Reshape: (c) => reshape(c.b, c.name, input(c), [-1, ...intList(c, 'target_shape')]),
  Permute: (c) => transpose(c.b, c.name, input(c), [0, ...intList(c, 'dims')]),
  ZeroPadding2D: (c) => {
    const p = c.config['padding'];
    if (!(typeof p === 'number' || (Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'number' || (Array.isArray(x) && x.length === 2))))) throw new CondenseError('E_MODEL_INVALID', `Layer ${quoted(c.name)} has padding ${quoted(JSON.stringify(p) ?? '')}, which is not one, two or two pairs of integers.`, { context: { node: c.name } });
    const [[t, bottom], [l, r]] = typeof p === 'number' ? [[p, p], [p, p]] : Array.isArray(p) && typeof p[0] === 'number' ? [[p[0], p[0]], [p[1], p[1]]] : (p as [[number, number], [number, number]]);
    if (![t, bottom, l, r].every((x) => Number.isSafeInteger(x))) throw new CondenseError('E_MODEL_INVALID', `Layer ${quoted(c.name)} has padding ${quoted(JSON.stringify(p) ?? '')}, which is not one, two or two pairs of integers.`, { context: { node: c.name } });
    const spatial = c.config['data_format'] === 'channels_first' ? [0, 0, 0, 0, t, bottom, l, r] : [0, 0, t, bottom, l, r, 0, 0];
    return pad(c.b, c.name, input(c), spatial, 'constant');
  },
  Rescaling: (c) => {
    const scaled = elementwise(c.b, `${c.name}/scale`, 'Mul', [input(c), c.b.constant(`${c.name}/scale`, Tensor.scalar('float32', num(c, 'scale', 1)))]);
    return elementwise(c.b, c.name, 'Add', [scaled, c.b.constant(`${c.name}/offset`, Tensor.scalar('float32', num(c, 'offset', 0)))]);
  },
  Dropout: passThrough,
  SpatialDropout2D: passThrough,
  GaussianNoise: passThrough,
  GaussianDropout: passThrough,
  AlphaDropout: passThrough,
};
