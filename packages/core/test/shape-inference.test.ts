import { describe, expect, it } from 'vitest';
import { Graph, Tensor, attr, inferShapes, type Dim } from '../src/index.js';

function convNet() {
  const g = new Graph({ opset: { '': 17 } });
  const x = g.input('x', { dtype: 'float32', shape: ['N', 3, 'H', 'W'] });
  const w = g.constant('w', Tensor.from('float32', [8, 3, 3, 3], new Float32Array(216)));
  const conv = g.add('Conv', [x, w], { pads: attr.ints([1, 1, 1, 1]), strides: attr.ints([2, 2]) });
  const pool = g.add('MaxPool', [conv.output], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1) });
  const shape = g.add('Shape', [pool.output]);
  const idx = g.constant('idx', Tensor.from('int64', [1], [0n]));
  const batch = g.add('Gather', [shape.output, idx]);
  const minus1 = g.constant('m1', Tensor.from('int64', [1], [-1n]));
  const target = g.add('Concat', [batch.output, minus1], { axis: attr.int(0) });
  const flat = g.add('Reshape', [pool.output, target.output]);
  g.outputs = [flat.output];
  return { g, conv, pool, flat };
}

describe('shape inference', () => {
  it('keeps symbols and resolves pinned shapes through conv, pool and shape arithmetic', () => {
    const { g, conv, pool, flat } = convNet();
    inferShapes(g);
    expect(conv.output.type?.shape?.slice(0, 2)).toEqual(['N', 8]);
    expect(flat.output.type?.shape?.[0]).toBe('N');
    inferShapes(g, { inputShapes: { x: [2, 3, 32, 30] } });
    expect(conv.output.type?.shape).toEqual([2, 8, 16, 15]);
    // ceil_mode: (16-3)/2 -> 7.5 -> 8 windows, (15-3)/2 -> 6 -> 7.
    expect(pool.output.type?.shape).toEqual([2, 8, 8, 7]);
    expect(flat.output.type?.shape).toEqual([2, 448]);
  });

  it('refuses a pinned shape that contradicts the model', () => {
    const { g } = convNet();
    expect(() => inferShapes(g, { inputShapes: { x: [1, 4, 8, 8] } })).toThrow(/fixed dimension 1 = 3/);
    expect(() => inferShapes(g, { inputShapes: { y: [1] } })).toThrow(/No graph input named "y"/);
    expect(() => inferShapes(g, { inputShapes: { x: [1, 3] } })).toThrow(/rank/);
  });

  const cases: Array<[string, Dim[][], Record<string, ReturnType<typeof attr.int>>, Dim[] | undefined, (g: Graph) => Array<ReturnType<Graph['constant']>>]> = [
    ['Add', [[2, 1, 4], [3, 1]], {}, [2, 3, 4], () => []],
    ['MatMul', [['B', 5, 6], [6, 7]], {}, ['B', 5, 7], () => []],
    ['Gemm', [[4, 8], [10, 8]], { transB: attr.int(1) }, [4, 10], () => []],
    ['Transpose', [[1, 2, 3]], { perm: attr.ints([2, 0, 1]) }, [3, 1, 2], () => []],
    ['Flatten', [[2, 3, 4, 5]], { axis: attr.int(2) }, [6, 20], () => []],
    ['GlobalAveragePool', [[1, 16, 7, 7]], {}, [1, 16, 1, 1], () => []],
    ['ReduceMean', [[2, 3, 4]], { axes: attr.ints([-1]), keepdims: attr.int(0) }, [2, 3], () => []],
    ['ConvTranspose', [[1, 4, 5, 5], [4, 2, 3, 3]], { strides: attr.ints([2, 2]) }, [1, 2, 11, 11], () => []],
    ['Slice', [[10, 20]], {}, [10, 5], (g) => [
      g.constant('s', Tensor.from('int64', [1], [-10n])), g.constant('e', Tensor.from('int64', [1], [9223372036854775807n])),
      g.constant('a', Tensor.from('int64', [1], [1n])), g.constant('st', Tensor.from('int64', [1], [2n])),
    ]],
    ['Unsqueeze', [[3, 4]], {}, [1, 3, 1, 4], (g) => [g.constant('ax', Tensor.from('int64', [2], [0n, -2n]))]],
    ['Squeeze', [[1, 3, 1, 4]], {}, [3, 4], () => []],
    ['Pad', [[1, 3, 8, 8]], {}, [1, 3, 10, 12], (g) => [g.constant('p', Tensor.from('int64', [8], [0n, 0n, 1n, 2n, 0n, 0n, 1n, 2n]))]],
    ['Resize', [[1, 3, 8, 8]], {}, [1, 3, 16, 24], (g) => [g.constant('roi', Tensor.from('float32', [0], [])), g.constant('sc', Tensor.from('float32', [4], [1, 1, 2, 3]))]],
    ['Gather', [[5, 6, 7], [2, 3]], { axis: attr.int(1) }, [5, 2, 3, 7], () => []],
  ];
  for (const [op, shapes, attrs, expected, extra] of cases) {
    it(`${op} -> [${expected?.join(', ')}]`, () => {
      const g = new Graph({ opset: { '': 17 } });
      const inputs = shapes.map((s, i) => g.input(`in${i}`, { dtype: op === 'Gather' && i === 1 ? 'int64' : 'float32', shape: s }));
      const node = g.add(op, [...inputs, ...extra(g)], attrs);
      g.outputs = [node.output];
      inferShapes(g);
      expect(node.output.type?.shape).toEqual(expected);
    });
  }

  it('warns about ops it has no rule for and leaves their declared type', () => {
    const g = new Graph();
    const x = g.input('x', { dtype: 'float32', shape: [1] });
    const n = g.add('FancyOp', [x], {}, { domain: 'com.example' });
    n.output.type = { dtype: 'float32', shape: [7] };
    g.outputs = [n.output];
    const d = inferShapes(g);
    expect(d.map((x) => x.code)).toEqual(['W_NO_SHAPE_RULE']);
    expect(n.output.type.shape).toEqual([7]);
  });
});

describe('Concat on malformed graphs (found by fuzzing the tfjs importer)', () => {
  const concat = (shapes: number[][], axis = 0) => {
    const g = new Graph({ opset: { '': 17 } });
    const inputs = shapes.map((s, i) => g.input(`x${i}`, { dtype: 'float32', shape: s }));
    g.outputs = [g.add('Concat', inputs, { axis: attr.int(axis) }, { name: 'cat' }).output];
    return () => inferShapes(g);
  };
  it('explains no inputs, mixed ranks and an axis outside the rank', () => {
    expect(concat([])).toThrow(/"cat" \(Concat\): it has no inputs to concatenate/);
    expect(concat([[1, 2], [1, 2, 3]])).toThrow(/different ranks \(2 and 3\)/);
    expect(concat([[1, 2], [1, 2]], 2)).toThrow(/axis 2 is outside its inputs' rank 2/);
    expect(concat([[1, 2], [1, 3]], -1)).not.toThrow();
  });
});
