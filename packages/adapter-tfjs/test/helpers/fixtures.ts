/** A hand-written tfjs GraphModel using the fused ops tfjs-converter emits, with uint8, uint16 and float16 weights. */
import { noise } from './data.js';
import { GraphDefWriter, attr } from './graph-def.js';

const ones = (n: number) => [1, 1, 1, 1].slice(0, n);
const stride = (s: number) => attr.ints([1, s, s, 1]);
const conv = (padding: string, s = 1) => ({ strides: stride(s), padding: attr.s(padding), dilations: attr.ints(ones(4)), data_format: attr.s('NHWC') });
const fused = (ops: string[], args: number) => ({ fused_ops: attr.strings(ops), num_args: attr.i(args) });

/** Integers q in [0, levels) whose dequantized values min + scale * q spread around zero. */
function quantized(count: number, levels: number, seed: number): { q: number[]; scale: number; min: number } {
  const q = Array.from(noise(count, seed), (v) => Math.floor(((v + 1) / 2) * levels));
  return { q, scale: 0.6 / levels, min: -0.3 };
}

export const FIXTURE_INPUT_SHAPE = [2, 10, 10, 3];

export function fusedGraphModel() {
  const g = new GraphDefWriter();
  const w = (name: string, shape: number[], seed: number, scale = 0.3) => g.weight(name, shape, Array.from(noise(shape.reduce((a, b) => a * b, 1), seed), (v) => v * scale));
  const x = g.placeholder('input', [-1, 10, 10, 3]);

  const w1 = quantized(3 * 3 * 3 * 8, 256, 1);
  g.weight('conv1/filter', [3, 3, 3, 8], w1.q, { kind: 'uint8', scale: w1.scale, min: w1.min });
  const c1 = g.op('_FusedConv2D', 'conv1', [x, 'conv1/filter', w('conv1/bias', [8], 2)], { ...conv('SAME'), ...fused(['BiasAdd', 'Relu'], 1) });

  g.weight('dw/filter', [3, 3, 8, 1], Array.from(noise(72, 3), (v) => v * 0.5), { kind: 'float16' });
  const c2 = g.op('FusedDepthwiseConv2dNative', 'dw', [c1, 'dw/filter', w('dw/bias', [8], 4)], { ...conv('SAME', 2), ...fused(['BiasAdd', 'Relu6'], 1) });

  const w3 = quantized(64, 65536, 5);
  g.weight('pointwise/filter', [1, 1, 8, 8], w3.q, { kind: 'uint16', scale: w3.scale, min: w3.min });
  const c3 = g.op('Conv2D', 'pointwise', [c2, 'pointwise/filter'], { ...conv('EXPLICIT'), explicit_paddings: attr.ints([0, 0, 1, 1, 1, 1, 0, 0]) });
  const c3b = g.op('BiasAdd', 'pointwise/bias_add', [c3, w('pointwise/bias', [8], 6)]);
  const c4 = g.op('_FusedConv2D', 'prelu_conv', [c3b, w('prelu_conv/filter', [3, 3, 8, 8], 7), w('prelu_conv/bias', [8], 8), w('prelu_conv/alpha', [8], 9)], { ...conv('VALID'), ...fused(['BiasAdd', 'Prelu'], 2) });
  const variance = g.weight('bn/variance', [8], Array.from(noise(8, 10), (v) => 0.5 + Math.abs(v)));
  const bn = g.op('FusedBatchNormV3', 'bn', [c4, w('bn/scale', [8], 11, 1), w('bn/offset', [8], 12), w('bn/mean', [8], 13), variance], { epsilon: attr.f(0.001), data_format: attr.s('NHWC'), is_training: attr.b(false) });
  const lr = g.op('_FusedConv2D', 'leaky_conv', [bn, w('leaky_conv/filter', [3, 3, 8, 8], 14), w('leaky_conv/bias', [8], 15)], { ...conv('SAME'), ...fused(['BiasAdd', 'LeakyRelu'], 1), leakyrelu_alpha: attr.f(0.1) });
  const sum = g.op('AddV2', 'residual', [bn, lr]);

  const mp = g.op('MaxPool', 'max_pool', [sum], { ksize: attr.ints([1, 3, 3, 1]), strides: stride(2), padding: attr.s('SAME'), data_format: attr.s('NHWC') });
  const paddings = g.weight('pad/paddings', [4, 2], [0, 0, 1, 0, 0, 1, 0, 0], { kind: 'int32' });
  const padded = g.op('Pad', 'pad', [sum, paddings]);
  const ap = g.op('AvgPool', 'avg_pool', [padded], { ksize: attr.ints([1, 2, 2, 1]), strides: stride(2), padding: attr.s('VALID'), data_format: attr.s('NHWC') });
  const cat = g.op('ConcatV2', 'concat', [mp, ap, g.weight('concat/axis', [], [-1], { kind: 'int32' })], { N: attr.i(2) });
  const scaled = g.op('Mul', 'scale', [cat, g.weight('scale/factor', [], [0.5])]);
  const mean = g.op('Mean', 'mean', [scaled, g.weight('mean/axes', [2], [1, 2], { kind: 'int32' })], { keep_dims: attr.b(false) });

  g.weight('dense1/kernel', [16, 10], Array.from(noise(160, 16), (v) => v * 0.4), { kind: 'float16' });
  const d1 = g.op('_FusedMatMul', 'dense1', [mean, 'dense1/kernel', w('dense1/bias', [10], 17)], { ...fused(['BiasAdd', 'Relu'], 1), transpose_a: attr.b(false), transpose_b: attr.b(false) });
  const d2 = g.op('MatMul', 'dense2', [d1, w('dense2/kernel', [10, 5], 18)], { transpose_a: attr.b(false), transpose_b: attr.b(false) });
  const d2b = g.op('BiasAdd', 'dense2/bias_add', [d2, w('dense2/bias', [5], 19)]);
  // Flattening an NHWC map: the IR must keep tfjs's element order.
  const flat = g.op('Reshape', 'flatten', [mp, g.weight('flatten/shape', [2], [-1, 72], { kind: 'int32' })]);
  const side = g.op('MatMul', 'side', [flat, w('side/kernel', [72, 5], 20, 0.1)], { transpose_a: attr.b(false), transpose_b: attr.b(false) });
  const logits = g.op('AddV2', 'logits', [d2b, side]);
  const probs = g.op('Softmax', 'probs', [logits]);
  g.op('Identity', 'Identity', [probs]);
  return g.build();
}

