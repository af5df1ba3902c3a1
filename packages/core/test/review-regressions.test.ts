/** Cases a review found wrong; each stays fixed. */
import { describe, expect, it } from 'vitest';
import { Graph, Tensor, attr, compress, createModel, createRegistry, inferShapes, summarizeModel } from '../src/index.js';
import { sliceRange } from '../src/shape-inference/tensor-ops.js';

const run = (g: Graph, passes: string[]) => compress(createModel(g), { passes }, { registry: createRegistry() });

describe('review regressions', () => {
  it('keeps INT64_MAX exact when a Constant value_int becomes an initializer', async () => {
    const g = new Graph({ opset: { '': 17 } });
    const k = g.add('Constant', [], { value_int: attr.int(9223372036854775807n) }).output;
    const x = g.input('x', { dtype: 'int64', shape: [] });
    g.outputs = [g.add('Add', [x, k]).output];
    await run(g, ['constants-to-initializers']);
    expect(g.constants()[0]!.const!.data<'int64'>()[0]).toBe(9223372036854775807n);
  });

  it('clamps negative-step Slice starts to [0, dim-1], as ONNX does', () => {
    expect(sliceRange(5, -6, -10, -1)).toEqual([0]);
    expect(sliceRange(5, 10, -10, -2)).toEqual([4, 2, 0]);
  });

  it('does not invent Split sizes it cannot know', () => {
    const g = new Graph({ opset: { '': 17 } });
    const x = g.input('x', { dtype: 'float32', shape: [1, 10] });
    const sp = g.input('sp', { dtype: 'int64', shape: [2] });
    const split = g.add('Split', [x, sp], { axis: attr.int(1) }, { outputs: 2 });
    g.outputs = [split.outputs[0]!, split.outputs[1]!];
    inferShapes(g);
    expect(typeof split.outputs[0]!.type!.shape![1]).toBe('string');
  });

  it('does not fold through an initializer that is also a graph input', async () => {
    const g = new Graph({ opset: { '': 17 } });
    const s = g.input('s', { dtype: 'int64', shape: [2] });
    s.const = Tensor.from('int64', [2], [3n, 4n]);
    const x = g.input('x', { dtype: 'float32', shape: [12] });
    const shape = g.add('Shape', [g.add('Reshape', [x, s]).output]).output;
    g.outputs = [g.add('Cast', [shape], { to: attr.int(1) }).output];
    await run(g, ['fold-constants']);
    expect(summarizeModel(createModel(g)).ops['Shape']).toBe(1);
  });

  it('leaves a Cast of NaN to int64 unfolded instead of failing', async () => {
    const g = new Graph({ opset: { '': 17 } });
    const c = g.add('Cast', [g.constant('nan', Tensor.from('float32', [1], [NaN]))], { to: attr.int(7) }).output;
    const x = g.input('x', { dtype: 'int64', shape: [1] });
    g.outputs = [g.add('Add', [x, c]).output];
    const r = await run(g, ['fold-constants']);
    expect(r.passes[0]!.changed).toBe(false);
  });

  it('keeps a Dropout whose mask is a graph output, and a BatchNormalization whose statistics are', async () => {
    const g = new Graph({ opset: { '': 17 } });
    const x = g.input('x', { dtype: 'float32', shape: [1, 2, 2, 2] });
    const d = g.add('Dropout', [x], {}, { outputs: 2 });
    const conv = g.add('Conv', [d.outputs[0]!, g.constant('w', Tensor.from('float32', [2, 2, 1, 1], [1, 0, 0, 1]))]).output;
    const k = (n: string, v: number) => g.constant(n, Tensor.from('float32', [2], [v, v]));
    const bn = g.add('BatchNormalization', [conv, k('g', 1), k('b', 0), k('m', 0), k('v', 1)], { training_mode: attr.int(0) }, { outputs: 3 });
    g.outputs = [bn.outputs[0]!, bn.outputs[1]!, d.outputs[1]!];
    const r = await run(g, ['remove-identity', 'fold-batch-norm']);
    expect(r.passes.map((p) => p.changed)).toEqual([false, false]);
    expect(g.validate()).toEqual([]);
  });

  it('does not treat a per-row Gemm bias [M, 1] as per-channel', async () => {
    const g = new Graph({ opset: { '': 17 } });
    const a = g.input('a', { dtype: 'float32', shape: [2, 2] });
    const y = g.add('Gemm', [a, g.constant('B', Tensor.from('float32', [2, 2], [1, 0, 0, 1])), g.constant('C', Tensor.from('float32', [2, 1], [10, 20]))]).output;
    g.outputs = [g.add('Mul', [y, g.constant('s', Tensor.from('float32', [2], [2, 3]))]).output];
    const r = await run(g, ['fold-conv-affine']);
    expect(r.passes[0]!.changed).toBe(false);
  });

  it('records a capture made after the subgraph is attached', () => {
    const g = new Graph();
    const cond = g.input('cond', { dtype: 'bool', shape: [] });
    const x = g.input('x', { dtype: 'float32', shape: [2] });
    const relu = g.add('Relu', [x]);
    const then = new Graph({ parent: g });
    then.outputs = [then.add('Identity', [then.resolve('x')!]).output];
    const other = new Graph({ parent: g });
    other.outputs = [other.add('Identity', [other.resolve('x')!]).output];
    const node = g.add('If', [cond], { then_branch: { type: 'graph', value: then }, else_branch: { type: 'graph', value: other } });
    then.resolve(relu.output.name);
    expect(relu.output.uses()).toEqual([{ node, index: -1 }]);
  });

  it('refuses a graph input as a node output', () => {
    const g = new Graph();
    const x = g.input('x', { dtype: 'float32', shape: [1] });
    const y = g.input('y', { dtype: 'float32', shape: [1] });
    expect(() => g.add('Relu', [x], {}, { outputs: [y] })).toThrow(/produced more than once/);
  });
});
