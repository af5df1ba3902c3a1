/**
 * One small graph per op family, exported and run in LiteRT.js against
 * onnxruntime-node: the layouts, paddings and fused activations the real
 * models do not exercise.
 */
import { describe, expect, it } from 'vitest';
import { compareWithOnnx } from './helpers/compare.js';
import { buildModel } from './helpers/graphs.js';
import { operators } from './helpers/inspect.js';
import { FLOAT_TOLERANCE } from './helpers/data.js';
import { FLOAT_CASES } from './helpers/op-cases.js';

describe('single ops in LiteRT.js vs onnxruntime', () => {
  for (const c of FLOAT_CASES) {
    it(c.name, async () => {
      const model = buildModel(c.input, c.body, c.opset);
      const r = await compareWithOnnx(model, c.options);
      const ops = operators(r.bytes);
      console.log(`${c.name}: max diff ${r.maxDiff.toExponential(2)} (outputs up to ${r.scale.toFixed(2)}); ${ops.join(' ')}`);
      expect(r.maxDiff).toBeLessThan(FLOAT_TOLERANCE);
      for (const op of c.expectOps ?? []) expect(ops).toContain(op);
      for (const op of c.avoidOps ?? []) expect(ops).not.toContain(op);
    });
  }
});
