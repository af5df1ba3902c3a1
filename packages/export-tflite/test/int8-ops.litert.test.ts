/**
 * Small hand-built QDQ graphs, one per int8 lowering the real models do not
 * reach: requantization after ops that keep their input's scale, concatenation
 * of differently scaled inputs, int8 pads, reshapes, transposes, resizes,
 * fully-connected layers after an NHWC flatten, float islands, and int8 or
 * uint8 boundaries. Each output is compared with onnxruntime in steps of its
 * quantization scale.
 */
import { describe, expect, it } from 'vitest';
import { runBoth } from './helpers/compare.js';
import { noise } from './helpers/data.js';
import { buildModel } from './helpers/graphs.js';
import { typedOperators } from './helpers/inspect.js';
import { INT8_CASES, outputScale } from './helpers/int8-cases.js';
import { stepAgreement } from './helpers/quantize.js';

describe('int8 ops in LiteRT.js vs onnxruntime, in quantization steps', () => {
  for (const c of INT8_CASES) {
    it(c.name, async () => {
      const model = buildModel(c.input, c.body);
      const scale = outputScale(model);
      const r = await runBoth(model, c.options ?? {}, [{ data: noise(c.input, 5), shape: c.input }]);
      const steps = stepAgreement([{ a: r.onnx[0]!, b: r.tflite[0]!, scale }]);
      const ops = typedOperators(r.bytes);
      console.log(`${c.name}: ${(100 * steps.equal).toFixed(1)}% equal, worst ${steps.maxSteps} step(s); ${ops.join(' ')}`);
      // Float biases are rounded to int32 by the export (onnxruntime adds them in float): the odd step apart.
      expect(steps.maxSteps).toBeLessThanOrEqual(1);
      expect(steps.equal).toBeGreaterThanOrEqual(0.9);
      for (const op of c.expectOps) expect(ops).toContain(op);
    });
  }
});
