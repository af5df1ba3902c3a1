/**
 * Ops the two real models do not use, one small graph each: written to
 * OpenVINO IR, validated, read back, and run in onnxruntime-node next to the
 * graph condense started from.
 */
import { Tensor, type Model } from '@condense/core';
import { describe, expect, it } from 'vitest';
import { layerTypes, maxAbsDiff, noise, roundTrip, runOnnx } from './helpers/index.js';
import { attr, buildModel } from './helpers/graphs.js';

async function expectRoundTrip(model: Model, shape: number[], types: string[]): Promise<void> {
  const { ir, problems, back } = roundTrip(model);
  expect(problems.map((p) => p.message)).toEqual([]);
  const layers = layerTypes(ir.xml);
  for (const t of types) expect(layers[t], `${t} layer`).toBeGreaterThan(0);
  const feeds = { x: { data: noise(shape, 7), shape } };
  const [want] = await runOnnx(model, feeds);
  const [got] = await runOnnx(back, feeds);
  expect(maxAbsDiff(want!, got!)).toBeLessThanOrEqual(1e-5);
}

describe('op round trips', () => {
  it('ConvTranspose (grouped, strided, output padding) with bias', () =>
    expectRoundTrip(
      buildModel([1, 4, 5, 5], (b, x) =>
        b.op('ConvTranspose', [x, b.weights([4, 3, 3, 3]), b.weights([6])], { group: attr.int(2), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]), output_padding: attr.ints([1, 1]) }),
      ),
      [1, 4, 5, 5],
      ['GroupConvolutionBackpropData', 'Add'],
    ));

  it('ConvTranspose, a dilated Conv with uneven pads, a SAME_UPPER strided Conv', () =>
    expectRoundTrip(
      buildModel([1, 3, 9, 9], (b, x) => {
        const up = b.op('ConvTranspose', [x, b.weights([3, 4, 2, 2])], { strides: attr.ints([2, 2]) });
        const dilated = b.op('Conv', [up, b.weights([5, 4, 3, 3])], { dilations: attr.ints([2, 2]), strides: attr.ints([2, 1]), pads: attr.ints([1, 2, 2, 1]) });
        return b.op('Conv', [dilated, b.weights([2, 5, 3, 3])], { strides: attr.ints([2, 2]), auto_pad: attr.string('SAME_UPPER') });
      }),
      [1, 3, 9, 9],
      ['ConvolutionBackpropData', 'Convolution'],
    ));

  it('pooling: average with and without padding counted, max with ceil rounding, global max', () =>
    expectRoundTrip(
      buildModel([1, 3, 11, 11], (b, x) => {
        const avg = b.op('AveragePool', [x], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]), count_include_pad: attr.int(0) });
        const counted = b.op('AveragePool', [x], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]), count_include_pad: attr.int(1) });
        const max = b.op('MaxPool', [b.op('Add', [avg, counted])], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1) });
        return b.op('Add', [max, b.op('GlobalMaxPool', [max])]);
      }),
      [1, 3, 11, 11],
      ['AvgPool', 'MaxPool', 'ReduceMax'],
    ));

  it('activations: Sigmoid, Tanh, HardSwish, HardSigmoid, LeakyRelu, per-channel PRelu, Elu, Clip', () =>
    expectRoundTrip(
      buildModel([2, 4, 3, 3], (b, x) => {
        let y = b.op('Sigmoid', [x]);
        y = b.op('Add', [y, b.op('Tanh', [x])]);
        y = b.op('Add', [y, b.op('HardSwish', [x])]);
        y = b.op('Add', [y, b.op('HardSigmoid', [x], { alpha: attr.float(1 / 6), beta: attr.float(0.5) })]);
        y = b.op('Add', [y, b.op('HardSigmoid', [x], { alpha: attr.float(0.3), beta: attr.float(0.4) })]);
        y = b.op('Add', [y, b.op('LeakyRelu', [x], { alpha: attr.float(0.1) })]);
        y = b.op('Add', [y, b.op('PRelu', [x, b.weights([4, 1, 1])])]);
        y = b.op('Add', [y, b.op('Elu', [x], { alpha: attr.float(0.7) })]);
        return b.op('Clip', [y, b.floats([-0.5], []), b.floats([2], [])]);
      }),
      [2, 4, 3, 3],
      ['Sigmoid', 'Tanh', 'HSwish', 'HSigmoid', 'HardSigmoid', 'PReLU', 'Elu', 'Clamp'],
    ));

  it('elementwise with broadcasting: Sub, Div, Max, Min, Pow, Sqrt, Exp, Abs, Neg', () =>
    expectRoundTrip(
      buildModel([2, 3, 4], (b, x) => {
        let y = b.op('Sub', [x, b.weights([4])]);
        y = b.op('Div', [y, b.weights([3, 1], 1, 2)]);
        y = b.op('Max', [y, b.weights([1, 4])]);
        y = b.op('Min', [y, b.floats([0.8], [])]);
        y = b.op('Add', [b.op('Pow', [y, b.floats([2], [])]), b.op('Exp', [b.op('Neg', [b.op('Abs', [x])])])]);
        return b.op('Sqrt', [y]);
      }),
      [2, 3, 4],
      ['Subtract', 'Divide', 'Maximum', 'Minimum', 'Power', 'Sqrt', 'Exp', 'Abs', 'Negative'],
    ));

  it('Gemm with transA, alpha and beta; batched MatMul; Softmax', () =>
    expectRoundTrip(
      buildModel([6, 2], (b, x) => {
        const g = b.op('Gemm', [x, b.weights([6, 5]), b.weights([5])], { transA: attr.int(1), alpha: attr.float(0.5), beta: attr.float(2) });
        const m = b.op('MatMul', [b.op('Reshape', [g, b.ints([1, 2, 5])]), b.weights([5, 3])]);
        return b.op('Softmax', [m], { axis: attr.int(-1) });
      }),
      [6, 2],
      ['MatMul', 'Multiply', 'SoftMax'],
    ));

  it('shapes: Flatten(axis 2), Transpose, Concat, Squeeze, Unsqueeze, Gather, ReduceMean', () =>
    expectRoundTrip(
      buildModel([2, 3, 4, 5], (b, x) => {
        const f = b.op('Flatten', [x], { axis: attr.int(2) });
        const t = b.op('Transpose', [f], { perm: attr.ints([1, 0]) });
        const c = b.op('Concat', [t, t], { axis: attr.int(1) });
        const u = b.op('Unsqueeze', [c, b.ints([0])]);
        const s = b.op('Squeeze', [u, b.ints([0])]);
        const g = b.op('Gather', [s, b.tensor('int64', [2], [3, 0])], { axis: attr.int(1) });
        return b.op('ReduceMean', [g], { axes: attr.ints([0]), keepdims: attr.int(0) });
      }),
      [2, 3, 4, 5],
      ['Reshape', 'Transpose', 'Concat', 'Squeeze', 'Unsqueeze', 'Gather', 'ReduceMean'],
    ));

  it('Pad (constant and reflect), Resize (nearest by scales, linear by sizes), BatchNormalization', () =>
    expectRoundTrip(
      buildModel([1, 2, 4, 6], (b, x) => {
        const padded = b.op('Pad', [x, b.ints([0, 0, 1, 2, 0, 0, 1, 0]), b.floats([0.5], [])]);
        const reflected = b.op('Pad', [padded, b.ints([0, 0, 1, 1, 0, 0, 1, 1])], { mode: attr.string('reflect') });
        const near = b.op('Resize', [reflected, null, b.floats([1, 1, 2, 2])], { mode: attr.string('nearest') });
        const linear = b.op('Resize', [near, null, null, b.ints([1, 2, 10, 15])], { mode: attr.string('linear') });
        return b.op('BatchNormalization', [linear, b.weights([2]), b.weights([2]), b.weights([2]), b.weights([2], 0.5, 1.5)], { epsilon: attr.float(1e-3) });
      }),
      [1, 2, 4, 6],
      ['Pad', 'Interpolate', 'BatchNormInference'],
    ));

  it('fake quantization: int8 per tensor, uint8 per channel → FakeQuantize, read back as QuantizeLinear/DequantizeLinear', () =>
    expectRoundTrip(
      buildModel(
        [2, 3, 4, 4],
        (b, x) => {
          const signed = [b.floats([0.01], []), b.tensor('int8', [], [-3])] as const;
          const perTensor = b.op('DequantizeLinear', [b.op('QuantizeLinear', [x, ...signed]), ...signed]);
          const channel = [b.floats([0.004, 0.008, 0.02]), b.tensor('uint8', [3], [128, 100, 30])] as const;
          return b.op('DequantizeLinear', [b.op('QuantizeLinear', [b.op('Relu', [perTensor]), ...channel], { axis: attr.int(1) }), ...channel], { axis: attr.int(1) });
        },
        13,
      ),
      [2, 3, 4, 4],
      ['FakeQuantize'],
    ));

  it('blocked int4 weights (opset 21 DequantizeLinear block_size): [O, G, block] → Multiply → Reshape, read back blocked', async () => {
    const model = buildModel(
      [3, 16],
      (b, x) => {
        const q = b.graph.constant('w_quantized', Tensor.from('int4', [16, 4], Array.from({ length: 64 }, (_, i) => (i % 16) - 8)));
        const scale = b.graph.constant('w_scale', Tensor.from('float32', [2, 4], [0.1, 0.2, 0.3, 0.4, 0.05, 0.06, 0.07, 0.08]));
        const w = b.op('DequantizeLinear', [q, scale], { axis: attr.int(0), block_size: attr.int(8) });
        return b.op('MatMul', [x, w]);
      },
      21,
    );
    await expectRoundTrip(model, [3, 16], ['Multiply', 'Reshape', 'MatMul']);
    const { ir, back } = roundTrip(model);
    expect(ir.xml).toContain('element_type="i4" shape="2, 8, 4"');
    const dq = [...back.graph].find((n) => n.op === 'DequantizeLinear')!;
    expect(dq.attrs['block_size']).toEqual(attr.int(8));
  });
});
