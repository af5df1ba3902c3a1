/**
 * Real TensorRT, where trtexec is on the PATH (a machine with an NVIDIA GPU
 * and TensorRT installed): builds the three engines with build-engine.sh and
 * compares their outputs with onnxruntime's on the same test images.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeModel } from '@condense/onnx';
import { describe, expect, it } from 'vitest';
import { exportTensorrt } from '../src/index.js';
import { Artifacts } from './helpers/artifacts.js';
import { FASHION_CNN, calibration, testImages } from './helpers/fashion.js';
import { maxAbsDiff, run, runtime } from './helpers/runtime.js';

const hasTrtexec = spawnSync('sh', ['-c', 'command -v trtexec'], { encoding: 'utf8' }).status === 0;
if (!hasTrtexec) console.log('trtexec.test.ts skipped: trtexec is not on the PATH (it needs an NVIDIA GPU with TensorRT); the build script is checked with a stand-in in build-script.test.ts.');

const BATCH = 16;

/** The first output of an engine on `input`, through trtexec's --loadInputs and --exportOutput. */
function runEngine(dir: string, engine: string, input: Float32Array): Float32Array {
  writeFileSync(path.join(dir, 'input.bin'), new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
  const out = path.join(dir, `${engine}.json`);
  const r = spawnSync('trtexec', [`--loadEngine=${engine}`, '--loadInputs=image:input.bin', `--exportOutput=${out}`, '--iterations=1', '--warmUp=0', '--duration=0'], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`trtexec could not run ${engine}:\n${r.stdout.slice(-2000)}`);
  const [first] = JSON.parse(readFileSync(out, 'utf8')) as Array<{ name: string; values: number[] }>;
  return Float32Array.from(first!.values);
}

const argmaxRows = (logits: Float32Array) => Array.from({ length: BATCH }, (_, r) => {
  const row = logits.subarray(r * 10, r * 10 + 10);
  return row.indexOf(Math.max(...row));
});
const agreement = (a: Float32Array, b: Float32Array) => argmaxRows(a).filter((c, i) => c === argmaxRows(b)[i]).length;

describe.skipIf(!hasTrtexec)('TensorRT engines built by build-engine.sh', { timeout: 600_000 }, () => {
  it('match onnxruntime: float16 within 2% of the largest logit, int8 on at least 14 of 16 predictions', async () => {
    const original = decodeModel(readFileSync(FASHION_CNN));
    const exported = new Artifacts(await exportTensorrt(original.graph, { runtime, samples: calibration(64), maxSamples: 512, inputShapes: { image: [BATCH, 1, 28, 28] } }));
    const dir = mkdtempSync(path.join(tmpdir(), 'condense-trtexec-'));
    try {
      for (const [name, bytes] of exported.byName) writeFileSync(path.join(dir, name), bytes);
      const build = spawnSync('sh', ['build-engine.sh', 'all'], { cwd: dir, encoding: 'utf8' });
      expect(build.status, build.stdout.slice(-2000)).toBe(0);
      const images = testImages(BATCH);
      const float = await run(original.graph, { image: images });
      const qdq = await run(exported.model('model.qdq.onnx').graph, { image: images });
      const input = images.data<'float32'>();
      const fp16 = runEngine(dir, 'model.fp16.engine', input);
      expect(maxAbsDiff(float, fp16)).toBeLessThan(0.02 * Math.max(...float.map(Math.abs)));
      for (const engine of ['model.int8-qdq.engine', 'model.int8-calib.engine']) {
        const int8 = runEngine(dir, engine, input);
        console.log(`${engine}: ${agreement(int8, float)}/${BATCH} predictions as float, ${agreement(int8, qdq)}/${BATCH} as onnxruntime's QDQ`);
        expect(agreement(int8, float)).toBeGreaterThanOrEqual(14);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
