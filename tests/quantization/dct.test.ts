/**
 * DCT-domain weight quantization (dct-quantize, the `dct` preset). First on small
 * Convs and on dense layers with [K, N] weights (Gemm without transB, MatMul),
 * where onnxruntime's decoding subgraph must match a plain-JS decode of the
 * stored coefficients; then on the reference CNN (tools/fixtures/fashion-cnn.onnx)
 * with the 10,000 Fashion-MNIST test images. Size is compared after brotli, as a
 * model is served over the wire: the zeros DCT quantization makes are what a
 * general compressor removes.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Graph, Tensor, attr, compareModels, compress, constantOf, createModel, createRegistry, getInts, type Model, type SampleSource, type Value } from '@condense/core';
import { cpuRuntime } from '@condense/adapter-cpu';
import { wasmRuntime } from '@condense/adapter-wasm';
import { decodeModel, encodeModelBytes } from '@condense/onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { FASHION, FASHION_CNN, testAccuracy, fashionInWasm } from '../helpers/fashion.js';
import { noiseInput, runOnce, uniform } from '../helpers/models.js';
import { allClose, compareOutputs } from '../helpers/ort.js';
import { brotliBytes } from '../helpers/tensors.js';


type DctLayer = { layer: string; kernel: string; count: number; zeroFraction: number; sqnrDb: number; entropyBits: number; linearBits: number; linearSqnrDb: number };

/** Smooth-ish kernels (a per-kernel ramp plus noise), as trained convolutions tend to be. */
function kernels(shape: number[], seed: number): Tensor {
  const k = shape[3]!;
  let s = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.from('float32', shape, Float32Array.from({ length: n }, (_, i) => {
    s = (s * 1103515245 + 12345) >>> 0;
    return 0.05 * ((s >>> 8) / 2 ** 23 - 1) + 0.1 * ((i % k) - (k - 1) / 2) * Math.sin(Math.floor(i / (k * k)));
  }));
}

/** Drops the values past `size` along `axis` (the decoder's Slice of the padded input channels). */
function crop(data: Float32Array, shape: number[], axis: number, size: number): Float32Array {
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const [from, to] = [shape[axis]! * inner, size * inner];
  const out = new Float32Array((data.length / from) * to);
  for (let o = 0; o < data.length / from; o++) out.set(data.subarray(o * from, o * from + to), o * to);
  return out;
}

/**
 * The weight a dct decoding subgraph ending in `v` computes, in plain JS from
 * the stored constants (Cast → Mul by steps → MatMul by the basis → Reshape,
 * then Slice for padded input channels and Transpose for [K, N] weights),
 * independently of the pass's own decoder; undefined when `v` is not decoded.
 */
function jsDecode(v: Value): Tensor | undefined {
  let p = v.producer();
  const transpose = p?.op === 'Transpose' ? p : undefined;
  if (transpose) p = transpose.inputs[0]!.producer();
  const slice = p?.op === 'Slice' ? p : undefined;
  if (slice) p = slice.inputs[0]!.producer();
  if (p?.op !== 'Reshape') return undefined;
  const matmul = p.inputs[0]!.producer()!;
  const mul = matmul.inputs[0]!.producer()!;
  const cast = mul.inputs[0]!.producer()!;
  const [q, steps, basis] = [constantOf(cast.inputs[0])!, constantOf(mul.inputs[1])!, constantOf(matmul.inputs[1])!].map((t) => t.toNumbers());
  const n = steps!.length;
  let w = new Float32Array(q!.length);
  for (let off = 0; off < w.length; off += n)
    for (let c = 0; c < n; c++) {
      let sum = 0;
      for (let r = 0; r < n; r++) sum += Math.fround(q![off + r]! * steps![r]!) * basis![r * n + c]!;
      w[off + c] = sum;
    }
  const shape = constantOf(p.inputs[1])!.toNumbers();
  if (slice) {
    // Opset 10 and later take ends and axes as inputs, earlier ones as attributes.
    const [end] = slice.inputs[2] ? constantOf(slice.inputs[2])!.toNumbers() : getInts(slice.attrs, 'ends')!;
    const [axis] = slice.inputs[3] ? constantOf(slice.inputs[3])!.toNumbers() : getInts(slice.attrs, 'axes')!;
    w = crop(w, shape, axis!, end!);
    shape[axis!] = end!;
  }
  if (!transpose) return Tensor.from('float32', shape, w);
  expect(getInts(transpose.attrs, 'perm')).toEqual([1, 0]);
  const [rows, cols] = shape as [number, number];
  return Tensor.from('float32', [cols, rows], Float32Array.from({ length: w.length }, (_, i) => w[(i % rows) * cols + Math.floor(i / rows)]!));
}

