/**
 * Nothing lost: Ctrl-C at any moment of a run (loading, calibrating, saving),
 * a pass that throws and a runtime that fails all leave the output folder as
 * it was (no temp file, no partial model) and the input byte-identical. A run
 * interrupted by SIGINT exits 130 with one line on stderr.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, undoInFlightWrites, writeFilesAtomic } from '@condense/onnx/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCalibrationNpy, writeWideModel } from './wide-model.js';

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin.js');
const work = mkdtempSync(path.join(tmpdir(), 'condense-interrupt-'));
const input = path.join(work, 'wide.onnx');
const calib = path.join(work, 'calib.npy');
let inputBytes: Buffer;
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(async () => {
  await writeWideModel(input);
  writeCalibrationNpy(calib, 512);
  inputBytes = readFileSync(input);
}, 60_000);

interface Run {
  child: ChildProcess;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[]): Run {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  child.stdout!.resume();
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, stderr: () => err, exit };
}

/** A fresh output folder holding one file of the user's, which must survive. */
function outputFolder(name: string): { dir: string; out: string } {
  const dir = path.join(work, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'keep.txt'), 'mine\n');
  return { dir, out: path.join(dir, 'out.onnx') };
}

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Whether the process has `file` open now (it is reading it). */
function hasOpen(pid: number, file: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === file;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/** The interrupted run's promise: exit 130, one line, the folder as it was, the input untouched. */
async function expectNothingWritten(run: Run, dir: string): Promise<void> {
  const { code, signal } = await run.exit;
  expect({ code, signal }).toEqual({ code: 130, signal: null });
  expect(run.stderr().trim().split('\n').at(-1)).toBe('interrupted: nothing was written');
  expect(readdirSync(dir)).toEqual(['keep.txt']);
  expect(readFileSync(input).equals(inputBytes)).toBe(true);
}

describe('Ctrl-C leaves nothing behind', () => {
  it('during load', async () => {
    const { dir, out } = outputFolder('load');
    const run = start(['compress', input, '-o', out, '--preset', 'int8', '--calib', calib]);
    // The model is read whole in one call: signal while the file is open, or soon after if that moment is missed.
    const t0 = Date.now();
    await until('the model being read', () => hasOpen(run.child.pid!, input) || Date.now() - t0 > 2000, 10_000);
    console.log(`load: signalled ${Date.now() - t0} ms after spawn, model file ${hasOpen(run.child.pid!, input) ? 'open' : 'no longer open'}`);
    run.child.kill('SIGINT');
    await expectNothingWritten(run, dir);
  });

  it('during int8 calibration', async () => {
    const { dir, out } = outputFolder('calibration');
    const run = start(['compress', input, '-o', out, '--preset', 'int8', '--calib', calib]);
    await until('calibration progress', () => /calibrating: \d+%/.test(run.stderr()));
    run.child.kill('SIGINT');
    await expectNothingWritten(run, dir);
  }, 60_000);

  it('during the save: the temp files are removed (caught mid-write at least once in five tries)', async () => {
    let caught = 0;
    for (let attempt = 0; attempt < 5 && caught === 0; attempt++) {
      const { dir, out } = outputFolder(`save-${attempt}`);
      const run = start(['compress', input, '-o', out, '--preset', 'cleanup', '--external-data', '--json']);
      const freeze = interruptOnTemp(run, dir);
      const { code } = await run.exit;
      freeze.close();
      if (freeze.midWrite()) {
        caught++;
        await expectNothingWritten({ ...run, exit: Promise.resolve({ code, signal: null }) }, dir);
      } else {
        // Too late to catch: the run finished, and its output is whole.
        expect(code).toBe(0);
        expect(readdirSync(dir).sort()).toEqual(['keep.txt', 'out.onnx', 'out.onnx.data']);
        expect((await loadModel(out)).graph.outputs).toHaveLength(1);
      }
      console.log(`save attempt ${attempt}: ${freeze.midWrite() ? 'interrupted mid-write' : 'finished first'}`);
    }
    expect(caught).toBe(1);
  }, 120_000);

  it('convert --force over its own input: the input is kept or replaced whole, never lost', async () => {
    let caught = 0;
    for (let attempt = 0; attempt < 5 && caught === 0; attempt++) {
      const dir = path.join(work, `force-${attempt}`);
      mkdirSync(dir);
      const own = path.join(dir, 'model.onnx');
      copyFileSync(input, own);
      const run = start(['convert', own, '-o', own, '--force', '--opset', '18']);
      const freeze = interruptOnTemp(run, dir);
      const { code } = await run.exit;
      freeze.close();
      expect(readdirSync(dir)).toEqual(['model.onnx']);
      if (freeze.midWrite()) {
        caught++;
        expect(code).toBe(130);
        expect(readFileSync(own).equals(inputBytes)).toBe(true);
      } else {
        expect(code).toBe(0);
        expect((await loadModel(own)).graph.opset['']).toBe(18);
      }
    }
    expect(caught).toBe(1);
  }, 120_000);
});

/**
 * Freezes the process (SIGSTOP) the moment a temp file appears in `dir`,
 * looks: if the temp file is still there, the write is under way, and the
 * process gets SIGINT before it continues (SIGCONT), so the signal lands mid-write.
 */
function interruptOnTemp(run: Run, dir: string): { midWrite: () => boolean; close: () => void } {
  let midWrite = false;
  let looked = false;
  const watcher = watch(dir, (_event, name) => {
    if (looked || !name?.includes('.tmp-')) return;
    looked = true;
    run.child.kill('SIGSTOP');
    midWrite = readdirSync(dir).some((f) => f.includes('.tmp-'));
    if (midWrite) run.child.kill('SIGINT');
    run.child.kill('SIGCONT');
  });
  return { midWrite: () => midWrite, close: () => watcher.close() };
}

describe('failures leave nothing behind', () => {
  it('a plugin pass that throws: exit 1, the pass named, no output', async () => {
    const { dir, out } = outputFolder('throwing-pass');
    const plugin = path.join(work, 'explode.mjs');
    writeFileSync(plugin, `export const passes = [{ name: 'explode', description: 'throws halfway', run(g) { for (const n of g) n.name += '_'; throw new Error('boom at layer 3'); } }];\n`);
    const recipe = path.join(work, 'explode.yaml');
    writeFileSync(recipe, 'preset: cleanup\npasses:\n  - explode\n');
    const run = start(['compress', input, '-o', out, '--plugin', plugin, '--recipe', recipe]);
    const { code } = await run.exit;
    expect(code).toBe(1);
    expect(run.stderr()).toMatch(/^condense compress: Pass "explode" failed: boom at layer 3\n$/);
    expect(readdirSync(dir)).toEqual(['keep.txt']);
    expect(readFileSync(input).equals(inputBytes)).toBe(true);
  });

  it('--adapter cuda where CUDA cannot load: exit 1, no output (or, with a GPU, a whole model)', async () => {
    const { dir, out } = outputFolder('cuda');
    const run = start(['compress', input, '-o', out, '--preset', 'int8', '--calib', calib, '--adapter', 'cuda', '--quiet']);
    const { code } = await run.exit;
    expect(readFileSync(input).equals(inputBytes)).toBe(true);
    if (code === 0) {
      console.log('--adapter cuda ran (a GPU is present): checking the output instead');
      expect((await loadModel(out)).graph.outputs).toHaveLength(1);
      return;
    }
    // onnxruntime's native logger prints its own line first; condense's is the last, and the only one of its own.
    const ours = run.stderr().trim().split('\n').filter((l) => l.startsWith('condense'));
    console.log(`--adapter cuda: ${ours.join('\n')}`);
    expect(code).toBe(1);
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(/^condense compress: Pass "quantize-static" failed: The cuda runtime is not available here/);
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  }, 60_000);
});

describe('undoInFlightWrites, the registry the CLI empties on Ctrl-C', () => {
  const pair = (dir: string, fill: number) => [
    { file: path.join(dir, 'm.onnx.data'), chunks: [new Uint8Array(4 << 20).fill(fill)] },
    { file: path.join(dir, 'm.onnx'), chunks: [new Uint8Array(1 << 10).fill(fill)] },
  ];
  const contents = (dir: string) => readdirSync(dir).sort().map((f) => `${f}:${readFileSync(path.join(dir, f))[0]}`);

  // A model and its data file written over old ones, stopped after 0 to 19 turns of the event loop or 0 to 38 ms:
  // the folder always holds the old pair or the new one, never a mix, a temp or a set-aside file.
  it('leaves the old pair or the new pair, at whichever moment it runs', async () => {
    const outcomes: string[] = [];
    for (let ticks = 0; ticks < 40; ticks++) {
      const dir = path.join(work, `undo-${ticks}`);
      mkdirSync(dir);
      for (const f of pair(dir, 1)) writeFileSync(f.file, f.chunks[0]!);
      const writing = writeFilesAtomic(pair(dir, 2)).then(() => 'finished', (e: Error) => e.message);
      // Turns of the loop first, then whole milliseconds, by when the write is done.
      if (ticks < 20) for (let i = 0; i < ticks; i++) await new Promise((r) => setImmediate(r));
      else await new Promise((r) => setTimeout(r, 2 * (ticks - 20)));
      const complete = await undoInFlightWrites();
      const outcome = await writing;
      const now = contents(dir);
      if (outcome === 'finished' || complete.length) {
        expect(now).toEqual(['m.onnx:2', 'm.onnx.data:2']);
        outcomes.push('new');
      } else {
        expect(outcome).toMatch(/was interrupted; nothing was written/);
        expect(now).toEqual(['m.onnx:1', 'm.onnx.data:1']);
        outcomes.push('old');
      }
    }
    console.log(`undo after 0..19 turns, then 0..38 ms: ${outcomes.join(' ')}`);
    // Both outcomes occurred, so undo did act mid-write, and late enough for the write to finish.
    expect(new Set(outcomes)).toEqual(new Set(['old', 'new']));
  });
});
