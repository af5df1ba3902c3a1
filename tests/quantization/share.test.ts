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
import { runOnce, uniform } from '../helpers/models.js';
import { INPUT, MERGEABLE, duplicatedFilters } from '../helpers/duplicated-filters.js';
import { compareOutputs, ort } from '../helpers/ort.js';
import { brotliBytes } from '../helpers/tensors.js';

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
    // Conv1: O·27·100 MACs; Conv2: 8·O·9·100; the Gemm: 8·10.
    expect(facts['macsBefore']).toBe(12 * 27 * 100 + 8 * 12 * 9 * 100 + 80);
    expect(facts['macsAfter']).toBe((12 - MERGEABLE) * 27 * 100 + 8 * (12 - MERGEABLE) * 9 * 100 + 80);
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

  it('merging keeps the outputs of the shared model (default 25 dB)', async () => {
    const unmerged = duplicatedFilters();
    const unmergedFacts = await share(unmerged, { merge: false });
    const merged = duplicatedFilters();
    const facts = await share(merged, {});
    console.log(`share-filters (25 dB): ${JSON.stringify(facts)}`);
    expect(unmergedFacts['channelsRemoved']).toBe(0);
    expect(unmergedFacts['macsAfter']).toBe(unmergedFacts['macsBefore']);
    // At 25 dB the copy with a different bias-to-scale ratio joins its direction's centroid (its bias moves with it), so it merges too.
    expect(facts['channelsRemoved']).toBe(MERGEABLE + 1);
    const layers = facts['layers'] as Array<{ layer: string; filters: number; centroids: number; sqnrDb: number }>;
    expect(layers.find((l) => l.layer === 'c1')!.centroids).toBe(4);
    for (const l of layers) expect(l.sqnrDb, l.layer).toBeGreaterThanOrEqual(25);
    const cmp = compareOutputs(await run(merged, input), await run(unmerged, input), 0, 1e-4);
    expect(cmp.ok).toBe(true);
  });
});

/** x [N, 6] → Gemm (B [6, 16], not transposed) → Relu → Gemm: the 16 hidden neurons are 8 random ones, each twice (the copy scaled by 2, bias too). */
function duplicatedNeurons(): Model {
  const g = new Graph({ opset: { '': 13 } });
  const x = g.input('x', { dtype: 'float32', shape: ['N', 6] });
  const base = uniform([6, 8], 11);
  const w = new Float32Array(6 * 16);
  for (let i = 0; i < 6; i++) for (let o = 0; o < 16; o++) w[i * 16 + o] = (o < 8 ? 1 : 2) * base[i * 8 + (o % 8)]!;
  const b = uniform([8], 12, -0.2, 0.2);
  const bias = Float32Array.from({ length: 16 }, (_, o) => (o < 8 ? 1 : 2) * b[o % 8]!);
  const c = (name: string, shape: number[], values: Float32Array) => g.constant(name, Tensor.from('float32', shape, values));
  const h = g.add('Relu', [g.add('Gemm', [x, c('fc1.w', [6, 16], w), c('fc1.b', [16], bias)], {}, { name: 'fc1' }).output]).output;
  g.outputs = [g.add('Gemm', [h, c('fc2.w', [16, 4], uniform([16, 4], 13)), c('fc2.b', [4], uniform([4], 14))], {}, { name: 'fc2' }).output];
  return createModel(g);
}

describe('share-filters on a fully connected layer with duplicated neurons', () => {
  it('merges them (B stored as [K, N]): half the neurons, the same outputs', async () => {
    const input = uniform([5, 6], 15);
    const feeds = { x: new ort.Tensor('float32', input, [5, 6]) };
    const reference = await runOnce(encodeModelBytes(duplicatedNeurons()), feeds);
    const model = duplicatedNeurons();
    // 60 dB: exact sharing only (the default 6 dB for hidden layers would also merge distinct neurons).
    const facts = await share(model, { denseMinSqnrDb: 60 });
    console.log(`share-filters on duplicated neurons: ${JSON.stringify(facts)}`);
    expect(facts['channelsRemoved']).toBe(8);
    expect(facts['macsAfter']).toBe(6 * 8 + 8 * 4);
    const fc1 = [...model.graph].find((n) => n.name === 'fc1')!;
    // The shared weight is written as rows, so the Gemm now reads it transposed.
    expect(fc1.attrs['transB']).toBeDefined();
    const cmp = compareOutputs(await runOnce(encodeModelBytes(model), feeds), reference, 0, 1e-4);
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

  it('the share preset loses at most 1 point, merges the dense layer\'s neurons and runs the same in onnxruntime-web', async () => {
    const { model, facts, drop, raw, wire } = await measure('share preset', []);
    console.table(facts['layers']);
    console.log(`MACs ${facts['macsBefore']} -> ${facts['macsAfter']}, channels removed ${facts['channelsRemoved']}`);
    expect(drop).toBeLessThanOrEqual(1);
    // Measured 1.81x: the 128-neuron hidden layer keeps 88, and its 3136-wide rows are 86% of the model.
    expect(raw).toBeGreaterThan(1.5);
    expect(wire).toBeGreaterThan(1.5);
    const layers = facts['layers'] as Array<{ layer: string; filters: number; channelsRemoved: number }>;
    const hidden = layers.find((l) => l.layer === '/head/head.1/Gemm')!;
    expect(hidden.channelsRemoved).toBeGreaterThanOrEqual(24);
    // Kept channels stay a multiple of 8, and the output layer (one row per class) is not shared.
    expect((hidden.filters - hidden.channelsRemoved) % 8).toBe(0);
    expect(layers.some((l) => l.layer === '/head/head.3/Gemm')).toBe(false);
    expect(facts['macsAfter'] as number).toBeLessThan((facts['macsBefore'] as number) - 24 * 3136);
    const gemm = [...model.graph].find((n) => n.name === '/head/head.1/Gemm')!;
    expect(gemm.inputs[1]!.type?.shape?.[0]).toBe(hidden.filters - hidden.channelsRemoved);
    const wasm = await fashionInWasm(model);
    console.log(`share preset in onnxruntime-web: top-1 agreement with onnxruntime-node ${(100 * wasm.top1Agreement).toFixed(1)}%, SQNR ${wasm.sqnrDb.toFixed(1)} dB`);
    expect(wasm.samples).toBe(500);
    expect(wasm.top1Agreement).toBeGreaterThanOrEqual(0.99);
  }, 120_000);

  it('with int8 weights after it (dense storage): 6x smaller after brotli within 1 point, and onnxruntime-web agrees', async () => {
    const gathered = await measure('share + int8 weights', ['quantize-weights']);
    const dense = await measure('share (dense) + int8 weights', ['quantize-weights'], { dense: true });
    for (const r of [gathered, dense]) expect(r.drop).toBeLessThanOrEqual(1);
    // Measured 6.97x. Gather-stored weights are not constants, so quantize-weights leaves them float; dense storage lets it quantize them.
    expect(dense.wire).toBeGreaterThanOrEqual(6);
    expect(dense.wire).toBeGreaterThan(gathered.wire);
    const wasm = await fashionInWasm(dense.model);
    expect(wasm.top1Agreement).toBeGreaterThanOrEqual(0.99);
  }, 240_000);
});
