import { describe, expect, it } from 'vitest';
import { Graph, Tensor, attr, costModel, inferShapes, type LayerCost } from '../src/index.js';

const floats = (g: Graph, name: string, shape: number[]) => g.constant(name, Tensor.from('float32', shape, new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.5)));

/**
 * x [N,3,8,8] -> Conv 3x3 (8 filters, bias, pad 1) -> y1 -> Relu -> y2 -> Add(y1, y2) -> MaxPool 2x2/2
 * -> Flatten [N,128] -> Gemm (weights decoded by DequantizeLinear from int8, bias) -> [N,10].
 */
function residualNet(): Graph {
  const g = new Graph({ opset: { '': 17 } });
  const x = g.input('x', { dtype: 'float32', shape: ['N', 3, 8, 8] });
  const y1 = g.add('Conv', [x, floats(g, 'w1', [8, 3, 3, 3]), floats(g, 'b1', [8])], { pads: attr.ints([1, 1, 1, 1]) }, { name: 'conv' }).output;
  const y2 = g.add('Relu', [y1], {}, { name: 'relu' }).output;
  const sum = g.add('Add', [y1, y2], {}, { name: 'add' }).output;
  const pooled = g.add('MaxPool', [sum], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, { name: 'pool' }).output;
  const flat = g.add('Flatten', [pooled], {}, { name: 'flatten' }).output;
  const q = g.constant('wq', Tensor.from('int8', [128, 10], new Int8Array(1280).fill(3)));
  const weight = g.add('DequantizeLinear', [q, g.constant('scale', Tensor.scalar('float32', 0.1)), g.constant('zp', Tensor.scalar('int8', 0))], {}, { name: 'decode' }).output;
  g.outputs = [g.add('Gemm', [flat, weight, floats(g, 'b2', [10])], {}, { name: 'gemm' }).output];
  inferShapes(g);
  return g;
}

const byName = (layers: LayerCost[]) => Object.fromEntries(layers.map((l) => [l.node, l]));

describe('costModel', () => {
  it('counts parameters, MACs, FLOPs and output bytes per layer and in total, per sample', () => {
    const cost = costModel(residualNet());
    const layers = byName(cost.layers);
    // 8 x 8x8 outputs, each a 3x3x3 dot product; 216 weights and 8 biases; 8x8x8 float32 outputs.
    expect(layers['conv']).toEqual({ node: 'conv', op: 'Conv', parameters: 224, parameterBytes: 896, macs: 13824, flops: 27648, activationBytes: 2048, loadTime: false });
    expect(layers['relu']).toMatchObject({ parameters: 0, macs: 0, flops: 512, activationBytes: 2048 });
    expect(layers['add']).toMatchObject({ flops: 512, activationBytes: 2048 });
    // 8x4x4 outputs, each the max of a 2x2 window.
    expect(layers['pool']).toMatchObject({ flops: 128 * 4, activationBytes: 512 });
    expect(layers['flatten']).toMatchObject({ flops: 0, activationBytes: 512 });
    // The decoder reads only constants: computed at load, free per inference; its int8 weights, scale and zero point still count.
    expect(layers['decode']).toEqual({ node: 'decode', op: 'DequantizeLinear', parameters: 1282, parameterBytes: 1285, macs: 0, flops: 0, activationBytes: 0, loadTime: true });
    expect(layers['gemm']).toMatchObject({ parameters: 10, parameterBytes: 40, macs: 1280, flops: 2560, activationBytes: 40 });
    expect(cost.total).toEqual({
      parameters: 224 + 1282 + 10,
      parameterBytes: 896 + 1285 + 40,
      macs: 13824 + 1280,
      flops: 27648 + 512 + 512 + 512 + 2560,
      activationBytes: 3 * 2048 + 512 + 512 + 40,
    });
    expect(cost.unknown).toEqual([]);
    expect(cost.uncountedOps).toEqual([]);
  });

  it('finds the peak of live activations: values die after their last reader, graph outputs live to the end', () => {
    const cost = costModel(residualNet());
    // While Add runs: y1 (read by Add, so still alive after Relu), y2 and its own output, 3 x 2048 bytes.
    // (The input, 768 bytes, died after the Conv; at the Conv only 768 + 2048 were live.)
    expect(cost.peakActivationBytes).toBe(6144);
    expect(cost.peakAt).toBe('add');

    // Without the skip connection y1 dies after Relu: the peak is Relu's input and output.
    const g = new Graph({ opset: { '': 17 } });
    const x = g.input('x', { dtype: 'float32', shape: [1, 4, 8, 8] });
    const y = g.add('Relu', [g.add('Relu', [x], {}, { name: 'r1' }).output], {}, { name: 'r2' }).output;
    g.outputs = [x, g.add('Relu', [y], {}, { name: 'r3' }).output];
    inferShapes(g);
    // x is also a graph output, so it stays: 1024 (x) + 1024 (r1 out) + 1024 (r2 out) while r2 runs, likewise at r3.
    const chain = costModel(g);
    expect(chain.peakActivationBytes).toBe(3 * 1024);
    expect(chain.peakAt).toBe('r2');
    expect(chain.total.activationBytes).toBe(3 * 1024);
  });

  it('counts a weight read by two layers in each layer and once in the total', () => {
    const g = new Graph({ opset: { '': 17 } });
    const x = g.input('x', { dtype: 'float32', shape: ['N', 16] });
    const w = floats(g, 'shared', [16, 16]);
    const h = g.add('MatMul', [x, w], {}, { name: 'a' }).output;
    g.outputs = [g.add('MatMul', [h, w], {}, { name: 'b' }).output];
    inferShapes(g);
    const cost = costModel(g);
    expect(cost.layers.map((l) => l.parameters)).toEqual([256, 256]);
    expect(cost.total.parameters).toBe(256);
    expect(cost.total.parameterBytes).toBe(1024);
    expect(cost.total.macs).toBe(512);
  });

  it('lists what it cannot size instead of guessing, and ops whose arithmetic it does not count', () => {
    const g = new Graph({ opset: { '': 17 } });
    const x = g.input('x', { dtype: 'float32', shape: ['N', 3, 'H', 'W'] });
    const y = g.add('Conv', [x, floats(g, 'k', [4, 3, 1, 1])], {}, { name: 'conv' }).output;
    const pooled = g.add('Flatten', [g.add('GlobalAveragePool', [y], {}, { name: 'gap' }).output], {}, { name: 'flatten' }).output;
    g.outputs = [g.add('Softmax', [pooled], {}, { name: 'softmax' }).output];
    inferShapes(g);
    const cost = costModel(g);
    expect(cost.unknown).toEqual(['x', 'conv', 'gap']);
    expect(byName(cost.layers)['conv']).toMatchObject({ macs: undefined, flops: undefined, activationBytes: undefined, parameters: 12 });
    // After the global pool the sizes are known again: [N,4,1,1] and [N,4].
    expect(byName(cost.layers)['flatten']).toMatchObject({ activationBytes: 16 });
    expect(byName(cost.layers)['softmax']).toMatchObject({ flops: 0, activationBytes: 16 });
    expect(cost.uncountedOps).toEqual(['Softmax']);

    // Pinned, the same graph is fully known: 4 x 5x5 outputs x 3 MACs; the pool adds up 4 x 25 inputs.
    inferShapes(g, { inputShapes: { x: ['N', 3, 5, 5] } });
    const pinned = costModel(g);
    expect(pinned.unknown).toEqual([]);
    expect(pinned.total.macs).toBe(300);
    expect(byName(pinned.layers)['gap']).toMatchObject({ flops: 100, activationBytes: 16 });
  });
});
