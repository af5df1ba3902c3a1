/** The export on a real third-party CNN: PaddleOCR's mobile text-direction classifier (opset 9, hard-swish, squeeze-excitation, residual Adds). */
import { Tensor, type Model } from '@condense/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkTensorrt, exportTensorrt, parseCalibrationCache } from '../src/index.js';
import { Artifacts, activationScales, float32Bits } from './helpers/artifacts.js';
import { PADDLE_SHAPE, cleanedPaddle } from './helpers/paddle.js';
import { placementViolations } from './helpers/placement-rules.js';
import { maxAbsDiff, noise, noiseSamples, run, runtime } from './helpers/runtime.js';

/** Paddle's preprocessing maps pixels to [-1, 1]; noise in that range stands in for text images. */
const inputs = Array.from({ length: 6 }, (_, i) => ({ x: Tensor.from('float32', PADDLE_SHAPE, noise(3 * 48 * 192, 500 + i)) }));

const argmax = (p: Float32Array) => p.indexOf(Math.max(...p));

/** The largest difference in class probability over `inputs`, and on how many the predicted class differs. */
async function compare(a: Model, b: Model): Promise<{ diff: number; flips: number }> {
  let diff = 0;
  let flips = 0;
  for (const feeds of inputs) {
    const [pa, pb] = [await run(a.graph, feeds), await run(b.graph, feeds)];
    diff = Math.max(diff, maxAbsDiff(pa, pb));
    if (argmax(pa) !== argmax(pb)) flips++;
  }
  return { diff, flips };
}

describe('PaddleOCR cls', { timeout: 60_000 }, () => {
  let cleaned: Model;
  let exported: Artifacts;

  beforeAll(async () => {
    cleaned = await cleanedPaddle();
    exported = new Artifacts(await exportTensorrt(cleaned.graph, { runtime, samples: noiseSamples('x', PADDLE_SHAPE, 16, 100), maxSamples: 16 }));
  }, 60_000);

  it('says opset 9 is raised to 13, and nothing stops the export', () => {
    const found = checkTensorrt(cleaned.graph, { runtime, samples: noiseSamples('x', PADDLE_SHAPE, 1) });
    expect(found.map((d) => d.code)).toEqual(['I_OPSET_RAISED']);
    expect(exported.model('model.onnx').graph.opset['']).toBe(13);
  });

  it('model.onnx computes what the cleaned model does', async () => {
    expect((await compare(cleaned, exported.model('model.onnx'))).diff).toBeLessThan(1e-5);
  });

  it('model.qdq.onnx follows every placement rule and runs in onnxruntime within 0.1 of float in class probability', async () => {
    const qdq = exported.model('model.qdq.onnx');
    expect(placementViolations(qdq.graph)).toEqual([]);
    const { diff, flips } = await compare(cleaned, qdq);
    console.log(`PaddleOCR cls QDQ int8: max class-probability difference ${diff.toFixed(4)}, ${flips} of ${inputs.length} predictions changed (noise inputs, 16 calibration samples)`);
    // Noise puts several inputs near the decision boundary, so a prediction may flip; the probabilities stay close.
    expect(diff).toBeLessThan(0.1);
  });

  it('calibration.cache parses back to the Q/DQ scales bit-exactly', () => {
    const cache = parseCalibrationCache(exported.text('calibration.cache'));
    const qdqScales = activationScales(exported.model('model.qdq.onnx'));
    expect(qdqScales.size).toBeGreaterThan(50);
    for (const [name, scale] of qdqScales) expect(float32Bits(cache.scales.get(name)!), name).toBe(float32Bits(scale));
  });

  it('float16 model.onnx runs within 0.01 of float in class probability', async () => {
    const half = new Artifacts(await exportTensorrt(cleaned.graph, { precision: 'float16' })).model('model.onnx');
    const { diff } = await compare(cleaned, half);
    console.log(`PaddleOCR cls float16: max class-probability difference ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(0.01);
  });
});