/** Keras's Flatten as tfjs-converter writes it for a dynamic batch: Reshape(x, Pack(StridedSlice(Shape(x)), -1)). */
export function dynamicFlattenGraphModel() {
  const g = new GraphDefWriter();
  const x = g.placeholder('input', [-1, 6, 6, 2]);
  const conv1 = g.op('_FusedConv2D', 'conv', [x, g.weight('conv/filter', [3, 3, 2, 3], noise(54, 31)), g.weight('conv/bias', [3], noise(3, 32))], { ...conv('VALID'), ...fused(['BiasAdd', 'Relu'], 1) });
  const shape = g.op('Shape', 'flatten/Shape', [conv1], { out_type: attr.type('DT_INT32') });
  const vector = (name: string, v: number[]) => g.weight(name, [v.length], v, { kind: 'int32' });
  const batch = g.op('StridedSlice', 'flatten/strided_slice', [shape, vector('flatten/begin', [0]), vector('flatten/end', [1]), vector('flatten/strides', [1])], { shrink_axis_mask: attr.i(1), begin_mask: attr.i(0), end_mask: attr.i(0) });
  const target = g.op('Pack', 'flatten/Reshape/shape', [batch, g.weight('flatten/rest', [], [-1], { kind: 'int32' })], { axis: attr.i(0), N: attr.i(2) });
  const flat = g.op('Reshape', 'flatten/Reshape', [conv1, target]);
  const dense = g.op('_FusedMatMul', 'dense', [flat, g.weight('dense/kernel', [48, 4], noise(192, 33)), g.weight('dense/bias', [4], noise(4, 34))], { ...fused(['BiasAdd'], 1), transpose_a: attr.b(false), transpose_b: attr.b(false) });
  g.op('Identity', 'Identity', [dense]);
  return g.build();
}
