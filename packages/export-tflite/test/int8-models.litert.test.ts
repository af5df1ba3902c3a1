/**
 * Full-integer int8 export of real CNNs quantized by condense's int8 preset
 * (quantize-static: uint8 activations calibrated on data, int8 per-channel
 * weights, int32 biases, in QDQ form), run in LiteRT.js against
 * onnxruntime-node on the same QDQ model. Integer kernels round a little
 * differently (TFLite requantizes with fixed-point multipliers, onnxruntime in
 * float), so int8 tensors are compared in quantization steps.
 */
import type { Model } from '@condense/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { TensorType } from '../src/generated/tflite_generated.js';
import { parseModel } from '../src/read/parse-model.js';
import { runBoth } from './helpers/compare.js';
import { maxAbsDiff, noise } from './helpers/data.js';
import { argmaxRows, calibration, fashionAvailable, testBatches } from './helpers/fashion.js';
import { FASHION_CNN, PADDLE_CLS, load } from './helpers/models.js';
import { typedOperators } from './helpers/inspect.js';
import { exposeQuantized, noiseSamples, quantizeInt8, stepAgreement } from './helpers/quantize.js';

/** Every quantized activation of `model` in both runtimes, in steps, for `feeds`. */
async function quantizedTensors(model: Model, options: Parameters<typeof runBoth>[1], feeds: Parameters<typeof runBoth>[2]) {
  const exposed = exposeQuantized(model);
  const r = await runBoth(exposed.model, options, feeds);
  const outputs = model.graph.outputs.length;
  const steps = stepAgreement(exposed.scales.map((scale, i) => ({ a: r.onnx[outputs + i]!, b: r.tflite[outputs + i]!, scale })));
  return { steps, tensors: exposed.scales.length, onnx: r.onnx.slice(0, outputs), tflite: r.tflite.slice(0, outputs), bytes: r.bytes };
}

const BATCH = 200;

describe.skipIf(!fashionAvailable())('Fashion-MNIST CNN, int8', () => {
  let model: Model;
  beforeAll(async () => {
    model = await quantizeInt8(load(FASHION_CNN), calibration());
  }, 120_000);

  it('runs on integer kernels, and every int8 tensor is within one step of onnxruntime on >= 99% of elements', async () => {
    const [batch] = testBatches(BATCH, BATCH);
    const r = await quantizedTensors(model, { inputShapes: { image: batch!.shape } }, [{ data: batch!.images, shape: batch!.shape }]);
    const ops = typedOperators(r.bytes);
    const logits = maxAbsDiff(r.tflite[0]!, r.onnx[0]!);
    const agreement = argmaxRows(r.tflite[0]!, 10).filter((p, i) => p === argmaxRows(r.onnx[0]!, 10)[i]).length / BATCH;
    console.log(
      `fashion int8, ${BATCH} test images: ${r.tensors} int8 tensors, ${(100 * r.steps.withinOne).toFixed(3)}% of ${r.steps.elements} elements within one step ` +
        `(${(100 * r.steps.equal).toFixed(2)}% equal, worst ${r.steps.maxSteps} steps); logits max diff ${logits.toExponential(2)}, top-1 agreement ${(100 * agreement).toFixed(1)}%; ` +
        `${r.bytes.length} bytes; ${ops.join(' ')}`,
    );
    expect(r.steps.withinOne).toBeGreaterThanOrEqual(0.99);
    expect(agreement).toBeGreaterThanOrEqual(0.99);
    // Four convolutions, the depthwise one, the residual Add and the hidden fully-connected layer on int8 kernels; the logits layer reads int8 and computes in float, as the QDQ model does.
    expect(ops.filter((o) => o.endsWith(':INT8') && /CONV|ADD|FULLY/.test(o))).toHaveLength(7);
    expect(ops.filter((o) => o === 'FULLY_CONNECTED:FLOAT32')).toHaveLength(1);
  });

  it('test accuracy in LiteRT.js is within 0.5 points of onnxruntime on all 10,000 test images', async () => {
    const bytesFor = { inputShapes: { image: [500, 1, 28, 28] } };
    let correctOnnx = 0;
    let correctTflite = 0;
    let agree = 0;
    let n = 0;
    for (const batch of testBatches(500)) {
      const r = await runBoth(model, bytesFor, [{ data: batch.images, shape: batch.shape }]);
      const expected = argmaxRows(r.onnx[0]!, 10);
      const got = argmaxRows(r.tflite[0]!, 10);
      batch.labels.forEach((label, i) => {
        correctOnnx += Number(expected[i] === label);
        correctTflite += Number(got[i] === label);
        agree += Number(got[i] === expected[i]);
      });
      n += batch.labels.length;
    }
    const [onnx, tflite] = [correctOnnx, correctTflite].map((c) => (100 * c) / n);
    console.log(`fashion int8 on ${n} test images: onnxruntime ${onnx!.toFixed(2)}%, LiteRT.js ${tflite!.toFixed(2)}%, predictions agree on ${((100 * agree) / n).toFixed(2)}%`);
    expect(n).toBe(10_000);
    expect(Math.abs(onnx! - tflite!)).toBeLessThanOrEqual(0.5);
  }, 120_000);

  it("io 'uint8' with layout 'nchw': uint8 image in, the same predictions", async () => {
    const [batch] = testBatches(BATCH, BATCH);
    const r = await runBoth(model, { io: 'uint8', layout: 'nchw', inputShapes: { image: batch!.shape } }, [{ data: batch!.images, shape: batch!.shape }]);
    const file = parseModel(r.bytes);
    const tensor = file.tensors[file.inputs[0]!]!;
    const agreement = argmaxRows(r.tflite[0]!, 10).filter((p, i) => p === argmaxRows(r.onnx[0]!, 10)[i]).length / BATCH;
    console.log(`fashion int8, uint8 NCHW input: top-1 agreement ${(100 * agreement).toFixed(1)}%, logits max diff ${maxAbsDiff(r.tflite[0]!, r.onnx[0]!).toExponential(2)}`);
    expect(TensorType[tensor.type]).toBe('UINT8');
    expect(tensor.shape).toEqual(batch!.shape);
    expect(agreement).toBeGreaterThanOrEqual(0.99);
  });
});

