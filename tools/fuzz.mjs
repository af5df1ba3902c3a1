#!/usr/bin/env node
/**
 * Long fuzz runs of the model loaders (tests/reliability/fuzz-<loader>.test.ts).
 *
 *   node tools/fuzz.mjs --cases 1000000 --seed 7                     # ONNX, both targets
 *   node tools/fuzz.mjs --loader tflite --cases 100000 --seed 7      # tflite, openvino, tfjs or onnx
 *   node tools/fuzz.mjs --target files --cases 50000 --save out/fuzz
 *   node tools/fuzz.mjs --loader tfjs --seed 7 --only 4242           # replay one case
 *
 * Cases are numbered per target and replay from (seed, index) alone. A case
 * that blocks the process (a synchronous hang cannot be caught inside it) is
 * named by a watchdog that reads the harness's heartbeat file, then stopped.
 * Build first: pnpm exec tsc -b (the tests import the built packages).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '100000' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    loader: { type: 'string', default: 'onnx' },
    target: { type: 'string' },
    only: { type: 'string' },
    save: { type: 'string' },
    stall: { type: 'string', default: '60' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('node tools/fuzz.mjs [--loader onnx|tflite|openvino|tfjs] [--cases N] [--seed S] [--target bytes|files (onnx)] [--only i,j] [--save DIR] [--stall SECONDS]');
  process.exit(0);
}
for (const [name, v] of [['cases', values.cases], ['seed', values.seed], ['stall', values.stall]]) {
  if (!/^\d+$/.test(v)) throw new Error(`--${name} must be a whole number, not "${v}"`);
}
/** Each loader's test file and the targets it runs (FUZZ_TARGET picks one). */
const LOADERS = { onnx: ['bytes', 'files'], tflite: ['tflite'], openvino: ['openvino'], tfjs: ['tfjs'] };
const targets = LOADERS[values.loader];
if (!Object.hasOwn(LOADERS, values.loader)) throw new Error(`--loader is ${Object.keys(LOADERS).join(', ')}, not "${values.loader}"`);
if (values.target && !targets.includes(values.target)) throw new Error(`--target for ${values.loader} is ${targets.join(' or ')}, not "${values.target}"`);

const scratch = mkdtempSync(path.join(tmpdir(), 'condense-fuzz-run-'));
const heartbeat = path.join(scratch, 'heartbeat');
const env = {
  ...process.env,
  FUZZ_CASES: values.cases,
  FUZZ_SEED: values.seed,
  FUZZ_HEARTBEAT: heartbeat,
  FUZZ_SCRATCH_DIR: scratch,
  ...(values.target && { FUZZ_TARGET: values.target }),
  ...(values.only && { FUZZ_ONLY: values.only }),
  ...(values.save && { FUZZ_SAVE_DIR: path.resolve(values.save) }),
};
console.log(`fuzz: ${values.loader}, ${values.cases} cases, seed ${values.seed}${values.target ? `, target ${values.target}` : ''}`);
const child = spawn(path.join(root, 'node_modules/.bin/vitest'), ['run', `reliability/fuzz-${values.loader}.test.ts`], { cwd: path.join(root, 'tests'), env, stdio: 'inherit', detached: true });

const stallMs = Number(values.stall) * 1000;
const watchdog = setInterval(() => {
  let last;
  try {
    last = statSync(heartbeat).mtimeMs;
  } catch {
    return; // Not started yet.
  }
  if (Date.now() - last < stallMs) return;
  const at = readFileSync(heartbeat, 'utf8').trim();
  console.error(`fuzz: case "${at}" has run for over ${values.stall} s: a hang. Replay it with --loader ${values.loader} --target ${at.split(' ')[0]} --seed ${values.seed} --only ${at.split(' ')[1]}`);
  process.kill(-child.pid, 'SIGKILL');
}, 5000);

child.on('exit', (code, signal) => {
  clearInterval(watchdog);
  // A crash (heap exhausted, a native abort) kills the worker mid-case: the heartbeat names that case.
  if (code !== 0 && existsSync(heartbeat)) console.error(`fuzz: the last case started was "${readFileSync(heartbeat, 'utf8').trim()}" (seed ${values.seed}).`);
  rmSync(scratch, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
