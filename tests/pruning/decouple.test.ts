/**
 * Network decoupling (decouple). Built models whose 3×3 kernels are exactly
 * rank-R separable and whose dense weights are exactly low-rank are split
 * exactly (onnxruntime-node gives the original's outputs, MACs fall, declared
 * shapes match shape inference); the reference CNN
 * (tools/fixtures/fashion-cnn.onnx) shows how far trained kernels are from
 * separable and what a budget costs in accuracy on the 10,000 Fashion-MNIST
 * test images, and the split model runs the same in onnxruntime-web.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpuRuntime } from '@condense/adapter-cpu';
import { CondenseError, Graph, Tensor, attr, compress, constantOf, countMacs, createModel, createRegistry, inferShapes, type DecoupledLayer, type Model } from '@condense/core';
import { decodeModel, encodeModelBytes } from '@condense/onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { FASHION, FASHION_CNN, fashionInWasm, testAccuracy } from '../helpers/fashion.js';
import { runOnce, uniform } from '../helpers/models.js';
import { compareOutputs, ort } from '../helpers/ort.js';

const decouple = async (model: Model, options: Record<string, unknown>) => {
  const result = await compress(model, { passes: [{ pass: 'decouple', options }] }, { registry: createRegistry() });
  return result.passes[0]!;
};
const layerOf = (facts: Record<string, unknown>, name: string) => (facts['layers'] as DecoupledLayer[]).find((l) => l.layer === name);
const nodeNamed = (model: Model, name: string) => [...model.graph].find((n) => n.name === name)!;

/** W[o, i] = Σ_r P_r[o, i] · D_r[i]: kernels [O, I, k, k] of rank exactly R per input channel. */
function separableKernels(o: number, i: number, k: number, rank: number, seed: number): Float32Array {
  const d = uniform([i, rank, k * k], seed);
  const p = uniform([o, i, rank], seed + 1);
  const w = new Float32Array(o * i * k * k);
  for (let out = 0; out < o; out++)
    for (let c = 0; c < i; c++)
      for (let r = 0; r < rank; r++)
        for (let j = 0; j < k * k; j++) w[(out * i + c) * k * k + j]! += p[(out * i + c) * rank + r]! * d[(c * rank + r) * k * k + j]!;
  return w;
}

/** x [2, 6, 10, 10] → c1 (6→8, rank 2, padded) → Relu → c2 (8→16, rank 3, stride 2, dilation 2, uneven pads) → Relu → c3 (16→2, rank 2) → pooled. */
const CONV_INPUT = [2, 6, 10, 10];
function separableConvs(): Model {
  const g = new Graph({ opset: { '': 13 } });
  const x = g.input('x', { dtype: 'float32', shape: ['N', 6, 10, 10] });
  const c = (name: string, shape: number[], values: Float32Array) => g.constant(name, Tensor.from('float32', shape, values));
  let y = g.add('Conv', [x, c('c1.w', [8, 6, 3, 3], separableKernels(8, 6, 3, 2, 1)), c('c1.b', [8], uniform([8], 3))], { pads: attr.ints([1, 1, 1, 1]), kernel_shape: attr.ints([3, 3]) }, { name: 'c1' }).output;
  y = g.add('Relu', [y]).output;
  const strided = { strides: attr.ints([2, 2]), dilations: attr.ints([2, 2]), pads: attr.ints([2, 1, 2, 1]) };
  y = g.add('Conv', [y, c('c2.w', [16, 8, 3, 3], separableKernels(16, 8, 3, 3, 4))], strided, { name: 'c2' }).output;
  y = g.add('Relu', [y]).output;
  y = g.add('Conv', [y, c('c3.w', [2, 16, 3, 3], separableKernels(2, 16, 3, 2, 6)), c('c3.b', [2], uniform([2], 8))], { pads: attr.ints([1, 1, 1, 1]) }, { name: 'c3' }).output;
  g.outputs = [g.add('GlobalAveragePool', [y]).output];
  return createModel(g);
}

/** Every value's declared type, to compare with what shape inference derives. */
const declaredTypes = (model: Model) => new Map([...model.graph.values()].filter((v) => !v.const).map((v) => [v.name, JSON.stringify(v.type)]));