/** Replaces every dct-decoded weight (Conv, Gemm, MatMul input 1) by its plain-JS decode, as a float initializer; the decodes in graph order. */
function replaceWithJsDecode(model: Model): Float32Array[] {
  const decoded: Float32Array[] = [];
  for (const node of model.graph) {
    const w = ['Conv', 'Gemm', 'MatMul'].includes(node.op) ? jsDecode(node.inputs[1]!) : undefined;
    if (!w) continue;
    node.replaceInput(1, model.graph.constant(`${node.name}_js_weight`, w));
    decoded.push(w.data<'float32'>());
  }
  return decoded;
}

function sqnrDb(original: Float32Array, approx: Float32Array): number {
  let signal = 0;
  let noise = 0;
  original.forEach((v, i) => ((signal += v * v), (noise += (v - approx[i]!) ** 2)));
  return 10 * Math.log10(signal / noise);
}

describe('dct-quantize on small Convs', () => {
  it('onnxruntime-node decodes the stored coefficients to the same Conv outputs as plain JS (within 1e-5)', async () => {
    const g = new Graph({ opset: { '': 13 } });
    const x = g.input('x', { dtype: 'float32', shape: [2, 8, 12, 12] });
    const a = g.add('Conv', [x, g.constant('w3', kernels([16, 8, 3, 3], 1))], { pads: attr.ints([1, 1, 1, 1]) }, { name: 'conv3' }).output;
    // A grouped 5×5 Conv: the kernels are decoded the same whatever the grouping.
    const b = g.add('Conv', [a, g.constant('w5', kernels([16, 4, 5, 5], 2))], { group: attr.int(4), pads: attr.ints([2, 2, 2, 2]) }, { name: 'conv5' }).output;
    const c = g.add('Conv', [b, g.constant('w1', kernels([8, 16, 1, 1], 3))], {}, { name: 'conv1' }).output;
    g.outputs = [a, b, c];
    const model = createModel(g);
    const originals = ['w3', 'w5'].map((name) => constantOf(g.value(name))!.data<'float32'>().slice());
    const result = await compress(model, { passes: [{ pass: 'dct-quantize', options: { minElements: 1000, quality: 50 } }] }, { registry: createRegistry() });
    const layers = result.passes[0]!.facts['layers'] as DctLayer[];
    // The 1×1 Conv is not a DCT candidate.
    expect(layers.map((l) => l.kernel)).toEqual(['3x3', '5x5']);
    for (const l of layers) expect(l.sqnrDb, l.layer).toBeGreaterThan(15);
    const reference = decodeModel(encodeModelBytes(model));
    const decoded = replaceWithJsDecode(reference);
    // The stored constants decode to the original kernels, up to the quantization noise.
    expect(decoded).toHaveLength(2);
    decoded.forEach((w, i) => expect(sqnrDb(originals[i]!, w), layers[i]!.layer).toBeCloseTo(layers[i]!.sqnrDb, 1));
    const feeds = { x: noiseInput([2, 8, 12, 12]) };
    const cmp = compareOutputs(await runOnce(encodeModelBytes(model), feeds), await runOnce(encodeModelBytes(reference), feeds), 0, 1e-5);
    console.log(`onnxruntime decode vs JS decode: max abs difference ${cmp.maxAbs}`);
    expect(cmp.ok, `max abs difference ${cmp.maxAbs}`).toBe(true);
  });
});

/**
 * A [K, N] weight smooth along K (per output column a cosine of random
 * frequency, phase and amplitude) plus uniform noise in ±`noise`, and random
 * along N: runs of 8 along K have something to compact, runs along N would not.
 */
