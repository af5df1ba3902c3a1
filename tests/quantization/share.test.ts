/**
 * Filter sharing (share-filters, the `share` preset). A built model with
 * deliberately duplicated filters proves that merging removes channels and
 * keeps the outputs (onnxruntime-node and onnxruntime-web); the reference CNN
 * (tools/fixtures/fashion-cnn.onnx) measures accuracy on the 10,000
 * Fashion-MNIST test images and size, raw and after brotli (as served).
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpuRuntime } from '@condense/adapter-cpu';
import { wasmRuntime } from '@condense/adapter-wasm';
import { Graph, Tensor, attr, compareModels, compress, createModel, createRegistry, type Model, type RecipeStep, type SampleSource } from '@condense/core';
import { decodeModel, encodeModelBytes } from '@condense/onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { FASHION, FASHION_CNN, testAccuracy, fashionInWasm } from '../helpers/fashion.js';
import { noiseInput, runOnce } from '../helpers/models.js';
import { compareOutputs, ort } from '../helpers/ort.js';
import { brotliBytes } from '../helpers/tensors.js';

const uniform = (shape: number[], seed: number, lo = -1, hi = 1) => Float32Array.from(noiseInput(shape, seed).data as Float32Array, (v) => lo + (hi - lo) * v);
const INPUT = [8, 3, 10, 10];

/**
 * Conv1's 12 filters are scaled copies of 4 random ones: (filter, scale, bias).
 * Six copies have a positive scale and the bias-to-scale ratio of the first
 * copy, so they can merge; one has a negative scale and one a different ratio,
 * so they share a centroid but stay channels.
 */
const COPIES: Array<[number, number, number]> = [
  [0, 1, 0.1], [0, 2, 0.2], [0, 0.5, 0.05],
  [1, 1.5, -0.3], [1, 3, -0.6], [1, -1, 0.2],
  [2, 1, 0.3], [2, 2, 0.1], [3, 0.7, 0],
  [3, 1.4, 0], [2, 1.2, 0.36], [3, 1, 0],
];
const MERGEABLE = 6;

/** x → Conv1 (12 filters) → Relu → Conv2 → Relu → pooled → Gemm. */
function duplicatedFilters(): Model {
  const g = new Graph({ opset: { '': 13 } });
  const x = g.input('x', { dtype: 'float32', shape: ['N', ...INPUT.slice(1)] });
  const c = (name: string, shape: number[], values: Float32Array) => g.constant(name, Tensor.from('float32', shape, values));
  const base = uniform([4, 27], 1);
  const w1 = new Float32Array(12 * 27);
  COPIES.forEach(([f, s], o) => w1.set(base.subarray(f * 27, (f + 1) * 27).map((v) => s * v), o * 27));
  const pad = { pads: attr.ints([1, 1, 1, 1]) };
  let y = g.add('Conv', [x, c('c1.w', [12, 3, 3, 3], w1), c('c1.b', [12], Float32Array.from(COPIES, ([, , b]) => b))], pad, { name: 'c1' }).output;
  y = g.add('Relu', [y]).output;
  y = g.add('Conv', [y, c('c2.w', [8, 12, 3, 3], uniform([8, 12, 3, 3], 2, -0.3, 0.3)), c('c2.b', [8], uniform([8], 3, -0.1, 0.1))], pad, { name: 'c2' }).output;
  y = g.add('Relu', [y]).output;
  y = g.add('Flatten', [g.add('GlobalAveragePool', [y]).output]).output;
  g.outputs = [g.add('Gemm', [y, c('fc.w', [10, 8], uniform([10, 8], 4)), c('fc.b', [10], uniform([10], 5))], { transB: attr.int(1) }, { name: 'fc' }).output];
  return createModel(g);
}

const run = async (model: Model, input: Float32Array) => runOnce(encodeModelBytes(model), { x: new ort.Tensor('float32', input, INPUT) });

const share = async (model: Model, options: Record<string, unknown>) => {
  const result = await compress(model, { preset: 'cleanup', passes: [{ pass: 'share-filters', options }] }, { registry: createRegistry() });
  return result.passes.find((p) => p.pass === 'share-filters')!.facts;
};