describe('decouple on Convs with exactly separable kernels', () => {
  const input = uniform(CONV_INPUT, 99, 0, 1);
  const run = (model: Model) => runOnce(encodeModelBytes(model), { x: new ort.Tensor('float32', input, CONV_INPUT) });

  for (const form of ['stacked', 'blocks'] as const) {
    it(`splits them exactly (${form}): the same outputs within 1e-4 in onnxruntime-node, fewer MACs, shapes that inference agrees with`, async () => {
      const reference = await run(separableConvs());
      const model = separableConvs();
      // 60 dB: only the exact rank passes; c1 reads the graph input, so input layers are let in.
      const record = await decouple(model, { minSqnrDb: 60, inputLayers: true, form });
      const { facts, diagnostics } = record;
      console.log(`decouple (60 dB, ${form}) on the separable model: ${JSON.stringify(facts)}`);
      const [c1, c2, c3] = ['c1', 'c2', 'c3'].map((n) => layerOf(facts, n)!);
      expect([c1.rank, c2.rank, c3.rank]).toEqual([2, 3, 2]);
      for (const l of [c1, c2, c3]) {
        expect(l.sqnrDb, l.layer).toBeGreaterThan(100);
        // Below the exact rank the error is real; the curve never falls as the rank grows.
        expect(l.sqnrByRank[l.rank - 1], l.layer).toBeLessThan(40);
        const curve = Object.values(l.sqnrByRank);
        expect(curve).toHaveLength(9);
        curve.forEach((db, r) => r && expect(db).toBeGreaterThanOrEqual(curve[r - 1]!));
      }
      // c1, 10×10 outputs: 8·6·9 per position before, 6·2·9 (depthwise) + 8·(6·2) (pointwise) after.
      expect([c1.macsBefore, c1.macsAfter]).toEqual([8 * 6 * 9 * 100, (6 * 2 * 9 + 8 * 12) * 100]);
      // c2, 5×4 outputs (dilated 5×5 window, stride 2, pads 2/1): 16·8·9 per position before, 8·3·9 + 16·24 after.
      expect([c2.macsBefore, c2.macsAfter]).toEqual([16 * 8 * 9 * 20, (8 * 3 * 9 + 16 * 24) * 20]);
      // c3 has 2 outputs: only rank 1 would be cheaper (R·(9 + 2) < 2·9), so it stays, with a note saying why.
      expect(c3.decoupled).toBe(false);
      expect(diagnostics.some((d) => d.node === 'c3' && /would not lower its MACs/.test(d.message))).toBe(true);
      expect(facts['decoupled']).toBe(2);
      expect(facts['macsAfter']).toBe((facts['macsBefore'] as number) - (c1.macsBefore! - c1.macsAfter!) - (c2.macsBefore! - c2.macsAfter!));

      if (form === 'stacked') {
        // One depthwise Conv (group I, I·R kernels, the original window), then the original node as a 1×1 Conv.
        const pointwise = nodeNamed(model, 'c2');
        const depthwise = pointwise.inputs[0]!.producer()!;
        expect(depthwise.attrs['group']).toEqual(attr.int(8));
        expect(depthwise.attrs['strides']).toEqual(attr.ints([2, 2]));
        expect(constantOf(depthwise.inputs[1])!.shape).toEqual([24, 1, 3, 3]);
        expect(constantOf(pointwise.inputs[1])!.shape).toEqual([16, 24, 1, 1]);
        expect(pointwise.attrs['pads']).toBeUndefined();
      } else {
        // Per block a depthwise Conv with one kernel per channel and a 1×1 Conv, summed: c2 (rank 3) ends in two Adds.
        const ops = [...model.graph].map((n) => n.op);
        expect(ops.filter((op) => op === 'Add')).toHaveLength(1 + 2);
        expect(ops.filter((op) => op === 'Conv')).toHaveLength(2 * 2 + 2 * 3 + 1);
        const depthwise = nodeNamed(model, 'c2_depthwise_2');
        expect(depthwise.attrs['group']).toEqual(attr.int(8));
        expect(depthwise.attrs['dilations']).toEqual(attr.ints([2, 2]));
        expect(constantOf(depthwise.inputs[1])!.shape).toEqual([8, 1, 3, 3]);
        expect(model.graph.value('c2.w')).toBeUndefined();
      }

      const declared = declaredTypes(model);
      inferShapes(model.graph);
      expect(declaredTypes(model)).toEqual(declared);
      const inferred = countMacs(model.graph);
      expect(inferred.macs).toBe(facts['macsAfter']);

      const cmp = compareOutputs(await run(model), reference, 0, 1e-4);
      console.log(`decoupled vs original: max abs difference ${cmp.maxAbs.toExponential(2)}`);
      expect(cmp.ok).toBe(true);
    });
  }

  it('by default leaves the input layer alone; a fixed rank replaces the SQNR budget', async () => {
    const model = separableConvs();
    const { facts } = await decouple(model, { rank: 1 });
    expect(layerOf(facts, 'c1')).toBeUndefined();
    const c2 = layerOf(facts, 'c2')!;
    expect(c2.rank).toBe(1);
    expect(c2.decoupled).toBe(true);
    expect(c2.sqnrDb).toBe(c2.sqnrByRank[1]);
    // Rank 1 is cheaper for c3 too.
    expect(layerOf(facts, 'c3')!.decoupled).toBe(true);
  });

  it('bad options stop the pipeline with one CondenseError naming the option', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ rank: 0 }, /Option "rank" of pass "decouple" must be at least 1/],
      [{ rank: 2.5 }, /"rank".*an integer/],
      [{ minSqnrDb: -3 }, /"minSqnrDb".*at least 0/],
      [{ targets: 'gemm' }, /"targets".*one of all, conv, dense/],
      [{ minSqnr: 20 }, /has no option "minSqnr"\. Its options are: minSqnrDb, rank,/],
    ];
    for (const [options, message] of cases) {
      const model = separableConvs();
      const error = await decouple(model, options).catch((e: unknown) => e);
      expect(error, JSON.stringify(options)).toBeInstanceOf(CondenseError);
      expect((error as CondenseError).code).toBe('E_BAD_OPTION');
      expect((error as CondenseError).message).toMatch(message);
    }
  });
});