function smoothAlongK(k: number, n: number, seed: number, noise: number): Tensor {
  const [freq, phase, amp] = [uniform([n], seed, 0, 3), uniform([n], seed + 1, 0, Math.PI), uniform([n], seed + 2, 0.05, 0.3)];
  const values = uniform([k, n], seed + 3, -noise, noise).map((e, i) => {
    const [row, col] = [Math.floor(i / n), i % n];
    return amp[col]! * Math.cos((Math.PI * freq[col]! * (row + 0.5)) / k + phase[col]!) + e;
  });
  return Tensor.from('float32', [k, n], values);
}

const DENSE_INPUT = [16, 100];
const BATCHED_INPUT = [2, 4, 64];
const IMAGE_INPUT = [2, 12, 4, 4];

/**
 * x [16, 100] → Gemm (transB 0, W [100, 64]: K = 100 is not a whole number of
 * runs of 8) → Relu → MatMul (W [64, 40]) + Add → y, both weights smooth along
 * K; a 1×1 Conv with 12 input channels (also padded) and random weights; and a
 * batched MatMul, z [2, 4, 64] × W [2, 64, 8], which the pass must leave in float.
 */
function denseModel(opset: number): Model {
  const g = new Graph({ opset: { '': opset } });
  const x = g.input('x', { dtype: 'float32', shape: DENSE_INPUT });
  const z = g.input('z', { dtype: 'float32', shape: BATCHED_INPUT });
  const c = (name: string, shape: number[], values: Float32Array) => g.constant(name, Tensor.from('float32', shape, values));
  const fc1 = g.add('Gemm', [x, g.constant('fc1.w', smoothAlongK(100, 64, 1, 0.02)), c('fc1.b', [64], uniform([64], 5, -0.1, 0.1))], {}, { name: 'fc1' }).output;
  const fc2 = g.add('MatMul', [g.add('Relu', [fc1]).output, g.constant('fc2.w', smoothAlongK(64, 40, 11, 0.02))], {}, { name: 'fc2' }).output;
  const y = g.add('Add', [fc2, c('fc2.b', [40], uniform([40], 6, -0.1, 0.1))], {}, { name: 'fc2_bias' }).output;
  const batched = g.add('MatMul', [z, c('batched.w', [2, 64, 8], uniform([2, 64, 8], 7))], {}, { name: 'batched' }).output;
  const image = g.input('u', { dtype: 'float32', shape: IMAGE_INPUT });
  const conv = g.add('Conv', [image, c('conv.w', [96, 12, 1, 1], uniform([96, 12, 1, 1], 8, -0.3, 0.3))], {}, { name: 'conv' }).output;
  g.outputs = [y, batched, conv];
  return createModel(g);
}

const denseFeeds = (seed: number) => ({ x: noiseInput(DENSE_INPUT, seed), z: noiseInput(BATCHED_INPUT, seed + 1), u: noiseInput(IMAGE_INPUT, seed + 2) });
const dense = { passes: [{ pass: 'dct-quantize', options: { dense: true } }] };

