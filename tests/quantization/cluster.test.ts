/**
 * Weight clustering (cluster-weights, the `cluster` preset) on the reference CNN
 * (tools/fixtures/fashion-cnn.onnx), measured on the 10,000 Fashion-MNIST test
 * images. Size is compared after brotli, as a model is served over the wire:
 * clustered indices use few distinct values, which a general compressor exploits.
 */
import { existsSync, readFileSync } from 'node:fs';
import { compress, createRegistry, type Model } from '@condense/core';
import { cpuRuntime } from '@condense/adapter-cpu';
import { decodeModel, encodeModelBytes } from '@condense/onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { FASHION, FASHION_CNN, testAccuracy, fashionInWasm } from '../helpers/fashion.js';
import { brotliBytes } from '../helpers/tensors.js';

const available = existsSync(FASHION);
if (!available) console.log(`SKIP weight clustering accuracy: ${FASHION} is missing (apt-get install dataset-fashion-mnist).`);


describe.skipIf(!available)('weight clustering on the Fashion-MNIST CNN', () => {
  const runtime = cpuRuntime();
  const load = (): Model => decodeModel(readFileSync(FASHION_CNN));
  let baseline = 0;
  let floatBrotli = 0;
  beforeAll(async () => {
    baseline = await testAccuracy(load(), runtime);
    floatBrotli = brotliBytes(readFileSync(FASHION_CNN));
  });

  const cluster = async (options: Record<string, unknown>, opset?: number) => {
    const model = load();
    // The fixture's ops (Conv, Relu, Add, Flatten, Gemm) read the same at opset 10 as at its 13.
    if (opset) model.graph.opset[''] = opset;
    const result = await compress(model, { preset: 'cleanup', passes: [{ pass: 'cluster-weights', options }] }, { registry: createRegistry(), runtime });
    const facts = result.passes.find((p) => p.pass === 'cluster-weights')!.facts;
    const accuracy = await testAccuracy(model, runtime);
    const ratio = floatBrotli / brotliBytes(encodeModelBytes(model));
    console.log(`cluster ${JSON.stringify(options)}${opset ? ` at opset ${opset}` : ''}: ${accuracy.toFixed(2)}% top-1 (${(accuracy - baseline).toFixed(2)} points), brotli ${ratio.toFixed(2)}x smaller than float's ${floatBrotli} bytes`);
    return { model, facts, accuracy, ratio };
  };

  it('the cluster preset (4 bits) loses at most 1 point, reports every layer and is stored as Gather over packed indices', async () => {
    const model = load();
    const result = await compress(model, { preset: 'cluster' }, { registry: createRegistry(), runtime });
    const facts = result.passes.find((p) => p.pass === 'cluster-weights')!.facts;
    const layers = facts['layers'] as Array<{ value: string; count: number; bits: number; floatBytes: number; storedBytes: number; sqnrDb: number }>;
    console.table(layers);
    // The fixture's weights of 1024+ values: down1, block.3, down2 and both Gemms.
    expect(layers).toHaveLength(5);
    for (const l of layers) {
      expect(l.bits).toBe(4);
      // Half a byte per value plus a 16-float codebook.
      expect(l.storedBytes).toBe(Math.ceil(l.count / 2) + 64);
      expect(l.sqnrDb, l.value).toBeGreaterThan(15);
    }
    expect([...model.graph].filter((n) => n.op === 'Gather')).toHaveLength(5);
    const accuracy = await testAccuracy(model, runtime);
    console.log(`cluster preset: ${accuracy.toFixed(2)}% top-1 (baseline ${baseline.toFixed(2)}%)`);
    expect(baseline - accuracy).toBeLessThanOrEqual(1);
  }, 120_000);

  it('4 bits: brotli size at least 6x smaller than float brotli', async () => {
    const { ratio } = await cluster({ bits: 4 });
    expect(ratio).toBeGreaterThanOrEqual(6);
  }, 120_000);

  it('runs in onnxruntime-web with the same predictions as onnxruntime-node', async () => {
    const model = load();
    await compress(model, { preset: 'cluster' }, { registry: createRegistry(), runtime });
    const f = await fashionInWasm(model);
    console.log(`cluster in onnxruntime-web: top-1 agreement ${(100 * f.top1Agreement).toFixed(1)}%, SQNR ${f.sqnrDb.toFixed(1)} dB`);
    expect(f.samples).toBe(500);
    expect(f.top1Agreement).toBeGreaterThanOrEqual(0.99);
    expect(f.minCosine).toBeGreaterThan(0.99);
  }, 120_000);

  it('below opset 11 (no BitShift), indices take a byte each and decode the same', async () => {
    const { model, facts, accuracy } = await cluster({ bits: 4 }, 10);
    const layers = facts['layers'] as Array<{ count: number; storedBytes: number }>;
    expect(layers).toHaveLength(5);
    for (const l of layers) expect(l.storedBytes).toBe(l.count + 64);
    expect([...model.graph].filter((n) => n.op === 'BitShift')).toHaveLength(0);
    expect(baseline - accuracy).toBeLessThanOrEqual(1);
  }, 120_000);

  it('other inits and widths: 2, 3 and 8 bits, linear and density init', async () => {
    for (const options of [{ bits: 3 }, { bits: 8 }, { bits: 4, init: 'linear' }, { bits: 4, init: 'density' }]) {
      const { accuracy } = await cluster(options);
      expect(baseline - accuracy, JSON.stringify(options)).toBeLessThanOrEqual(1);
    }
    const { accuracy } = await cluster({ bits: 2 });
    expect(baseline - accuracy).toBeLessThanOrEqual(10);
  }, 240_000);
});
