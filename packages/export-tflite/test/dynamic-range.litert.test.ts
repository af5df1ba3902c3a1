/**
 * Dynamic-range int8: weights int8 (condense's quantize-weights, read through
 * DequantizeLinear), activations float. The default stores the int8 weights
 * with a DEQUANTIZE and computes what onnxruntime computes; 'hybrid' hands
 * them to TFLite's hybrid kernels, which quantize the float input on the fly.
 */
import { describe, expect, it } from 'vitest';
import { exportTflite } from '../src/index.js';
import { compareWithOnnx } from './helpers/compare.js';
import { FASHION_CNN, PADDLE_CLS, PADDLE_SHAPE, load } from './helpers/models.js';
import { quantizeWeights } from './helpers/quantize.js';

const CASES = [
  { name: 'Fashion-MNIST CNN', file: FASHION_CNN, options: {} },
  { name: 'PaddleOCR cls', file: PADDLE_CLS, options: { inputShapes: PADDLE_SHAPE } },
];

describe('dynamic-range int8 (int8-weights preset) in LiteRT.js vs onnxruntime', () => {
  for (const c of CASES) {
    it(`${c.name}: DEQUANTIZE of int8 weights within 1e-5 of the outputs' scale in less than half the float32 file; hybrid kernels within 2%`, async () => {
      const model = await quantizeWeights(load(c.file));
      const exact = await compareWithOnnx(model, c.options);
      const hybrid = await compareWithOnnx(model, { ...c.options, dynamicRange: 'hybrid' });
      const float = exportTflite(load(c.file), c.options).length;
      console.log(
        `${c.name} int8 weights: dequantize max diff ${exact.maxDiff.toExponential(2)}, hybrid ${hybrid.maxDiff.toExponential(2)} (outputs up to ${exact.scale.toFixed(2)}); ` +
          `${exact.bytes.length} / ${hybrid.bytes.length} bytes vs ${float} in float32`,
      );
      expect(exact.maxDiff).toBeLessThan(1e-5 * exact.scale);
      expect(hybrid.maxDiff).toBeGreaterThan(exact.maxDiff);
      expect(hybrid.maxDiff).toBeLessThan(0.02 * exact.scale);
      expect(exact.bytes.length).toBeLessThan(float / 2);
    });
  }
});