describe('dct-quantize (dense) on [K, N] weights (Gemm without transB, MatMul) and input channels not a whole number of runs', () => {
  for (const opset of [13, 9]) {
    it(`opset ${opset}: the three layers are coded along their inputs and reported; onnxruntime-node decodes them as plain JS does (within 1e-6); every output within 8% of its range of the original (SQNR > 18 dB)`, async () => {
      const model = denseModel(opset);
      const originals = ['fc1.w', 'fc2.w', 'conv.w'].map((name) => constantOf(model.graph.value(name))!.data<'float32'>().slice());
      const result = await compress(model, dense, { registry: createRegistry() });
      const layers = result.passes[0]!.facts['layers'] as DctLayer[];
      console.log(`opset ${opset}`);
      console.table(layers);
      expect(layers.map((l) => `${l.layer}:${l.kernel}:${l.count}`)).toEqual(['fc1.w:1x8:6400', 'fc2.w:1x8:2560', 'conv.w:1x8:1152']);
      for (const l of layers) expect(l.sqnrDb, l.layer).toBeGreaterThan(18);
      // Smooth along K: at the same bits per weight the DCT beats linear quantization, which it would not if the runs went along N.
      for (const l of layers.slice(0, 2)) expect(l.sqnrDb, l.layer).toBeGreaterThan(l.linearSqnrDb + 3);
      // Opset 9 crops the padding with Slice's attributes, 10 and later with its inputs; [K, N] weights are transposed back.
      const decoderOf = (name: string) => [...model.graph].find((n) => n.name === name)!.inputs[1]!.producer()!;
      expect(decoderOf('fc1').op).toBe('Transpose');
      expect(decoderOf('fc1').inputs[0]!.producer()?.op).toBe('Slice');
      expect(decoderOf('fc2').inputs[0]!.producer()?.op).toBe('Reshape');
      expect(decoderOf('conv').op).toBe('Slice');
      // The batched MatMul keeps its float weight.
      expect(constantOf([...model.graph].find((n) => n.name === 'batched')!.inputs[1])?.shape).toEqual([2, 64, 8]);

      // The weights onnxruntime decodes, fetched as outputs, against a plain-JS decode of the stored constants.
      const probe = decodeModel(encodeModelBytes(model));
      const decodedValues = ['fc1', 'fc2', 'conv'].map((name) => [...probe.graph].find((n) => n.name === name)!.inputs[1]!);
      probe.graph.outputs = [...probe.graph.outputs, ...decodedValues];
      const fetched = await runOnce(encodeModelBytes(probe), denseFeeds(1));
      const jsModel = decodeModel(encodeModelBytes(model));
      const jsDecoded = replaceWithJsDecode(jsModel);
      expect(jsDecoded.map((w) => w.length)).toEqual([6400, 2560, 1152]);
      decodedValues.forEach((v, i) => {
        const ortWeight = fetched[v.name]!;
        expect(ortWeight.dims).toEqual([[100, 64], [64, 40], [96, 12, 1, 1]][i]);
        const maxAbs = Math.max(...Array.from(ortWeight.data as Float32Array, (a, j) => Math.abs(a - jsDecoded[i]![j]!)));
        expect(maxAbs, v.name).toBeLessThan(1e-6);
        // The JS decode matches the original as well as the pass reports.
        expect(sqnrDb(originals[i]!, jsDecoded[i]!), layers[i]!.layer).toBeCloseTo(layers[i]!.sqnrDb, 1);
      });

      const feeds = denseFeeds(2);
      const [before, after] = [await runOnce(encodeModelBytes(denseModel(opset)), feeds), await runOnce(encodeModelBytes(model), feeds)];
      for (const [name, reference] of Object.entries(before)) {
        const range = Math.max(...Array.from(reference.data as Float32Array, Math.abs));
        const close = allClose(after[name]!, reference, 0, 0.08 * range);
        const outputSqnr = sqnrDb(reference.data as Float32Array, after[name]!.data as Float32Array);
        console.log(`opset ${opset}, output ${name}: SQNR ${outputSqnr.toFixed(1)} dB against the original, max abs difference ${close.maxAbs.toExponential(2)} (values within ±${range.toFixed(2)})`);
        expect(outputSqnr, name).toBeGreaterThan(18);
        expect(close.ok, `${name}: max abs difference ${close.maxAbs}`).toBe(true);
      }
    });
  }

  it('onnxruntime folds the decoding at load, onnxruntime-web runs the model as onnxruntime-node does, and brotli shrinks it', async () => {
    const model = denseModel(13);
    await compress(model, dense, { registry: createRegistry() });
    const bytes = encodeModelBytes(model);
    // Cast, Mul, the basis MatMul, Reshape, Slice and Transpose fold away: the optimized graph has the original's nodes.
    const folded = async (b: Uint8Array) => {
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'condense-dct-')), 'optimized.onnx');
      await runOnce(b, denseFeeds(1), { graphOptimizationLevel: 'basic', optimizedModelFilePath: file });
      return [...decodeModel(readFileSync(file)).graph].map((n) => n.op).sort();
    };
    expect(await folded(bytes)).toEqual(await folded(encodeModelBytes(denseModel(13))));

    const samples: SampleSource = (async function* () {
      for (const seed of [3, 4, 5, 6]) {
        const feeds = denseFeeds(seed);
        yield Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, Tensor.from('float32', [...t.dims], t.data as Float32Array)]));
      }
    })();
    const wasm = await compareModels(cpuRuntime(), model.graph, model.graph, samples, { candidateRuntime: wasmRuntime() });
    console.log(`coded model in onnxruntime-web vs onnxruntime-node: ${JSON.stringify(wasm)}`);
    expect(wasm.samples).toBe(64);
    expect(wasm.sqnrDb).toBeGreaterThan(80);

    const ratio = brotliBytes(encodeModelBytes(denseModel(13))) / brotliBytes(bytes);
    console.log(`dense layers in DCT runs: brotli ${ratio.toFixed(2)}x smaller (the batched MatMul's 4 KB weight stays float)`);
    expect(ratio).toBeGreaterThan(4);
  });
});

