/**
 * The same models on adapter-cpu (onnxruntime-node) and adapter-wasm
 * (onnxruntime-web in Node): outputs and a fetched intermediate agree within 1e-4.
 * The WebGPU side of the comparison runs in a browser: browser/webgpu.test.ts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor, type Runtime } from '@condense/core';
import { cpuRuntime } from '@condense/adapter-cpu';
import { wasmRuntime } from '@condense/adapter-wasm';
import { loadModel } from '@condense/onnx/node';
import { describe, expect, it } from 'vitest';
import { PADDLE_ASSETS } from '../helpers/models.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CASES = [
  { name: 'generated CNN', file: path.join(root, 'tools', 'fixtures', 'tiny-cnn.onnx'), input: 'image', shape: [4, 1, 28, 28] },
  { name: 'PaddleOCR det', file: path.join(PADDLE_ASSETS, 'ch_PP-OCRv4_det_infer.onnx'), input: 'x', shape: [1, 3, 160, 192] },
];

async function runOn(runtime: Runtime, file: string, input: string, shape: number[], fetches: string[]) {
  const model = await loadModel(file);
  const n = shape.reduce((a, b) => a * b, 1);
  const session = await runtime.createSession(model.graph);
  try {
    return await session.run({ [input]: Tensor.from('float32', shape, Float32Array.from({ length: n }, (_, i) => ((i * 2654435761) % 1000) / 1000)) }, fetches);
  } finally {
    await session.release();
  }
}

describe('cpu and wasm agree', () => {
  for (const c of CASES) {
    it(`${c.name}`, async () => {
      const model = await loadModel(c.file);
      const fetches = [model.graph.outputs[0]!.name, [...model.graph].find((n) => n.op === 'Conv')!.output.name];
      const [a, b] = [await runOn(cpuRuntime(), c.file, c.input, c.shape, fetches), await runOn(wasmRuntime(), c.file, c.input, c.shape, fetches)];
      for (const name of fetches) {
        const x = a[name]!.data<'float32'>();
        const y = b[name]!.data<'float32'>();
        expect(x.length).toBe(y.length);
        let maxAbs = 0;
        for (let i = 0; i < x.length; i++) maxAbs = Math.max(maxAbs, Math.abs(x[i]! - y[i]!));
        console.log(`${c.name}: ${name} [${a[name]!.shape.join(', ')}] cpu vs wasm max abs difference ${maxAbs.toExponential(2)}`);
        expect(maxAbs).toBeLessThanOrEqual(1e-4);
      }
    }, 60_000);
  }
});
