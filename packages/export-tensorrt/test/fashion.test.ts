/** The export end to end on condense's Fashion-MNIST CNN, checked in onnxruntime and against the placement rules. */
import { readFileSync } from 'node:fs';
import { decodeModel } from '@condense/onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationTensors, exportTensorrt, parseCalibrationCache } from '../src/index.js';
import { Artifacts, activationScales, float32Bits } from './helpers/artifacts.js';
import { FASHION_CNN, calibration, testAccuracy, testImages } from './helpers/fashion.js';
import { placementViolations } from './helpers/placement-rules.js';
import { maxAbsDiff, run, runtime } from './helpers/runtime.js';

describe('Fashion-MNIST CNN', { timeout: 60_000 }, () => {
  const original = () => decodeModel(readFileSync(FASHION_CNN));
  let exported: Artifacts;
  let floatAccuracy: number;

  beforeAll(async () => {
    exported = new Artifacts(await exportTensorrt(original().graph, { runtime, samples: calibration(64), maxSamples: 512 }));
    floatAccuracy = await testAccuracy(original().graph);
  }, 60_000);

  it('exports model.onnx, model.qdq.onnx, calibration.cache and build-engine.sh', () => {
    expect(exported.names).toEqual(['build-engine.sh', 'calibration.cache', 'model.onnx', 'model.qdq.onnx']);
  });

  it('model.onnx computes what the original does', async () => {
    const feeds = { image: testImages(64) };
    expect(maxAbsDiff(await run(original().graph, feeds), await run(exported.model('model.onnx').graph, feeds))).toBe(0);
  });

  it('model.qdq.onnx follows every placement rule and stays within 1 point of float on all 10,000 test images', async () => {
    const qdq = exported.model('model.qdq.onnx');
    expect(placementViolations(qdq.graph)).toEqual([]);
    const int8Accuracy = await testAccuracy(qdq.graph);
    console.log(`Fashion-MNIST t10k top-1: float ${floatAccuracy.toFixed(2)}%, TensorRT QDQ int8 in onnxruntime ${int8Accuracy.toFixed(2)}% (${(int8Accuracy - floatAccuracy).toFixed(2)} points)`);
    expect(Math.abs(int8Accuracy - floatAccuracy)).toBeLessThanOrEqual(1);
  });

  it('quantizes both inputs of residual Adds on request, still by the rules', async () => {
    const both = new Artifacts(await exportTensorrt(original().graph, { runtime, samples: calibration(64), maxSamples: 128, residualAdds: 'both' }));
    const qdq = both.model('model.qdq.onnx');
    expect(placementViolations(qdq.graph, 'both')).toEqual([]);
    const add = [...qdq.graph].find((n) => n.op === 'Add')!;
    expect(add.inputs.map((v) => v!.producer()!.op)).toEqual(['DequantizeLinear', 'DequantizeLinear']);
  });

  it('calibration.cache holds a scale for every float tensor of model.onnx, bit-exact to the Q/DQ scales', () => {
    const cache = parseCalibrationCache(exported.text('calibration.cache'));
    expect(exported.text('calibration.cache').split('\n')[0]).toBe('TRT-8601-EntropyCalibration2');
    expect([...cache.scales.keys()].sort()).toEqual(activationTensors(exported.model('model.onnx').graph).map((v) => v.name).sort());
    const qdqScales = activationScales(exported.model('model.qdq.onnx'));
    // The input, the Relu outputs before the next convolution or Gemm, and the flattened features.
    expect(qdqScales.size).toBe(7);
    for (const [name, scale] of qdqScales) expect(float32Bits(cache.scales.get(name)!), name).toBe(float32Bits(scale));
    // The input is pixels in [0, 1]: amax 1, scale 1/127.
    expect(cache.scales.get('image')).toBe(Math.fround(1 / 127));
  });

  it('float16 model.onnx runs with float32 inputs and outputs, within 1% of the largest logit', async () => {
    const half = new Artifacts(await exportTensorrt(original().graph, { precision: 'float16' }));
    expect(half.names).toEqual(['build-engine.sh', 'model.onnx']);
    const model = half.model('model.onnx');
    expect(model.graph.inputs[0]!.type!.dtype).toBe('float32');
    expect([...model.graph.constants()].filter((v) => v.const!.dtype === 'float16').length).toBeGreaterThan(0);
    const feeds = { image: testImages(64) };
    const exact = await run(original().graph, feeds);
    const diff = maxAbsDiff(exact, await run(model.graph, feeds));
    console.log(`Fashion-MNIST float16 model.onnx: max |logit difference| ${diff.toExponential(2)} on 64 test images`);
    expect(diff).toBeLessThan(1e-2 * Math.max(...exact.map(Math.abs)));
  });
});
