import { describe, expect, it } from 'vitest';
import { CondenseError, Graph, Tensor, attr, exportWorkingCopy, inferShapes } from '../src/index.js';

function chain() {
  const g = new Graph();
  const x = g.input('x', { dtype: 'float32', shape: [1, 4] });
  const w = g.constant('w', Tensor.from('float32', [4, 4], new Float32Array(16).fill(0.5)));
  const mm = g.add('MatMul', [x, w], {}, { name: 'mm' });
  const relu = g.add('Relu', [mm.output], {}, { name: 'relu' });
  g.outputs = [relu.output];
  return { g, x, w, mm, relu };
}

describe('Graph mutation API', () => {
  it('keeps use lists right through add, replaceInput and replaceAllUsesWith', () => {
    const { g, x, w, mm, relu } = chain();
    expect(x.uses()).toEqual([{ node: mm, index: 0 }]);
    expect(w.uses()).toEqual([{ node: mm, index: 1 }]);
    expect(mm.output.producer()).toBe(mm);
    const id = g.add('Identity', [x], {}, { before: mm });
    mm.replaceInput(0, id.output);
    expect(x.uses()).toEqual([{ node: id, index: 0 }]);
    expect(id.output.uses()).toEqual([{ node: mm, index: 0 }]);
    mm.output.replaceAllUsesWith(x);
    expect(relu.inputs[0]).toBe(x);
    expect(mm.output.useCount).toBe(0);
    expect(g.validate()).toEqual([]);
  });

  it('refuses to move a graph output unless asked', () => {
    const { g, mm, relu } = chain();
    expect(() => relu.output.replaceAllUsesWith(mm.output)).toThrow(CondenseError);
    relu.output.replaceAllUsesWith(mm.output, { replaceGraphOutputs: true });
    expect(g.outputs).toEqual([mm.output]);
  });

  it('remove() succeeds wholly or changes nothing', () => {
    const { g, mm, relu } = chain();
    const before = [...g].map((n) => n.name);
    expect(() => g.remove([mm])).toThrow(/still used by "relu"/);
    expect([...g].map((n) => n.name)).toEqual(before);
    expect(() => g.remove([mm, relu])).toThrow(/graph output/);
    expect([...g].map((n) => n.name)).toEqual(before);
    g.outputs = [];
    g.remove([mm, relu]);
    expect(g.nodeCount).toBe(0);
    expect(g.value('w')!.useCount).toBe(0);
    expect(g.validate()).toEqual([]);
  });

  it('lets a pass edit the graph while iterating', () => {
    const { g } = chain();
    const seen: string[] = [];
    for (const node of g) {
      seen.push(node.op);
      if (node.op === 'MatMul') {
        const relu = [...g].find((n) => n.op === 'Relu')!;
        relu.output.replaceAllUsesWith(node.output, { replaceGraphOutputs: true });
        g.remove([relu]);
        g.add('Sigmoid', [node.output], {}, { after: node });
      }
    }
    expect(seen).toEqual(['MatMul', 'Sigmoid']);
  });

  it('sorts nodes topologically and detects cycles', () => {
    const g = new Graph();
    const x = g.input('x', { dtype: 'float32', shape: [2] });
    const late = g.declare('late');
    const a = g.add('Relu', [late], {}, { name: 'a' });
    g.add('Neg', [x], {}, { name: 'b', outputs: [late] });
    g.outputs = [a.output];
    expect(g.validate().map((d) => d.code)).toContain('E_NOT_TOPOLOGICAL');
    expect(g.sortTopologically()).toBe(true);
    expect([...g].map((n) => n.name)).toEqual(['b', 'a']);
    expect(g.validate()).toEqual([]);
  });

  it('validate() reports dtype and rank disagreements', () => {
    const g = new Graph();
    const a = g.input('a', { dtype: 'float32', shape: [2] });
    const b = g.input('b', { dtype: 'int64', shape: [2] });
    g.outputs = [g.add('Add', [a, b]).output];
    const w = g.constant('w', Tensor.from('float32', [1, 1, 3], new Float32Array(3)));
    const x = g.input('x', { dtype: 'float32', shape: [1, 1, 4, 4] });
    g.add('Conv', [x, w]);
    const codes = g.validate().map((d) => d.code);
    expect(codes).toEqual(['E_TYPE_MISMATCH', 'E_TYPE_MISMATCH']);
  });

  it('tracks values captured by subgraphs as uses of the owning node', () => {
    const g = new Graph();
    const cond = g.input('cond', { dtype: 'bool', shape: [] });
    const x = g.input('x', { dtype: 'float32', shape: [2] });
    const thenG = new Graph({ name: 'then', parent: g });
    const captured = thenG.resolve('x')!;
    thenG.outputs = [thenG.add('Relu', [captured]).output];
    const elseG = new Graph({ name: 'else', parent: g });
    elseG.outputs = [elseG.add('Neg', [elseG.resolve('x')!]).output];
    const node = g.add('If', [cond], { then_branch: { type: 'graph', value: thenG }, else_branch: { type: 'graph', value: elseG } });
    g.outputs = [node.output];
    expect(x.uses()).toEqual([{ node, index: -1 }]);
    expect(thenG.owner).toBe(node);
    const y = g.add('Abs', [x], {}, { before: node });
    x.replaceAllUsesWith(y.output);
    y.replaceInput(0, x);
    expect(captured.outer).toBe(y.output);
    expect(y.output.uses()).toEqual([{ node, index: -1 }]);
    expect(g.validate()).toEqual([]);
  });

  it('attribute helpers read int64 attributes as numbers', () => {
    const g = new Graph();
    const n = g.add('Slice', [], { ends: attr.ints([9223372036854775807n]), axis: attr.int(2), mode: attr.string('x') });
    expect(typeof n.attrs['ends']!.value).toBe('object');
    expect(Number((n.attrs['ends']!.value as bigint[])[0])).toBeGreaterThan(9e18);
  });
});

describe('exportWorkingCopy', () => {
  it('copies nodes and value types, shares tensors, and leaves the source untouched when the copy is annotated', () => {
    const g = new Graph({ opset: { '': 17 } });
    const x = g.input('x', { dtype: 'float32', shape: ['N', 4] });
    const w = g.constant('w', Tensor.from('float32', [4, 2], new Float32Array(8).fill(0.5)));
    const branch = new Graph({ opset: { '': 17 }, parent: g });
    branch.outputs = [branch.add('Identity', [branch.resolve('x')!]).output];
    g.outputs = [g.add('MatMul', [x, w], { body: { type: 'graph', value: branch }, alpha: attr.float(2) }, { name: 'mm' }).output];
    const copy = exportWorkingCopy(g);
    expect([...copy].map((n) => [n.name, n.op])).toEqual([['mm', 'MatMul']]);
    expect(copy.value('w')!.const).toBe(w.const);
    expect(Object.keys([...copy][0]!.attrs)).toEqual(['alpha']);
    inferShapes(copy, { inputShapes: { x: [3, 4] } });
    expect(copy.outputs[0]!.type?.shape).toEqual([3, 2]);
    expect(x.type?.shape).toEqual(['N', 4]);
    expect(g.outputs[0]!.type?.shape).toBeUndefined();
  });
});