/** L [rows, rank] · R [rank, cols]: a weight of rank exactly `rank`. */
function lowRankWeight(rows: number, cols: number, rank: number, seed: number): Float32Array {
  const l = uniform([rows, rank], seed);
  const r = uniform([rank, cols], seed + 1);
  return Float32Array.from({ length: rows * cols }, (_, x) => {
    let s = 0;
    for (let k = 0; k < rank; k++) s += l[Math.floor(x / cols) * rank + k]! * r[k * cols + (x % cols)]!;
    return s;
  });
}

/**
 * x [20, 5] → g1: Gemm transA, transB, W [24, 20] rank 3, bias → Relu → g2: Gemm
 * B [24, 30] rank 4, alpha 0.5, beta 2, C → Relu → Reshape [5, 3, 10] →
 * m1: MatMul B [10, 12] rank 2.
 */
function lowRankDense(opset: number): Model {
  const g = new Graph({ opset: { '': opset } });
  const x = g.input('x', { dtype: 'float32', shape: [20, 5] });
  const c = (name: string, shape: number[], values: Float32Array) => g.constant(name, Tensor.from('float32', shape, values));
  let y = g.add('Gemm', [x, c('g1.w', [24, 20], lowRankWeight(24, 20, 3, 1)), c('g1.b', [24], uniform([24], 3))], { transA: attr.int(1), transB: attr.int(1) }, { name: 'g1' }).output;
  y = g.add('Relu', [y]).output;
  y = g.add('Gemm', [y, c('g2.w', [24, 30], lowRankWeight(24, 30, 4, 4)), c('g2.c', [30], uniform([30], 6))], { alpha: attr.float(0.5), beta: attr.float(2) }, { name: 'g2' }).output;
  y = g.add('Relu', [y]).output;
  y = g.add('Reshape', [y, g.constant('shape', Tensor.from('int64', [3], [5n, 3n, 10n]))]).output;
  g.outputs = [g.add('MatMul', [y, c('m1.w', [10, 12], lowRankWeight(10, 12, 2, 7))], {}, { name: 'm1' }).output];
  return createModel(g);
}

describe('decouple on Gemm and MatMul with exactly low-rank weights', () => {
  for (const opset of [9, 13]) {
    it(`factorises them exactly, bias and alpha/beta kept on the second half (opset ${opset})`, async () => {
      const feeds = { x: new ort.Tensor('float32', uniform([20, 5], 21), [20, 5]) };
      const reference = await runOnce(encodeModelBytes(lowRankDense(opset)), feeds);
      const model = lowRankDense(opset);
      // g1 reads the graph input and m1 feeds the graph output: input and output layers are let in.
      const { facts } = await decouple(model, { denseMinSqnrDb: 60, inputLayers: true, outputLayers: true });
      console.log(`decouple on the low-rank dense model (opset ${opset}): ${JSON.stringify(facts)}`);
      const ranks = ['g1', 'g2', 'm1'].map((n) => layerOf(facts, n)!.rank);
      expect(ranks).toEqual([3, 4, 2]);
      // Per row: N·K before, r·(N + K) after; the MatMul has 3 rows per sample.
      expect(facts['macsBefore']).toBe(24 * 20 + 24 * 30 + 3 * 10 * 12);
      expect(facts['macsAfter']).toBe(3 * 44 + 4 * 54 + 3 * 2 * 22);
      const g2 = nodeNamed(model, 'g2');
      expect(constantOf(g2.inputs[1])!.shape).toEqual([4, 30]);
      expect(g2.inputs[2]!.name).toBe('g2.c');
      expect(g2.inputs[0]!.producer()!.inputs.length).toBe(opset < 11 ? 3 : 2);
      const g1 = nodeNamed(model, 'g1');
      expect(g1.attrs['transA']).toBeUndefined();
      expect(constantOf(g1.inputs[1])!.shape).toEqual([24, 3]);
      const declared = declaredTypes(model);
      inferShapes(model.graph);
      expect(declaredTypes(model)).toEqual(declared);
      const cmp = compareOutputs(await runOnce(encodeModelBytes(model), feeds), reference, 0, 1e-4);
      console.log(`factorised vs original: max abs difference ${cmp.maxAbs.toExponential(2)}`);
      expect(cmp.ok).toBe(true);
    });
  }
});

