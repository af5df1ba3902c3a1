/** The tfjs runtime doing a runtime's job inside condense: calibration and bias correction for static int8 quantization. */
import { Tensor, compress, createRegistry } from '@condense/core';
import { describe, expect, it } from 'vitest';
import { importTfjs, tfjsRuntime } from '../src/index.js';
import { maxAbs, maxAbsDiff, noise } from './helpers/data.js';
import { compressibleCnn } from './helpers/models.js';
import { runOnnx } from './helpers/onnx.js';
import { saveToMemory, useBackend } from './helpers/tfjs.js';

const SHAPE = [4, 8, 8, 3];

async function* samples() {
  for (let i = 0; i < 4; i++) yield { pixels: Tensor.from('float32', SHAPE, noise(SHAPE.reduce((a, b) => a * b, 1), 100 + i)) };
}

describe('tfjs runtime inside compress', () => {
  it('calibrates static int8 quantization (fetching every activation) on the wasm backend', async () => {
    await useBackend('wasm');
    const saved = await saveToMemory(compressibleCnn());
    const float = importTfjs(saved);
    const model = importTfjs(saved);
    const result = await compress(model, { preset: 'int8' }, { registry: createRegistry(), runtime: tfjsRuntime({ backend: 'wasm' }), samples: samples() });
    const x = noise(SHAPE.reduce((a, b) => a * b, 1), 7);
    const expected = await runOnnx(float, x, SHAPE);
    const diff = maxAbsDiff(await runOnnx(model, x, SHAPE), expected);
    console.log(`static int8 calibrated with tfjs-wasm: max diff ${diff.toExponential(2)} (outputs up to ${maxAbs(expected).toFixed(2)}); ${[...model.graph].filter((n) => n.op === 'QuantizeLinear').length} QuantizeLinear; passes ${result.passes.map((p) => p.pass).join(', ')}`);
    expect([...model.graph].some((n) => n.op === 'QuantizeLinear')).toBe(true);
    expect(diff).toBeLessThan(0.1 * maxAbs(expected));
    // The QDQ model itself runs in tfjs, its activation quantization simulated in float32 as ONNX defines it.
    const session = await tfjsRuntime({ backend: 'wasm' }).createSession(model.graph);
    const out = await session.run({ pixels: Tensor.from('float32', SHAPE, x) });
    await session.release();
    const qdq = await runOnnx(model, x, SHAPE);
    const tfjsDiff = maxAbsDiff(out[session.outputNames[0]!]!.data<'float32'>(), qdq);
    console.log(`QDQ model in tfjs-wasm vs onnxruntime (QDQ simulated in float): ${tfjsDiff.toExponential(2)}`);
    // Float sums in another order land some x / scale on the other side of a rounding tie: a few activations move by one int8 step.
    expect(tfjsDiff).toBeLessThan(1e-3);
  });
});
