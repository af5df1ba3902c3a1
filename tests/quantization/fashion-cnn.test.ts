/**
 * Presets on the reference CNN (tools/fixtures/fashion-cnn.onnx, trained by
 * tools/train-fashion-cnn.py) measured on the 10,000 Fashion-MNIST test images.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { compress, createRegistry, type Model } from '@condense/core';
import { cpuRuntime } from '@condense/adapter-cpu';
import { decodeModel, encodeModelBytes } from '@condense/onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { FASHION, FASHION_CNN, calibration, testAccuracy, fashionInWasm } from '../helpers/fashion.js';

/** onnxruntime-web gives the same predictions as onnxruntime-node on 500 test images. */
async function expectSameInWasm(model: Model) {
  const f = await fashionInWasm(model);
  expect(f.samples).toBe(500);
  expect(f.top1Agreement).toBeGreaterThanOrEqual(0.99);
  expect(f.minCosine).toBeGreaterThan(0.99);
  return f;
}

const available = existsSync(FASHION);
if (!available) console.log(`SKIP Fashion-MNIST accuracy: ${FASHION} is missing (apt-get install dataset-fashion-mnist).`);

/** quantize-static's per-layer report: every quantized activation and the output, each close to float. */
function expectLayerReport(facts: Record<string, unknown>) {
  const layers = facts['layers'] as Array<{ value: string; op: string; sqnrDb: number; cosine: number }>;
  expect(layers).toHaveLength((facts['activations'] as number) + 1);
  expect(layers.at(-1)!.op).toBe('output');
  for (const l of layers) {
    expect(l.cosine, l.value).toBeGreaterThan(0.99);
    expect(l.sqnrDb, l.value).toBeGreaterThan(20);
  }
}