const available = existsSync(FASHION);
if (!available) console.log(`SKIP decoupling accuracy: ${FASHION} is missing (apt-get install dataset-fashion-mnist).`);

describe.skipIf(!available)('decoupling the Fashion-MNIST CNN', () => {
  const runtime = cpuRuntime();
  const load = (): Model => decodeModel(readFileSync(FASHION_CNN));
  const CONVS = ['/stem/stem.0/Conv', '/down1/down1.0/Conv', '/down2/down2.0/Conv'];
  let baseline = 0;
  beforeAll(async () => {
    baseline = await testAccuracy(load(), runtime);
  });

  it('its trained 3×3 kernels are far from separable: SQNR by rank', async () => {
    // A budget no rank below 9 meets: every layer is analysed (the stem too) and none is split.
    const { facts, changed } = await decouple(load(), { minSqnrDb: 200, inputLayers: true, targets: 'conv' });
    const layers = CONVS.map((name) => layerOf(facts, name)!);
    console.log('Fashion CNN 3×3 Convs, weight SQNR (dB) by rank R:');
    console.table(Object.fromEntries(layers.map((l) => [l.layer, l.sqnrByRank])));
    expect(changed).toBe(false);
    for (const l of layers) {
      expect(l.decoupled).toBe(false);
      expect(l.sqnrByRank[9]).toBe(Infinity);
    }
    // Measured 12.37, 10.99 and 10.52 dB at rank 7, the largest that still lowers MACs: a flat spectrum.
    for (const l of layers) expect(l.sqnrByRank[7]).toBeGreaterThan(10);
    for (const l of layers) expect(l.sqnrByRank[7]).toBeLessThan(13);
  });

  it('at 6 dB per Conv and 7 dB per dense layer: within 1 point, a third fewer MACs, a third of the parameters, and onnxruntime-web agrees', async () => {
    const model = load();
    const record = await decouple(model, { minSqnrDb: 6, denseMinSqnrDb: 7 });
    const { facts } = record;
    const accuracy = await testAccuracy(model, runtime);
    const layers = facts['layers'] as DecoupledLayer[];
    console.table(layers.map(({ sqnrByRank: _, ...l }) => ({ ...l, weight: l.weight.join('×') })));
    const macsRatio = (facts['macsBefore'] as number) / (facts['macsAfter'] as number);
    console.log(
      `decouple 6/7 dB: ${accuracy.toFixed(2)}% top-1 (${(accuracy - baseline).toFixed(2)} points), MACs ${facts['macsBefore']} -> ${facts['macsAfter']} (${macsRatio.toFixed(2)}x), parameters ${record.parametersBefore} -> ${record.parametersAfter}`,
    );
    // Measured 91.89% (-0.38 points), 1.48x fewer MACs (ranks 5, 5 and 38), 2.8x fewer parameters.
    expect(baseline - accuracy).toBeLessThanOrEqual(1);
    expect(macsRatio).toBeGreaterThan(1.4);
    expect(record.parametersAfter).toBeLessThan(record.parametersBefore / 2.5);
    // The stem (raw pixels) and the classifier (one row per class) are left alone by default.
    expect(layers.map((l) => l.layer)).toEqual([CONVS[1], CONVS[2], '/head/head.1/Gemm']);
    expect(layers.every((l) => l.decoupled && l.sqnrDb >= (l.op === 'Conv' ? 6 : 7))).toBe(true);
    inferShapes(model.graph);
    expect(countMacs(model.graph).macs).toBe(facts['macsAfter']);
    const wasm = await fashionInWasm(model);
    console.log(`decoupled model in onnxruntime-web: top-1 agreement with onnxruntime-node ${(100 * wasm.top1Agreement).toFixed(1)}%, SQNR ${wasm.sqnrDb.toFixed(1)} dB`);
    expect(wasm.samples).toBe(500);
    expect(wasm.top1Agreement).toBeGreaterThanOrEqual(0.99);
  }, 60_000);
});