describe('share-filters on a model with duplicated filters', () => {
  const input = uniform(INPUT, 99, 0, 1);

  it('merges the proportional channels: outputs equal the original within 1e-4, fewer MACs', async () => {
    const reference = await run(duplicatedFilters(), input);
    const model = duplicatedFilters();
    // 60 dB: Conv1's exact sharing passes, Conv2's random filters cannot be shared, so the model computes what the original does.
    const facts = await share(model, { minSqnrDb: 60 });
    console.log(`share-filters (60 dB) on the duplicated-filter model: ${JSON.stringify(facts)}`);
    expect(facts['channelsRemoved']).toBe(MERGEABLE);
    // Conv1: O·27·100 MACs; Conv2: 8·O·9·100.
    expect(facts['macsBefore']).toBe(12 * 27 * 100 + 8 * 12 * 9 * 100);
    expect(facts['macsAfter']).toBe((12 - MERGEABLE) * 27 * 100 + 8 * (12 - MERGEABLE) * 9 * 100);
    expect(facts['macsAfter'] as number).toBeLessThan(facts['macsBefore'] as number);
    const c1 = [...model.graph].find((n) => n.name === 'c1')!;
    expect(c1.inputs[1]!.producer()?.op).toBe('Mul');
    const cmp = compareOutputs(await run(model, input), reference, 0, 1e-4);
    console.log(`merged vs original: max abs difference ${cmp.maxAbs.toExponential(2)}`);
    expect(cmp.ok).toBe(true);

    // The same merged model in onnxruntime-web (WASM) against the original in onnxruntime-node.
    const samples: SampleSource = (async function* () {
      for (const seed of [7, 8, 9, 10]) yield { x: Tensor.from('float32', INPUT, uniform(INPUT, seed, 0, 1)) };
    })();
    const wasm = await compareModels(cpuRuntime(), duplicatedFilters().graph, model.graph, samples, { candidateRuntime: wasmRuntime() });
    console.log(`merged model in onnxruntime-web vs original in onnxruntime-node: ${JSON.stringify(wasm)}`);
    expect(wasm.samples).toBe(32);
    expect(wasm.top1Agreement).toBe(1);
    expect(wasm.sqnrDb).toBeGreaterThan(80);
  });

  it('merging keeps the outputs of the shared model (default 20 dB)', async () => {
    const unmerged = duplicatedFilters();
    const unmergedFacts = await share(unmerged, { merge: false });
    const merged = duplicatedFilters();
    const facts = await share(merged, {});
    console.log(`share-filters (20 dB): ${JSON.stringify(facts)}`);
    expect(unmergedFacts['channelsRemoved']).toBe(0);
    expect(unmergedFacts['macsAfter']).toBe(unmergedFacts['macsBefore']);
    expect(facts['channelsRemoved']).toBe(MERGEABLE);
    const layers = facts['layers'] as Array<{ conv: string; filters: number; centroids: number; sqnrDb: number }>;
    expect(layers.find((l) => l.conv === 'c1')!.centroids).toBe(4);
    for (const l of layers) expect(l.sqnrDb, l.conv).toBeGreaterThanOrEqual(20);
    const cmp = compareOutputs(await run(merged, input), await run(unmerged, input), 0, 1e-4);
    expect(cmp.ok).toBe(true);
  });
});

const available = existsSync(FASHION);
if (!available) console.log(`SKIP filter sharing accuracy: ${FASHION} is missing (apt-get install dataset-fashion-mnist).`);


describe.skipIf(!available)('filter sharing on the Fashion-MNIST CNN', () => {
  const runtime = cpuRuntime();
  const load = (): Model => decodeModel(readFileSync(FASHION_CNN));
  let baseline = 0;
  const floatBytes = readFileSync(FASHION_CNN);
  beforeAll(async () => {
    baseline = await testAccuracy(load(), runtime);
  });

  const measure = async (label: string, passes: RecipeStep[], options: Record<string, unknown> = {}) => {
    const model = load();
    const result = await compress(model, { preset: 'share', options: { 'share-filters': options }, passes }, { registry: createRegistry(), runtime });
    const facts = result.passes.find((p) => p.pass === 'share-filters')!.facts;
    const accuracy = await testAccuracy(model, runtime);
    const bytes = encodeModelBytes(model);
    const raw = floatBytes.byteLength / bytes.byteLength;
    const wire = brotliBytes(floatBytes) / brotliBytes(bytes);
    console.log(`${label}: ${accuracy.toFixed(2)}% top-1 (${(accuracy - baseline).toFixed(2)} points), ${raw.toFixed(2)}x smaller raw, ${wire.toFixed(2)}x after brotli`);
    return { model, facts, drop: baseline - accuracy, raw, wire };
  };

  it('the share preset loses at most 1 point and runs the same in onnxruntime-web', async () => {
    const { model, facts, drop, raw, wire } = await measure('share preset', []);
    console.table(facts['layers']);
    console.log(`Conv MACs ${facts['macsBefore']} -> ${facts['macsAfter']}, channels removed ${facts['channelsRemoved']}`);
    expect(drop).toBeLessThanOrEqual(1);
    expect(raw).toBeGreaterThan(1);
    expect(wire).toBeGreaterThan(1);
    const wasm = await fashionInWasm(model);
    console.log(`share preset in onnxruntime-web: top-1 agreement with onnxruntime-node ${(100 * wasm.top1Agreement).toFixed(1)}%, SQNR ${wasm.sqnrDb.toFixed(1)} dB`);
    expect(wasm.samples).toBe(500);
    expect(wasm.top1Agreement).toBeGreaterThanOrEqual(0.99);
  }, 120_000);

  // Measured: no int8 combination reaches 6x after brotli (the 128x3136 Gemm, 86% of the values, is not a Conv and is not shared); dense sharing with 4-bit weights does.
  it('with quantized weights after it: int8 loses at most 1 point but stays under 6x after brotli; dense + 4-bit reaches 6x', async () => {
    const int8 = await measure('share + int8 weights', ['quantize-weights']);
    const denseInt8 = await measure('share (dense) + int8 weights', ['quantize-weights'], { dense: true });
    const denseInt4 = await measure('share (dense) + 4-bit weights', [{ pass: 'quantize-weights', options: { bits: 4 } }], { dense: true });
    const loose = await measure('share (dense, 15 dB) + 4-bit weights', [{ pass: 'quantize-weights', options: { bits: 4 } }], { dense: true, minSqnrDb: 15 });
    for (const r of [int8, denseInt8, denseInt4]) expect(r.drop).toBeLessThanOrEqual(1);
    // Gather-stored Conv weights are not constants, so quantize-weights leaves them float; dense storage lets it quantize them.
    expect(denseInt8.wire).toBeGreaterThan(int8.wire);
    expect(int8.wire).toBeGreaterThanOrEqual(3);
    expect(denseInt8.wire).toBeGreaterThanOrEqual(4);
    expect(denseInt8.wire).toBeLessThan(6);
    expect(denseInt4.wire).toBeGreaterThanOrEqual(6);
    // Why the default is 20 dB: at 15 dB the Conv layers share more and accuracy falls.
    expect(loose.drop).toBeGreaterThan(1);
  }, 240_000);
});