describe.skipIf(!available)('presets on the Fashion-MNIST CNN', () => {
  const runtime = cpuRuntime();
  let baseline = 0;
  const load = (): Model => decodeModel(readFileSync(FASHION_CNN));
  beforeAll(async () => {
    baseline = await testAccuracy(load(), runtime);
  });

  it('the float model reaches at least 90% test accuracy', () => {
    console.log(`float32: ${baseline.toFixed(2)}% top-1, ${statSync(FASHION_CNN).size} bytes`);
    expect(baseline).toBeGreaterThanOrEqual(90);
  });

  const presets: Array<[string, number, number]> = [
    // preset, allowed accuracy drop in points, minimum size reduction
    ['int8-weights', 0.5, 3.5],
    ['int4-weights', 2, 6.5],
    ['int8', 0.5, 3.5],
  ];
  for (const [preset, maxDrop, minRatio] of presets) {
    it(`${preset}: loses at most ${maxDrop} points and is at least ${minRatio}x smaller`, async () => {
      const model = load();
      const result = await compress(model, { preset }, { registry: createRegistry(), runtime, samples: calibration() });
      if (preset === 'int8') expectLayerReport(result.passes.find((p) => p.pass === 'quantize-static')!.facts);
      const wasm = await expectSameInWasm(model);
      console.log(`${preset} in onnxruntime-web: top-1 agreement with onnxruntime-node ${(100 * wasm.top1Agreement).toFixed(1)}%, SQNR ${wasm.sqnrDb.toFixed(1)} dB`);
      const accuracy = await testAccuracy(model, runtime);
      const ratio = statSync(FASHION_CNN).size / encodeModelBytes(model).byteLength;
      console.log(`${preset}: ${accuracy.toFixed(2)}% top-1 (${(accuracy - baseline).toFixed(2)} points), ${ratio.toFixed(2)}x smaller`);
      expect(baseline - accuracy).toBeLessThanOrEqual(maxDrop);
      expect(ratio).toBeGreaterThanOrEqual(minRatio);
    }, 120_000);
  }

  // Every observer must do the job on a real network; MinMax is the preset's default, covered above.
  for (const observer of ['moving-average', 'percentile', 'entropy', 'mse']) {
    it(`int8 with the ${observer} observer loses at most 1 point`, async () => {
      const model = load();
      const result = await compress(model, { preset: 'int8', options: { 'quantize-static': { observer, maxSamples: 256 } } }, { registry: createRegistry(), runtime, samples: calibration() });
      expect(result.passes.find((p) => p.pass === 'quantize-static')?.facts['observer']).toBe(observer);
      const accuracy = await testAccuracy(model, runtime);
      console.log(`int8 (${observer}): ${accuracy.toFixed(2)}% top-1 (${(accuracy - baseline).toFixed(2)} points)`);
      expect(baseline - accuracy).toBeLessThanOrEqual(1);
    }, 120_000);
  }

  it('mixed precision: with badly clipped activations, keeps the most sensitive layers in float until top-1 disagreement is within --max-drop', async () => {
    const model = load();
    // Percentile 90 clips 5% of every activation at each end: far too much, so int8 alone disagrees with float on about 6% of samples.
    const options = { observer: 'percentile', percentile: 90, maxSamples: 256, fidelitySamples: 500, maxDrop: 3, layerReport: 0 };
    const result = await compress(model, { preset: 'int8', options: { 'quantize-static': options } }, { registry: createRegistry(), runtime, samples: calibration() });
    const facts = result.passes.find((p) => p.pass === 'quantize-static')!.facts;
    const sensitivity = facts['sensitivity'] as Array<{ layer: string; sqnrGainDb: number }>;
    console.log(`mixed precision: disagreement ${facts['disagreementBefore']} -> ${facts['disagreement']} points with ${facts['floatLayers']} of ${sensitivity.length} layers in float`);
    expect(facts['disagreementBefore']).toBeGreaterThan(3);
    expect(facts['disagreement']).toBeLessThanOrEqual(3);
    expect(facts['floatLayers']).toBeGreaterThan(0);
    expect(facts['floatLayers']).toBeLessThan(sensitivity.length);
    // Ranked most sensitive first.
    expect(sensitivity.map((s) => s.sqnrGainDb)).toEqual([...sensitivity.map((s) => s.sqnrGainDb)].sort((a, b) => b - a));
    const accuracy = await testAccuracy(model, runtime);
    console.log(`mixed precision: ${accuracy.toFixed(2)}% top-1 on the test set`);
    expect(baseline - accuracy).toBeLessThanOrEqual(3);
  }, 120_000);

  it('int8 in QOperator form (QLinearConv): same accuracy, runs in onnxruntime-node and -web', async () => {
    const model = load();
    const result = await compress(model, { preset: 'int8', options: { 'quantize-static': { format: 'qoperator', layerReport: 0 } } }, { registry: createRegistry(), runtime, samples: calibration() });
    const convs = [...load().graph].filter((n) => n.op === 'Conv').length;
    expect(result.passes.find((p) => p.pass === 'quantize-static')!.facts['qlinearConvs']).toBe(convs);
    expect([...model.graph].filter((n) => n.op === 'Conv')).toHaveLength(0);
    const accuracy = await testAccuracy(model, runtime);
    console.log(`int8 QOperator: ${accuracy.toFixed(2)}% top-1 (${(accuracy - baseline).toFixed(2)} points)`);
    expect(baseline - accuracy).toBeLessThanOrEqual(0.5);
    await expectSameInWasm(model);
  }, 120_000);

  it('calibration with several workers gives the same model as with one (minmax does not depend on batch order)', async () => {
    const quantized = async (workers: number) => {
      const model = load();
      await compress(model, { preset: 'int8', options: { 'quantize-static': { workers, maxSamples: 320, layerReport: 0 } } }, { registry: createRegistry(), runtime, samples: calibration() });
      return encodeModelBytes(model);
    };
    expect(Buffer.from(await quantized(3)).equals(Buffer.from(await quantized(1)))).toBe(true);
  }, 120_000);

  it('ops and exclude choose what is quantized: an excluded Conv keeps float weights and reads float input', async () => {
    const model = load();
    const excluded = [...model.graph].find((n) => n.op === 'Conv')!.name;
    await compress(model, { preset: 'int8', options: { 'quantize-static': { exclude: [excluded], ops: ['Conv', 'Gemm'], layerReport: 0 } } }, { registry: createRegistry(), runtime, samples: calibration() });
    const node = [...model.graph].find((n) => n.name === excluded)!;
    expect(node.inputs.slice(0, 2).map((v) => v?.producer()?.op ?? 'float')).toEqual(['float', 'float']);
    const accuracy = await testAccuracy(model, runtime);
    expect(baseline - accuracy).toBeLessThanOrEqual(0.5);
  }, 120_000);
});
