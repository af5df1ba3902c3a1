/**
 * Each cleanup pass on small models built to exercise it: the pass must fire
 * (the ops it removes are gone) and onnxruntime must give the same outputs
 * before and after.
 */
import { Graph, Tensor, attr, compress, createModel, createRegistry, summarizeModel, type Model, type Value } from '@condense/core';
import { encodeModelBytes } from '@condense/onnx';
import { describe, expect, it } from 'vitest';
import { compareOutputs } from '../helpers/ort.js';
import { noiseInput, runOnce } from '../helpers/models.js';

let seed = 3;
function noise(shape: number[], scale = 0.5, offset = 0): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.from('float32', shape, Float32Array.from({ length: n }, () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return offset + ((seed >>> 8) / 2 ** 24 - 0.5) * 2 * scale;
  }));
}

function bn(g: Graph, x: Value, c: number, name: string): Value {
  const k = (s: string, t: Tensor) => g.constant(`${name}.${s}`, t);
  return g.add('BatchNormalization', [x, k('g', noise([c], 0.5, 1)), k('b', noise([c])), k('m', noise([c])), k('v', noise([c], 0.4, 1))], { epsilon: attr.float(1e-3) }, { name }).output;
}

async function check(model: Model, passes: string[], shape: number[], expectGone: string[]) {
  const before = encodeModelBytes(model);
  const nodesBefore = summarizeModel(model).nodes;
  const result = await compress(model, { passes }, { registry: createRegistry() });
  const after = summarizeModel(model);
  for (const op of expectGone) expect(after.ops[op] ?? 0, `${op} left after ${passes.join(', ')}`).toBe(0);
  expect(result.passes.some((p) => p.changed)).toBe(true);
  const feeds = { x: noiseInput(shape) };
  const cmp = compareOutputs(await runOnce(encodeModelBytes(model), feeds), await runOnce(before, feeds), 1e-5, 1e-6);
  expect(cmp.ok, `max abs difference ${cmp.maxAbs}`).toBe(true);
  return { nodesBefore, nodesAfter: after.nodes, cmp };
}

