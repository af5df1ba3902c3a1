/** build-engine.sh, run by the shell with a stand-in trtexec that records its arguments and checks the files they name. */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEngineScript, exportTensorrt, type TensorrtArtifact } from '../src/index.js';
import { LAYERS_INPUT, layersModel } from './helpers/graphs.js';
import { noiseSamples, runtime } from './helpers/runtime.js';

const FAKE_TRTEXEC = `#!/bin/sh
for a in "$@"; do
  case "$a" in --onnx=*|--calib=*) [ -f "\${a#*=}" ] || { echo "missing \${a#*=}" >&2; exit 1; } ;; esac
done
printf '%s|' "$@" >> "$TRTEXEC_LOG"
echo >> "$TRTEXEC_LOG"
`;

describe('build-engine.sh', () => {
  const dirs: string[] = [];
  const folder = (artifacts: TensorrtArtifact[]) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'condense-trt-'));
    dirs.push(dir);
    for (const a of artifacts) writeFileSync(path.join(dir, a.name), a.bytes);
    writeFileSync(path.join(dir, 'trtexec'), FAKE_TRTEXEC);
    chmodSync(path.join(dir, 'trtexec'), 0o755);
    return dir;
  };
  /** Runs the script; returns its exit status and each trtexec call as its argument list. */
  const build = (dir: string, ...args: string[]) => {
    const log = path.join(dir, 'calls.log');
    writeFileSync(log, '');
    const r = spawnSync('sh', [path.join(dir, 'build-engine.sh'), ...args], { env: { ...process.env, TRTEXEC: path.join(dir, 'trtexec'), TRTEXEC_LOG: log }, encoding: 'utf8' });
    const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => line.split('|').slice(0, -1));
    return { status: r.status, stderr: r.stderr, calls };
  };
  let int8: TensorrtArtifact[];
  let int8Dir: string;
  let floatDir: string;

  beforeAll(async () => {
    int8 = await exportTensorrt(layersModel().graph, { runtime, samples: noiseSamples('x', LAYERS_INPUT.shape, 1), maxSamples: 2 });
    int8Dir = folder(int8);
    floatDir = folder(await exportTensorrt(layersModel().graph, { inputShapes: { x: [4, 3, 8, 8] } }));
  });
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('runs trtexec for the float16, explicit int8 (model.qdq.onnx) and implicit int8 (calibration.cache) engines', () => {
    const { status, stderr, calls } = build(int8Dir, 'all', '--verbose');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    // The symbolic batch becomes 1; extra arguments reach every build.
    expect(calls).toEqual([
      ['--onnx=model.onnx', '--fp16', '--saveEngine=model.fp16.engine', '--shapes=x:1x3x8x8', '--verbose'],
      ['--onnx=model.qdq.onnx', '--int8', '--saveEngine=model.int8-qdq.engine', '--shapes=x:1x3x8x8', '--verbose'],
      ['--onnx=model.onnx', '--int8', '--calib=calibration.cache', '--saveEngine=model.int8-calib.engine', '--shapes=x:1x3x8x8', '--verbose'],
    ]);
    expect(build(int8Dir, 'int8-explicit').calls).toEqual([['--onnx=model.qdq.onnx', '--int8', '--saveEngine=model.int8-qdq.engine', '--shapes=x:1x3x8x8']]);
  });

  it('without calibration samples offers the float16 build only; unknown workflows get the usage', () => {
    expect(build(floatDir).calls).toEqual([['--onnx=model.onnx', '--fp16', '--saveEngine=model.fp16.engine']]);
    const refused = build(floatDir, 'int8-implicit');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/usage: sh build-engine.sh \[fp16\|all\]/);
  });

  it('fails when a file it names is missing, instead of building something else', () => {
    const dir = folder(int8.filter((a) => a.name !== 'calibration.cache'));
    const { status, stderr } = build(dir, 'int8-implicit');
    expect(status).toBe(1);
    expect(stderr).toMatch(/missing calibration.cache/);
  });

  it('quotes shapes whose input names the shell would split', () => {
    const dir = folder([{ name: 'build-engine.sh', bytes: new TextEncoder().encode(buildEngineScript({ int8: false, shapes: "--shapes=it's an input:1x3" })) }, { name: 'model.onnx', bytes: new Uint8Array(1) }]);
    expect(build(dir, 'fp16').calls).toEqual([['--onnx=model.onnx', '--fp16', '--saveEngine=model.fp16.engine', "--shapes=it's an input:1x3"]]);
  });
});
