/**
 * A tfjs GraphModel with the fused ops tfjs-converter writes and quantized
 * weight shards (see helpers/fixtures.ts), imported and run as ONNX in
 * onnxruntime-node against tfjs's own loadGraphModel + predict.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { importTfjs } from '../src/index.js';
import { maxAbs, maxAbsDiff, noise } from './helpers/data.js';
import { FIXTURE_INPUT_SHAPE, dynamicFlattenGraphModel, fusedGraphModel } from './helpers/fixtures.js';
import { GraphDefWriter } from './helpers/graph-def.js';
import { runOnnx } from './helpers/onnx.js';
import { loadGraphModel, predict, useBackend } from './helpers/tfjs.js';

beforeAll(() => useBackend('wasm'));

describe('importing tfjs GraphModels', () => {
  it('fused conv/depthwise/matmul (BiasAdd, Relu, Relu6, Prelu, LeakyRelu), batch norm, pools, pad, concat, mean, reshape, softmax; uint8/uint16/float16 shards: matches tfjs', async () => {
    const { modelJson, weights } = fusedGraphModel();
    const x = noise(FIXTURE_INPUT_SHAPE.reduce((a, b) => a * b, 1), 3);
    const expected = await predict(await loadGraphModel(modelJson, weights), x, FIXTURE_INPUT_SHAPE);
    const model = importTfjs({ modelJson, weights });
    const actual = await runOnnx(model, x, FIXTURE_INPUT_SHAPE);
    const diff = maxAbsDiff(actual, expected);
    console.log(`fused graph model: max |onnxruntime - tfjs| = ${diff.toExponential(2)} (outputs up to ${maxAbs(expected).toFixed(3)}); ops: ${[...new Set([...model.graph].map((n) => n.op))].join(', ')}`);
    expect(diff).toBeLessThan(1e-4);
    expect(model.graph.outputs.map((v) => v.name)).toEqual(['Identity']);
  });

  it("Keras's Flatten as converted for a dynamic batch (Shape, StridedSlice, Pack, Reshape) becomes a static reshape", async () => {
    const { modelJson, weights } = dynamicFlattenGraphModel();
    const shape = [3, 6, 6, 2];
    const x = noise(shape.reduce((a, b) => a * b, 1), 12);
    const expected = await predict(await loadGraphModel(modelJson, weights), x, shape);
    const model = importTfjs({ modelJson, weights });
    expect(maxAbsDiff(await runOnnx(model, x, shape), expected)).toBeLessThan(1e-4);
    expect([...model.graph].map((n) => n.op)).not.toContain('Shape');
  });

  it('names an op it cannot import, with its node', () => {
    const g = new GraphDefWriter();
    g.op('Frobnicate', 'weird', [g.placeholder('x', [1, 2])]);
    expect(() => importTfjs(g.build())).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED_OP', message: expect.stringContaining('Frobnicate') }));
  });

  it('rejects shards shorter than the manifest says', () => {
    const { modelJson, weights } = fusedGraphModel();
    expect(() => importTfjs({ modelJson, weights: weights.subarray(0, 100) })).toThrow(expect.objectContaining({ code: 'E_MODEL_INVALID' }));
  });
});
