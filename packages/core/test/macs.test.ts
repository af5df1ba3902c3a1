import { describe, expect, it } from 'vitest';
import { Graph, Tensor, attr, countMacs, inferShapes } from '../src/index.js';

describe('countMacs', () => {
  it('counts Conv (grouped too), Gemm and MatMul per sample, and names layers whose shapes are unknown', () => {
    const g = new Graph({ opset: { '': 17 } });
    const x = g.input('x', { dtype: 'float32', shape: ['N', 3, 8, 8] });
    const w = (name: string, shape: number[]) => g.constant(name, Tensor.from('float32', shape, new Float32Array(shape.reduce((a, b) => a * b, 1))));
    let y = g.add('Conv', [x, w('w1', [8, 3, 3, 3])], { pads: attr.ints([1, 1, 1, 1]) }).output; // 8x8x8 outputs x 27
    y = g.add('Conv', [y, w('w2', [8, 2, 3, 3])], { group: attr.int(4), strides: attr.ints([2, 2]) }).output; // 8x3x3 outputs x 18
    y = g.add('Flatten', [y]).output;
    y = g.add('Gemm', [y, w('w3', [72, 10])]).output; // 72 x 10
    y = g.add('MatMul', [y, w('w4', [10, 5])]).output; // 10 x 5
    g.outputs = [y];
    inferShapes(g);
    const m = countMacs(g);
    expect(m.byOp).toEqual({ Conv: 8 * 8 * 8 * 27 + 8 * 3 * 3 * 18, Gemm: 720, MatMul: 50 });
    expect(m.macs).toBe(13824 + 1296 + 720 + 50);
    expect(m.unknown).toEqual([]);

    const h = new Graph({ opset: { '': 17 } });
    const z = h.input('z', { dtype: 'float32', shape: ['N', 3, 'H', 'W'] });
    h.outputs = [h.add('Conv', [z, h.constant('k', Tensor.from('float32', [4, 3, 1, 1], new Float32Array(12)))], {}, { name: 'conv' }).output];
    inferShapes(h);
    expect(countMacs(h)).toEqual({ macs: 0, byOp: {}, unknown: ['conv'] });
  });

  it('counts ConvInteger and MatMulInteger as their float forms', () => {
    const g = new Graph({ opset: { '': 17 } });
    const x = g.input('x', { dtype: 'uint8', shape: ['N', 2, 4, 4] });
    const conv = g.add('ConvInteger', [x, g.constant('w', Tensor.from('uint8', [3, 2, 3, 3], new Uint8Array(54)))], {}, { name: 'conv' });
    // Shape inference has no ConvInteger rule: the model declares its output.
    conv.output.type = { dtype: 'int32', shape: ['N', 3, 2, 2] };
    const a = g.input('a', { dtype: 'uint8', shape: ['N', 5, 6] });
    const mm = g.add('MatMulInteger', [a, g.constant('b', Tensor.from('uint8', [6, 7], new Uint8Array(42)))], {}, { name: 'mm' });
    mm.output.type = { dtype: 'int32', shape: ['N', 5, 7] };
    g.outputs = [conv.output, mm.output];
    // 3 x 2x2 outputs x (2 x 3x3); 5 rows x 6 x 7.
    expect(countMacs(g)).toEqual({ macs: 216 + 210, byOp: { ConvInteger: 216, MatMulInteger: 210 }, unknown: [] });
  });
});