const available = existsSync(FASHION);
if (!available) console.log(`SKIP DCT quantization accuracy: ${FASHION} is missing (apt-get install dataset-fashion-mnist).`);

describe.skipIf(!available)('dct-quantize on the Fashion-MNIST CNN', () => {
  const runtime = cpuRuntime();
  const load = (): Model => decodeModel(readFileSync(FASHION_CNN));
  let baseline = 0;
  let floatBrotli = 0;
  beforeAll(async () => {
    baseline = await testAccuracy(load(), runtime);
    floatBrotli = brotliBytes(readFileSync(FASHION_CNN));
  });

  /** onnxruntime-web gives the same predictions as onnxruntime-node on 500 test images. */
  async function expectSameInWasm(model: Model) {
    const f = await fashionInWasm(model);
    expect(f.samples).toBe(500);
    expect(f.top1Agreement).toBeGreaterThanOrEqual(0.99);
  }

  const run = async (recipe: Parameters<typeof compress>[1], label: string) => {
    const model = load();
    const result = await compress(model, recipe, { registry: createRegistry(), runtime });
    const accuracy = await testAccuracy(model, runtime);
    const ratio = floatBrotli / brotliBytes(encodeModelBytes(model));
    console.log(`${label}: ${accuracy.toFixed(2)}% top-1 (${(accuracy - baseline).toFixed(2)} points, float ${baseline.toFixed(2)}%), brotli ${ratio.toFixed(2)}x smaller`);
    return { model, result, accuracy, ratio };
  };

  it('the dct preset (k×k kernels in 2-D, 1×1 and dense weights in runs of 8) loses at most 1 point, is at least 6x smaller after brotli, and runs in onnxruntime-web', async () => {
    const { model, result, accuracy, ratio } = await run({ preset: 'dct' }, 'dct preset');
    const layers = result.passes.find((p) => p.pass === 'dct-quantize')!.facts['layers'] as DctLayer[];
    console.table(layers);
    // Every weight of 1024+ values: down1 and down2 (3×3), the 1×1 Conv and both Gemms (stem and the depthwise block are smaller).
    expect(layers.map((l) => `${l.kernel}:${l.count}`)).toEqual(['3x3:18432', '1x8:4096', '3x3:36864', '1x8:401408', '1x8:1280']);
    for (const l of layers) {
      expect(l.zeroFraction, l.layer).toBeGreaterThan(0.05);
      expect(l.sqnrDb, l.layer).toBeGreaterThan(15);
      expect(l.linearBits).toBe(Math.min(8, Math.max(2, Math.round(l.entropyBits))));
    }
    expect([...model.graph].filter((n) => n.op === 'MatMul')).toHaveLength(5);
    expect(baseline - accuracy).toBeLessThanOrEqual(1);
    expect(ratio).toBeGreaterThanOrEqual(6);
    await expectSameInWasm(model);
  }, 120_000);

  it('on k×k kernels only it shrinks the file a little; with 4-bit weights for the rest it is at least 6x smaller (8-bit is not)', async () => {
    const convOnly = await run({ preset: 'cleanup', passes: ['dct-quantize'] }, 'dct, k×k kernels only');
    // The 3×3 Conv weights are 12% of the model's values.
    expect(convOnly.ratio).toBeGreaterThan(1.05);
    expect(convOnly.ratio).toBeLessThan(2);
    const dct = { pass: 'dct-quantize' };
    const int8 = await run({ preset: 'cleanup', passes: [dct, 'quantize-weights'] }, 'dct + int8 weights');
    const int4 = await run({ preset: 'cleanup', passes: [dct, { pass: 'quantize-weights', options: { bits: 4 } }] }, 'dct + int4 weights');
    expect(int8.ratio).toBeLessThan(6);
    expect(int4.ratio).toBeGreaterThanOrEqual(6);
    expect(baseline - int4.accuracy).toBeLessThanOrEqual(1);
    await expectSameInWasm(int4.model);
  }, 120_000);
});
