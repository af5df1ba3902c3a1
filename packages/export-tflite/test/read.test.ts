/**
 * Reading .tflite back into condense's IR: every model the writer produces in
 * these tests (float32, float16 weights, int8 weights, full-integer int8,
 * NCHW and uint8/int8 boundaries) reads back into an ONNX model that
 * onnxruntime runs to the original's outputs, within the tolerances the
 * LiteRT.js tests hold the export itself to.
 */
import { CondenseError, attr } from '@condense/core';
import { describe, expect, it } from 'vitest';
import { BuiltinOperator, TensorType } from '../src/generated/tflite_generated.js';
import { exportTflite, readTflite } from '../src/index.js';
import { writeModel } from '../src/flatbuffer/write-model.js';
import { FLOAT_TOLERANCE, maxAbsDiff, noise } from './helpers/data.js';
import { calibration, fashionAvailable } from './helpers/fashion.js';
import { buildModel } from './helpers/graphs.js';
import { INT8_CASES, outputScale } from './helpers/int8-cases.js';
import { FASHION_CNN, PADDLE_CLS, PADDLE_SHAPE, load } from './helpers/models.js';
import { FLOAT_CASES } from './helpers/op-cases.js';
import { exposeQuantized, noiseSamples, quantizeInt8, quantizeWeights, stepAgreement } from './helpers/quantize.js';
import { roundTrip } from './helpers/roundtrip.js';

const feed = (shape: number[], seed = 5, lo = -1, hi = 1) => [{ data: noise(shape, seed, lo, hi), shape }];

describe('float ops read back', () => {
  for (const c of FLOAT_CASES) {
    it(c.name, async () => {
      const r = await roundTrip(buildModel(c.input, c.body, c.opset), c.options ?? {}, feed(c.input));
      expect(maxAbsDiff(r.read[0]!, r.original[0]!)).toBeLessThan(FLOAT_TOLERANCE);
    });
  }
});

describe('int8 ops read back as QDQ', () => {
  for (const c of INT8_CASES) {
    it(c.name, async () => {
      const model = buildModel(c.input, c.body);
      const r = await roundTrip(model, c.options ?? {}, feed(c.input));
      const steps = stepAgreement([{ a: r.original[0]!, b: r.read[0]!, scale: outputScale(model) }]);
      expect(steps.maxSteps).toBeLessThanOrEqual(1);
      expect(steps.equal).toBeGreaterThanOrEqual(0.9);
    });
  }

  it("io 'int8' (which LiteRT.js cannot feed): int8 tensors at both ends, the same values", async () => {
    const c = INT8_CASES.find((k) => k.options?.io === 'uint8')!;
    const model = buildModel(c.input, c.body);
    const r = await roundTrip(model, { io: 'int8' }, feed(c.input));
    expect(r.back.graph.inputs[0]!.type?.dtype).toBe('int8');
    expect(r.back.graph.outputs[0]!.type?.dtype).toBe('int8');
    expect(stepAgreement([{ a: r.original[0]!, b: r.read[0]!, scale: outputScale(model) }]).maxSteps).toBeLessThanOrEqual(1);
  });
});

