/**
 * IR to tfjs GraphModel: imported tfjs models exported back and run by tfjs's
 * own loadGraphModel; compressed IR (int8 weights, float16 weights) exported
 * exactly, and run within the compression's own error.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compress, createRegistry } from '@condense/core';
import { decodeModel } from '@condense/onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTfjsModel, importTfjs } from '../src/index.js';
import { maxAbs, maxAbsDiff, noise } from './helpers/data.js';
import { FIXTURE_INPUT_SHAPE, fusedGraphModel } from './helpers/fixtures.js';
import { compressibleCnn, flattenCnn, residualCnn } from './helpers/models.js';
import { runOnnx } from './helpers/onnx.js';
import { loadGraphModel, predict, saveToMemory, useBackend, type tfl } from './helpers/tfjs.js';

const FASHION = path.resolve(import.meta.dirname, '../../../tools/fixtures/fashion-cnn.onnx');

beforeAll(() => useBackend('wasm'));

async function roundTrip(model: tfl.LayersModel, shape: number[]) {
  const imported = importTfjs(await saveToMemory(model));
  const exported = buildTfjsModel(imported);
  const x = noise(shape.reduce((a, b) => a * b, 1), 5);
  const expected = await predict(model, x, shape);
  const actual = await predict(await loadGraphModel(exported.modelJson, exported.weights), x, shape);
  return { exported, diff: maxAbsDiff(actual, expected), scale: maxAbs(expected) };
}

describe('exporting to tfjs GraphModels', () => {
  it('residual cnn: tfjs LayersModel -> IR -> tfjs GraphModel computes what the original computes', async () => {
    const { exported, diff, scale } = await roundTrip(residualCnn(), [2, 12, 12, 3]);
    const ops = exported.modelJson.modelTopology as { node: Array<{ op: string }> };
    console.log(`residual cnn round trip: max diff ${diff.toExponential(2)} (outputs up to ${scale.toFixed(3)}); ops ${[...new Set(ops.node.map((n) => n.op))].join(', ')}`);
    expect(diff).toBeLessThan(1e-4);
  });

  it('flatten cnn round trip', async () => {
    const { diff } = await roundTrip(flattenCnn(), [3, 9, 9, 2]);
    expect(diff).toBeLessThan(1e-4);
  });

  it('compressible cnn round trip', async () => {
    const { diff } = await roundTrip(compressibleCnn(), [2, 8, 8, 3]);
    expect(diff).toBeLessThan(1e-4);
  });
});

describe('exporting models that did not come from tfjs', () => {
  it('the fused GraphModel fixture: tfjs -> IR -> tfjs keeps its outputs', async () => {
    const { modelJson, weights } = fusedGraphModel();
    const x = noise(FIXTURE_INPUT_SHAPE.reduce((a, b) => a * b, 1), 8);
    const expected = await predict(await loadGraphModel(modelJson, weights), x, FIXTURE_INPUT_SHAPE);
    const exported = buildTfjsModel(importTfjs({ modelJson, weights }));
    const diff = maxAbsDiff(await predict(await loadGraphModel(exported.modelJson, exported.weights), x, FIXTURE_INPUT_SHAPE), expected);
    console.log(`fused graph model round trip: max diff ${diff.toExponential(2)}; weights ${exported.stored.map((s) => s.encoding).join(' ')}`);
    expect(diff).toBeLessThan(1e-4);
    // The uint8/uint16/float16 shards of the original come back as exact grids and halves, not float32.
    expect(exported.stored.filter((s) => s.encoding !== 'float32' && s.encoding !== 'int32').length).toBeGreaterThanOrEqual(3);
  });

  it('fashion-cnn.onnx (trained with PyTorch: Conv, depthwise, residual Add, Flatten, Gemm): NHWC tfjs model matches onnxruntime', async () => {
    const model = decodeModel(readFileSync(FASHION));
    const exported = buildTfjsModel(model, { inputShapes: { [model.graph.inputs[0]!.name]: [2, 1, 28, 28] } });
    // One channel: NHWC and NCHW hold the same elements in the same order.
    const x = Float32Array.from(noise(2 * 28 * 28, 4), (v) => (v + 1) / 2);
    const expected = await runOnnx(model, x, [2, 1, 28, 28]);
    const actual = await predict(await loadGraphModel(exported.modelJson, exported.weights), x, [2, 28, 28, 1]);
    const diff = maxAbsDiff(actual, expected);
    const ops = (exported.modelJson.modelTopology as { node: Array<{ op: string }> }).node.map((n) => n.op);
    console.log(`fashion-cnn: max |tfjs - onnxruntime| = ${diff.toExponential(2)} (outputs up to ${maxAbs(expected).toFixed(2)}); ${ops.filter((o) => o !== 'Const').join(', ')}`);
    expect(diff).toBeLessThan(1e-4);
  });

  it('the round trip back: an exported clustered model imports as Gather over its codebook', async () => {
    const model = importTfjs(await saveToMemory(compressibleCnn()));
    await compress(model, { preset: 'cluster' }, { registry: createRegistry() });
    const exported = buildTfjsModel(model);
    const again = importTfjs(exported);
    const x = noise(2 * 8 * 8 * 3, 6);
    const diff = maxAbsDiff(await runOnnx(again, x, [2, 8, 8, 3]), await runOnnx(model, x, [2, 8, 8, 3]));
    expect(diff).toBeLessThan(1e-4);
    expect([...again.graph].filter((n) => n.op === 'Gather').length).toBeGreaterThanOrEqual(3);
  });
});
