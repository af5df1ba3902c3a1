/**
 * Real CNNs exported and run in LiteRT.js (TFLite's own runtime), against
 * onnxruntime-node on the ONNX originals with the same inputs.
 */
import { compress, createRegistry, type Model } from '@condense/core';
import { describe, expect, it } from 'vitest';
import { compareWithOnnx } from './helpers/compare.js';
import { FLOAT_TOLERANCE } from './helpers/data.js';
import { FASHION_CNN as FASHION, PADDLE_CLS, PADDLE_SHAPE, load } from './helpers/models.js';


async function cleanedPaddle(passes: string[] = []): Promise<Model> {
  const model = load(PADDLE_CLS);
  await compress(model, { preset: 'cleanup', passes }, { registry: createRegistry(), inputShapes: PADDLE_SHAPE });
  return model;
}

describe('Fashion-MNIST CNN (Conv, Relu, depthwise, 1x1, residual Add, Flatten, Gemm)', () => {
  it('float32, NHWC boundary: matches onnxruntime within 1e-4', async () => {
    const r = await compareWithOnnx(load(FASHION));
    console.log(`fashion-cnn float32 nhwc: max |LiteRT - onnxruntime| = ${r.maxDiff.toExponential(2)} (outputs up to ${r.scale.toFixed(2)}), ${r.bytes.length} bytes`);
    expect(r.maxDiff).toBeLessThan(FLOAT_TOLERANCE);
  });

  it('float32, NCHW boundary (layout option): same numbers', async () => {
    const r = await compareWithOnnx(load(FASHION), { layout: 'nchw' });
    console.log(`fashion-cnn float32 nchw: max diff ${r.maxDiff.toExponential(2)}`);
    expect(r.maxDiff).toBeLessThan(FLOAT_TOLERANCE);
  });

  it('float16 weights: about half the bytes, within 2e-2 of onnxruntime on float32 weights', async () => {
    const full = await compareWithOnnx(load(FASHION));
    const half = await compareWithOnnx(load(FASHION), { weights: 'float16' });
    console.log(`fashion-cnn float16 weights: max diff ${half.maxDiff.toExponential(2)} (outputs up to ${half.scale.toFixed(2)}), ${half.bytes.length} bytes vs ${full.bytes.length}`);
    expect(half.maxDiff).toBeLessThan(2e-2);
    expect(half.maxDiff).toBeGreaterThan(0);
    expect(half.bytes.length).toBeLessThan(full.bytes.length * 0.55);
  });
});

describe('PaddleOCR mobile v2 text-direction classifier (opset 9, Constant weights, dynamic dims)', () => {
  it('float32 after the cleanup preset: matches onnxruntime on the original within 1e-4', async () => {
    const model = await cleanedPaddle();
    const r = await compareWithOnnx(model, { inputShapes: PADDLE_SHAPE });
    console.log(`paddle cls float32: max diff ${r.maxDiff.toExponential(2)} (outputs up to ${r.scale.toFixed(2)}), ${r.bytes.length} bytes`);
    expect(r.maxDiff).toBeLessThan(FLOAT_TOLERANCE);
  });

  it('straight from the file (Constant nodes, computed Reshape shape): exports the same model', async () => {
    const r = await compareWithOnnx(load(PADDLE_CLS), { inputShapes: PADDLE_SHAPE });
    console.log(`paddle cls float32, no cleanup: max diff ${r.maxDiff.toExponential(2)}`);
    expect(r.maxDiff).toBeLessThan(FLOAT_TOLERANCE);
  });

  it("float16 weights: from condense's convert-float16 pass (Cast of float16 constants) and from the export option", async () => {
    const float32 = await compareWithOnnx(await cleanedPaddle(), { inputShapes: PADDLE_SHAPE });
    // The pass's model computes with the same rounded weights in onnxruntime, so the float32 tolerance holds.
    const fromPass = await compareWithOnnx(await cleanedPaddle(['convert-float16']), { inputShapes: PADDLE_SHAPE });
    // The option rounds at export; the reference keeps float32 weights.
    const fromOption = await compareWithOnnx(await cleanedPaddle(), { inputShapes: PADDLE_SHAPE, weights: 'float16' });
    console.log(
      `paddle cls float16 weights: pass vs its ONNX ${fromPass.maxDiff.toExponential(2)}, option vs float32 ONNX ${fromOption.maxDiff.toExponential(2)}; ` +
        `${fromPass.bytes.length} / ${fromOption.bytes.length} bytes vs ${float32.bytes.length}`,
    );
    expect(fromPass.maxDiff).toBeLessThan(FLOAT_TOLERANCE);
    expect(fromOption.maxDiff).toBeLessThan(1e-2);
    expect(fromPass.bytes.length).toBe(fromOption.bytes.length);
    expect(fromPass.bytes.length).toBeLessThan(float32.bytes.length * 0.6);
  });
});