describe('real models read back', () => {
  it('Fashion-MNIST CNN: float32 (NHWC and NCHW boundaries) within 1e-4, float16 weights within 2e-2 as in LiteRT.js', async () => {
    const model = load(FASHION_CNN);
    const input = feed([1, 1, 28, 28], 3, 0, 1);
    for (const layout of ['nhwc', 'nchw'] as const) {
      const r = await roundTrip(model, { layout }, input);
      expect(r.back.graph.inputs[0]!.type?.shape).toEqual([1, 1, 28, 28]);
      expect(maxAbsDiff(r.read[0]!, r.original[0]!)).toBeLessThan(FLOAT_TOLERANCE);
    }
    const half = await roundTrip(model, { weights: 'float16' }, input);
    expect([...half.back.graph].filter((n) => n.op === 'Cast')).toHaveLength(14);
    expect(maxAbsDiff(half.read[0]!, half.original[0]!)).toBeLessThan(2e-2);
  });

  it('int8 weights (dequantize and hybrid exports) read back as DequantizeLinear of int8: the same outputs', async () => {
    const model = await quantizeWeights(load(FASHION_CNN));
    for (const dynamicRange of ['dequantize', 'hybrid'] as const) {
      const r = await roundTrip(model, { dynamicRange }, feed([1, 1, 28, 28], 3, 0, 1));
      expect(maxAbsDiff(r.read[0]!, r.original[0]!)).toBeLessThan(FLOAT_TOLERANCE);
    }
  });

  it.skipIf(!fashionAvailable())('Fashion-MNIST CNN int8: every int8 tensor within one step (QDQ in, QDQ out)', async () => {
    const model = await quantizeInt8(load(FASHION_CNN), calibration(), true);
    const exposed = exposeQuantized(model);
    const r = await roundTrip(exposed.model, {}, feed([1, 1, 28, 28], 3, 0, 1));
    const steps = stepAgreement(exposed.scales.map((scale, i) => ({ a: r.original[1 + i]!, b: r.read[1 + i]!, scale })));
    console.log(`fashion int8 read back: ${(100 * steps.withinOne).toFixed(3)}% of ${steps.elements} int8 elements within one step, ${(100 * steps.equal).toFixed(2)}% equal; logits max diff ${maxAbsDiff(r.read[0]!, r.original[0]!).toExponential(2)}`);
    expect(steps.withinOne).toBeGreaterThanOrEqual(0.99);
  });

  it('PaddleOCR cls: float32 within 1e-4; int8 tensors within one step on >= 99%', async () => {
    const input = feed([1, 3, 48, 192], 2);
    const float = await roundTrip(load(PADDLE_CLS), { inputShapes: PADDLE_SHAPE }, input);
    expect(maxAbsDiff(float.read[0]!, float.original[0]!)).toBeLessThan(FLOAT_TOLERANCE);
    const exposed = exposeQuantized(await quantizeInt8(load(PADDLE_CLS), noiseSamples('x', [2, 3, 48, 192], 4), true));
    const r = await roundTrip(exposed.model, { inputShapes: PADDLE_SHAPE }, input);
    const steps = stepAgreement(exposed.scales.map((scale, i) => ({ a: r.original[1 + i]!, b: r.read[1 + i]!, scale })));
    console.log(`paddle cls int8 read back: ${(100 * steps.withinOne).toFixed(3)}% of ${steps.elements} int8 elements within one step; softmax max diff ${maxAbsDiff(r.read[0]!, r.original[0]!).toFixed(4)}`);
    expect(steps.withinOne).toBeGreaterThanOrEqual(0.99);
  }, 60_000);
});

describe('reading bad input', () => {
  const expectError = (f: () => unknown, code: string, message: RegExp) => {
    let error: unknown;
    try {
      f();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CondenseError);
    expect((error as CondenseError).code).toBe(code);
    expect((error as CondenseError).message).toMatch(message);
  };
  const bytes = exportTflite(buildModel([1, 2, 4, 4], (b, x) => b.op('Relu', [b.op('Conv', [x, b.constant([3, 2, 1, 1])], { group: attr.int(1) })])));

  it('refuses what is not a .tflite flatbuffer, and truncated or corrupt files, with one CondenseError', () => {
    expectError(() => readTflite(new Uint8Array(3)), 'E_MODEL_INVALID', /too short/);
    expectError(() => readTflite(new TextEncoder().encode('{"not": "a model"}')), 'E_MODEL_INVALID', /TFL3/);
    expectError(() => readTflite(bytes.subarray(0, bytes.length / 2)), 'E_MODEL_INVALID', /^Not a valid \.tflite model: /);
    expectError(() => readTflite(bytes, { layout: 'hwcn' } as never), 'E_BAD_OPTION', /layout/);
  });

  it('names an operator it does not read', () => {
    const other = writeModel({
      description: '',
      tensors: [
        { name: 'x', type: TensorType.FLOAT32, shape: [1, 4] },
        { name: 'y', type: TensorType.FLOAT32, shape: [1, 4] },
      ],
      // ABS, which condense never writes (the schema compiled here lists only the operators it does).
      operators: [{ op: 101 as BuiltinOperator, inputs: [0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    });
    expectError(() => readTflite(other), 'E_UNSUPPORTED_OP', /uses builtin operator 101, which condense does not read/);
  });
});
