// Load/save speed and memory of @condense/onnx at model scale (issue: "Speed and
// memory at model scale"). Generates a ResNet-50-sized model (~100 MB) once, then
// alternates plain fs reads/writes with loadModel/saveModel in one process and
// measures peak RSS of a load+save in a fresh child process.
// Usage: node tools/bench-onnx-io.mjs [model.onnx] [--runs N] [--json]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadModel, saveModel } from '@condense/onnx/node';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values, positionals } = parseArgs({ allowPositionals: true, options: { runs: { type: 'string' }, json: { type: 'boolean' }, 'child-rss': { type: 'boolean' } } });

if (values['child-rss']) {
  // Child: one load and one save, then report the process's peak resident memory.
  const [file, out] = positionals;
  const model = await loadModel(file);
  await saveModel(model, out);
  process.stdout.write(JSON.stringify({ maxRss: peakRss() }));
  process.exit(0);
}

/**
 * This process's peak resident memory. On Linux, VmHWM: getrusage's maxrss
 * would include the parent's memory at fork time, which the child inherits.
 */
function peakRss() {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) * 1024;
  } catch {}
  return process.resourceUsage().maxRSS * 1024;
}

const work = path.join(tmpdir(), 'condense-bench');
mkdirSync(work, { recursive: true });
let file = positionals[0];
if (!file) {
  file = path.join(work, 'resnet50.onnx');
  if (!existsSync(file)) execFileSync(process.execPath, [path.join(here, 'make-resnet50.mjs'), file], { stdio: 'inherit' });
}
const size = statSync(file).size;
const runs = Number(values.runs ?? 7);
const plainOut = path.join(work, 'plain-copy.onnx');
const savedOut = path.join(work, 'saved-copy.onnx');

const time = async (fn) => {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, r };
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const t = { read: [], load: [], write: [], save: [] };
for (let i = 0; i < runs + 1; i++) {
  // Alternate plain and condense operations so machine noise hits both alike; the first round warms caches.
  const read = await time(() => readFile(file));
  const load = await time(() => loadModel(file));
  const write = await time(() => writeFile(plainOut, read.r));
  const save = await time(() => saveModel(load.r, savedOut));
  if (i === 0) continue;
  t.read.push(read.ms);
  t.load.push(load.ms);
  t.write.push(write.ms);
  t.save.push(save.ms);
}
const child = JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child-rss', file, path.join(work, 'rss-copy.onnx')], { encoding: 'utf8' }));
rmSync(plainOut, { force: true });
rmSync(savedOut, { force: true });

const rows = [
  { what: 'load', condenseMs: median(t.load), plainMs: median(t.read), ratio: median(t.load) / median(t.read), target: 2 },
  { what: 'save', condenseMs: median(t.save), plainMs: median(t.write), ratio: median(t.save) / median(t.write), target: 2 },
  { what: 'peak RSS (load+save)', condenseMs: undefined, plainMs: undefined, ratio: child.maxRss / size, target: 2, bytes: child.maxRss },
];
if (values.json) {
  console.log(JSON.stringify({ file, size, runs, rows }, null, 2));
} else {
  console.log(`model ${file}: ${(size / 2 ** 20).toFixed(1)} MiB, median of ${runs} alternating runs`);
  console.log('| measure | condense | plain fs | ratio | target | result |');
  console.log('|---|---:|---:|---:|---:|---|');
  for (const r of rows) {
    const c = r.bytes ? `${(r.bytes / 2 ** 20).toFixed(0)} MiB` : `${r.condenseMs.toFixed(1)} ms`;
    const p = r.bytes ? `model ${(size / 2 ** 20).toFixed(0)} MiB` : `${r.plainMs.toFixed(1)} ms`;
    console.log(`| ${r.what} | ${c} | ${p} | ${r.ratio.toFixed(2)}x | <= ${r.target}x | ${r.ratio <= r.target ? 'ok' : 'MISSED'} |`);
  }
}
process.exitCode = rows.every((r) => r.ratio <= r.target) ? 0 : 1;