describe('cleanup passes, each on a model built for it', () => {
  it('fold-batch-norm: Conv, grouped Conv, ConvTranspose and Gemm (both weight layouts)', async () => {
    const g = new Graph({ opset: { '': 17 } });
    const x = g.input('x', { dtype: 'float32', shape: [2, 4, 8, 8] });
    let y = g.add('Conv', [x, g.constant('w1', noise([6, 4, 3, 3])), g.constant('b1', noise([6]))], { pads: attr.ints([1, 1, 1, 1]) }).output;
    y = bn(g, y, 6, 'bn1');
    y = g.add('Conv', [y, g.constant('w2', noise([6, 2, 3, 3]))], { group: attr.int(3) }).output;
    y = bn(g, y, 6, 'bn2');
    y = g.add('ConvTranspose', [y, g.constant('w3', noise([6, 5, 2, 2]))], { strides: attr.ints([2, 2]) }).output;
    y = bn(g, y, 5, 'bn3');
    y = g.add('Flatten', [g.add('GlobalAveragePool', [y]).output]).output;
    y = g.add('Gemm', [y, g.constant('w4', noise([7, 5])), g.constant('b4', noise([7]))], { transB: attr.int(1) }).output;
    y = bn(g, y, 7, 'bn4');
    y = g.add('Gemm', [y, g.constant('w5', noise([7, 3]))], { alpha: attr.float(0.5) }).output;
    g.outputs = [bn(g, y, 3, 'bn5')];
    await check(createModel(g), ['fold-batch-norm', 'remove-dead-code'], [2, 4, 8, 8], ['BatchNormalization']);
  });

  it('fold-conv-affine: per-channel Mul, Add, Sub and Div after Conv and Gemm', async () => {
    const g = new Graph({ opset: { '': 17 } });
    const x = g.input('x', { dtype: 'float32', shape: [1, 3, 6, 6] });
    let y = g.add('Conv', [x, g.constant('w', noise([4, 3, 3, 3]))]).output;
    y = g.add('Mul', [y, g.constant('s', noise([1, 4, 1, 1], 0.5, 1))]).output;
    y = g.add('Conv', [y, g.constant('w2', noise([4, 4, 1, 1]))]).output;
    y = g.add('Add', [g.constant('a', noise([4, 1, 1])), y]).output;
    y = g.add('Conv', [y, g.constant('w3', noise([4, 4, 1, 1])), g.constant('b3', noise([4]))]).output;
    y = g.add('Sub', [y, g.constant('c', noise([1]))]).output;
    y = g.add('Conv', [y, g.constant('w4', noise([4, 4, 1, 1]))]).output;
    y = g.add('Div', [y, g.constant('d', noise([4, 1, 1], 0.2, 2))]).output;
    y = g.add('Flatten', [y]).output;
    y = g.add('Gemm', [y, g.constant('w5', noise([64, 5])), g.constant('b5', noise([5]))], { beta: attr.float(2) }).output;
    g.outputs = [g.add('Mul', [y, g.constant('s5', noise([5], 0.5, 1))]).output];
    await check(createModel(g), ['fold-conv-affine', 'remove-dead-code'], [1, 3, 6, 6], ['Mul', 'Add', 'Sub', 'Div']);
  });

  it('fold-conv-affine leaves a constant that broadcasts beyond the channels alone', async () => {
    const g = new Graph({ opset: { '': 17 } });
    const x = g.input('x', { dtype: 'float32', shape: [1, 2, 4, 4] });
    const y = g.add('Conv', [x, g.constant('w', noise([2, 2, 1, 1]))]).output;
    g.outputs = [g.add('Mul', [y, g.constant('s', noise([1, 1, 4, 4]))]).output];
    const model = createModel(g);
    const r = await compress(model, { passes: ['fold-conv-affine'] }, { registry: createRegistry() });
    expect(r.passes[0]!.changed).toBe(false);
  });

  it('fold-constants: shape arithmetic, Transpose, Cast, Slice, Gather, Concat, Unsqueeze and elementwise math', async () => {
    const g = new Graph({ opset: { '': 17 } });
    const x = g.input('x', { dtype: 'float32', shape: [2, 3, 4] });
    const shape = g.add('Shape', [x]).output;
    const first = g.add('Gather', [shape, g.constant('i0', Tensor.from('int64', [], [0n]))]).output;
    const batch = g.add('Unsqueeze', [first, g.constant('ax', Tensor.from('int64', [1], [0n]))]).output;
    const rest = g.add('Slice', [shape, g.constant('s', Tensor.from('int64', [1], [1n])), g.constant('e', Tensor.from('int64', [1], [3n]))]).output;
    const prod = g.add('Mul', [g.add('Gather', [rest, g.constant('i1', Tensor.from('int64', [], [0n]))]).output, g.add('Gather', [rest, g.constant('i2', Tensor.from('int64', [], [1n]))]).output]).output;
    const target = g.add('Concat', [batch, g.add('Unsqueeze', [prod, g.constant('ax2', Tensor.from('int64', [1], [0n]))]).output], { axis: attr.int(0) }).output;
    const flat = g.add('Reshape', [x, target]).output;
    const wT = g.add('Transpose', [g.constant('wt', noise([5, 12]))], { perm: attr.ints([1, 0]) }).output;
    const scaled = g.add('Mul', [wT, g.add('Sqrt', [g.constant('k', Tensor.from('float32', [], [4]))]).output]).output;
    const half = g.add('Cast', [g.add('Div', [g.constant('seven', Tensor.from('int64', [], [7n])), g.constant('two', Tensor.from('int64', [], [2n]))]).output], { to: attr.int(1) }).output;
    g.outputs = [g.add('Add', [g.add('MatMul', [flat, scaled]).output, half]).output];
    const { nodesBefore, nodesAfter } = await check(createModel(g), ['fold-constants', 'remove-dead-code'], [2, 3, 4], ['Shape', 'Gather', 'Concat', 'Transpose', 'Sqrt', 'Cast', 'Div', 'Slice', 'Unsqueeze']);
    expect(nodesAfter).toBe(3); // Reshape, MatMul, Add
    expect(nodesBefore).toBeGreaterThan(12);
  });

  it('remove-identity, dedupe-constants and remove-dead-code', async () => {
    const g = new Graph({ opset: { '': 17 } });
    const x = g.input('x', { dtype: 'float32', shape: [1, 8] });
    const w = noise([8, 8]);
    let y = g.add('Identity', [x]).output;
    y = g.add('MatMul', [y, g.constant('w1', w)]).output;
    y = g.add('Dropout', [y], {}, { outputs: 2 }).output;
    y = g.add('MatMul', [y, g.constant('w2', Tensor.fromBytes('float32', [8, 8], new Uint8Array(w.bytes())))]).output;
    g.add('Relu', [g.add('Neg', [y]).output]); // dead: nothing reads it
    g.outputs = [g.add('Relu', [y]).output];
    const model = createModel(g);
    await check(model, ['remove-identity', 'dedupe-constants', 'remove-dead-code'], [1, 8], ['Identity', 'Dropout', 'Neg']);
    expect(model.graph.constants().length).toBe(1);
    expect(summarizeModel(model).nodes).toBe(3);
  });

  it('fuse-hard-swish at opset 14, and not below', async () => {
    const build = (opset: number) => {
      const g = new Graph({ opset: { '': opset } });
      const x = g.input('x', { dtype: 'float32', shape: [1, 4, 5, 5] });
      const c = g.add('Conv', [x, g.constant('w', noise([4, 4, 1, 1], 3))]).output;
      const hs = g.add('HardSigmoid', [c], { alpha: attr.float(0.1666667), beta: attr.float(0.5) }).output;
      g.outputs = [g.add('Mul', [hs, c]).output];
      return createModel(g);
    };
    await check(build(14), ['fuse-hard-swish'], [1, 4, 5, 5], ['HardSigmoid', 'Mul']);
    const old = build(13);
    const r = await compress(old, { passes: ['fuse-hard-swish'] }, { registry: createRegistry() });
    expect(r.passes[0]!.changed).toBe(false);
    expect(summarizeModel(old).ops['HardSwish'] ?? 0).toBe(0);
  });

  it('constants-to-initializers handles every Constant attribute form', async () => {
    const g = new Graph({ opset: { '': 17 } });
    const x = g.input('x', { dtype: 'float32', shape: [3] });
    const k1 = g.add('Constant', [], { value: attr.tensor(noise([3])) }).output;
    const k2 = g.add('Constant', [], { value_floats: attr.floats([1, 2, 3]) }).output;
    const k3 = g.add('Constant', [], { value_float: attr.float(0.5) }).output;
    const sum = g.add('Add', [g.add('Add', [x, k1]).output, g.add('Mul', [k2, k3]).output]).output;
    const k4 = g.add('Constant', [], { value_ints: attr.ints([3]) }).output;
    g.outputs = [g.add('Reshape', [sum, k4]).output];
    await check(createModel(g), ['constants-to-initializers'], [3], ['Constant']);
  });
});