describe('PaddleOCR cls, int8 (MobileNetV3: hard-swish and squeeze-excitation stay float between int8 convolutions)', () => {
  let model: Model;
  beforeAll(async () => {
    model = await quantizeInt8(load(PADDLE_CLS), noiseSamples('x', [2, 3, 48, 192], 8), true);
  }, 120_000);

  /**
   * The integer kernels agree with onnxruntime's bit for bit; the 28 float
   * islands do not quite: TFLite quantizes with x * (1 / scale), onnxruntime
   * with x / scale, so a value on a rounding boundary lands one step apart,
   * and squeeze-excitation gates spread one such step over whole channels
   * downstream on some inputs.
   */
  it('int8 tensors within one step of onnxruntime on >= 98% of elements, predictions equal, on eight inputs', async () => {
    const shape = [8, 3, 48, 192];
    const r = await quantizedTensors(model, { inputShapes: { x: shape } }, [{ data: noise(shape, 1), shape }]);
    const ops = typedOperators(r.bytes);
    const top1 = argmaxRows(r.tflite[0]!, 2).filter((p, i) => p === argmaxRows(r.onnx[0]!, 2)[i]).length / 8;
    const probabilities = maxAbsDiff(r.tflite[0]!, r.onnx[0]!);
    console.log(
      `paddle cls int8, 8 noise images: ${ops.filter((o) => /CONV_2D:INT8/.test(o)).length} of ${ops.filter((o) => /CONV_2D/.test(o)).length} convolutions on int8 kernels; ` +
        `${(100 * r.steps.withinOne).toFixed(3)}% of ${r.steps.elements} elements of ${r.tensors} int8 tensors within one step (${(100 * r.steps.equal).toFixed(2)}% equal, worst ${r.steps.maxSteps}); ` +
        `softmax max diff ${probabilities.toFixed(4)}, top-1 agreement ${(100 * top1).toFixed(0)}%`,
    );
    expect(r.steps.withinOne).toBeGreaterThanOrEqual(0.98);
    expect(r.steps.equal).toBeGreaterThanOrEqual(0.9);
    expect(top1).toBe(1);
    expect(probabilities).toBeLessThan(0.05);
  });
});
