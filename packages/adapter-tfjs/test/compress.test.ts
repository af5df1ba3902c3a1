/**
 * tfjs model -> IR -> condense compress (int8-weights, fp16) -> tfjs
 * GraphModel run by tfjs. The export stores compressed weights exactly, so
 * tfjs computes what onnxruntime computes on the compressed IR; against the
 * original model, only the compression's own error remains.
 */
import { compress, createRegistry, type Model } from '@condense/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTfjsModel, exportTfjs, importTfjs, type TfjsGraphModel } from '../src/index.js';
import { maxAbs, maxAbsDiff, noise } from './helpers/data.js';
import { compressibleCnn } from './helpers/models.js';
import { runOnnx } from './helpers/onnx.js';
import { loadGraphModel, predict, saveToMemory, useBackend } from './helpers/tfjs.js';

const SHAPE = [4, 8, 8, 3];
const x = noise(SHAPE.reduce((a, b) => a * b, 1), 9);

let original: Float32Array;
let saved: Awaited<ReturnType<typeof saveToMemory>>;

beforeAll(async () => {
  await useBackend('wasm');
  const model = compressibleCnn();
  saved = await saveToMemory(model);
  original = await predict(model, x, SHAPE);
});

async function compressed(preset: string): Promise<Model> {
  const model = importTfjs(saved);
  await compress(model, { preset }, { registry: createRegistry() });
  return model;
}

const sizeOf = (m: Model, options = {}) => exportTfjs(m, options).reduce((n, a) => n + a.bytes.byteLength, 0);
const runTfjs = async (e: TfjsGraphModel) => predict(await loadGraphModel(e.modelJson, e.weights), x, SHAPE);

describe('compressed models exported to tfjs', () => {
  it('int8-weights: uint8 integers times per-channel scales, exact; >= 3.5x smaller than float', async () => {
    const model = await compressed('int8-weights');
    const exported = buildTfjsModel(model);
    const onnx = await runOnnx(model, x, SHAPE);
    const tfjs = await runTfjs(exported);
    const floatBytes = sizeOf(importTfjs(saved));
    const int8Bytes = sizeOf(model);
    const exportDiff = maxAbsDiff(tfjs, onnx);
    const int8Error = maxAbsDiff(tfjs, original);
    console.log(
      `int8-weights: tfjs vs onnxruntime on the same IR ${exportDiff.toExponential(2)}; vs the float tfjs model ${int8Error.toExponential(2)} (outputs up to ${maxAbs(original).toFixed(2)}); ` +
        `${int8Bytes} bytes vs ${floatBytes} float (${(floatBytes / int8Bytes).toFixed(2)}x; model.json ${JSON.stringify(exported.modelJson).length}); weights: ${summarize(exported)}`,
    );
    expect(exported.stored.filter((w) => w.encoding === 'int-scaled8').length).toBeGreaterThanOrEqual(3);
    expect(exported.stored.every((w) => w.exact)).toBe(true);
    expect(exportDiff).toBeLessThan(1e-4);
    // int8 per-channel weights move these logits (up to ~2) by a few hundredths at most.
    expect(int8Error).toBeLessThan(5e-2);
    expect(int8Error).toBeGreaterThan(0);
    expect(floatBytes / int8Bytes).toBeGreaterThanOrEqual(3.5);
  });

  it('fp16: float16 shards, exact; about half the size', async () => {
    const model = await compressed('fp16');
    const exported = buildTfjsModel(model);
    const onnx = await runOnnx(model, x, SHAPE);
    const tfjs = await runTfjs(exported);
    const halfBytes = sizeOf(model);
    const floatBytes = sizeOf(importTfjs(saved));
    console.log(`fp16: tfjs vs onnxruntime ${maxAbsDiff(tfjs, onnx).toExponential(2)}, vs float ${maxAbsDiff(tfjs, original).toExponential(2)}; ${halfBytes} bytes vs ${floatBytes} (${(floatBytes / halfBytes).toFixed(2)}x); weights: ${summarize(exported)}`);
    expect(exported.stored.filter((w) => w.encoding === 'float16').length).toBeGreaterThanOrEqual(5);
    expect(maxAbsDiff(tfjs, onnx)).toBeLessThan(1e-4);
    expect(maxAbsDiff(tfjs, original)).toBeLessThan(1e-2);
    expect(floatBytes / halfBytes).toBeGreaterThan(1.8);
  });

  it('cluster (4-bit indices into 16-value codebooks, packed): decoded at export, stored as uint8 indices + GatherV2, exact', async () => {
    const model = await compressed('cluster');
    const exported = buildTfjsModel(model);
    const diff = maxAbsDiff(await runTfjs(exported), await runOnnx(model, x, SHAPE));
    const bytes = sizeOf(model);
    console.log(`cluster: tfjs vs onnxruntime ${diff.toExponential(2)}; ${bytes} bytes (${(sizeOf(importTfjs(saved)) / bytes).toFixed(2)}x smaller than float); weights: ${summarize(exported)}`);
    expect(diff).toBeLessThan(1e-4);
    expect(exported.stored.filter((w) => w.encoding === 'codebook8').length).toBeGreaterThanOrEqual(3);
    expect(exported.stored.every((w) => w.exact)).toBe(true);
  });

  it('lossy float16 and uint8 options on a float model: smaller, within their rounding error', async () => {
    const float = importTfjs(saved);
    for (const [weights, tolerance, ratio] of [['float16', 1e-2, 1.8], ['uint8', 1e-1, 3.5]] as const) {
      const exported = buildTfjsModel(float, { weights });
      const diff = maxAbsDiff(await runTfjs(exported), original);
      const bytes = sizeOf(float, { weights });
      console.log(`weights '${weights}' on float32: max diff ${diff.toExponential(2)}, ${bytes} bytes (${(sizeOf(float) / bytes).toFixed(2)}x smaller)`);
      expect(diff).toBeLessThan(tolerance);
      expect(exported.stored.some((w) => !w.exact)).toBe(true);
      expect(sizeOf(float) / bytes).toBeGreaterThan(ratio);
    }
  });
});

function summarize(e: TfjsGraphModel): string {
  const counts = new Map<string, number>();
  for (const w of e.stored) counts.set(w.encoding, (counts.get(w.encoding) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}
