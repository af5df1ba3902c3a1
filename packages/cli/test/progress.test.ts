/**
 * Progress on stderr: a few plain lines when piped (int8 calibration, bench
 * runs), a bar redrawn in place on a terminal, nothing with --json or --quiet,
 * and stdout (the result) unchanged by it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { condense } from './helpers.js';
import { writeCalibrationNpy, writeWideModel } from './wide-model.js';

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin.js');
const work = mkdtempSync(path.join(tmpdir(), 'condense-progress-'));
const model = path.join(work, 'wide.onnx');
const calib = path.join(work, 'calib.npy');
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(async () => {
  // Calibrating 512 samples takes a few seconds here: long enough to report, short enough to test.
  await writeWideModel(model, 192, 4);
  writeCalibrationNpy(calib, 512);
}, 60_000);

/** "label: 50% (256/512), ETA 6 s" lines of one task, as [percent, done, total]. */
function lines(stderr: string, label: string): Array<[number, number, number]> {
  const re = new RegExp(`^${label}: (\\d+)% \\((\\d+)/(\\d+)\\), (ETA )?\\d+(:\\d\\d| s)$`);
  return stderr.split('\n').filter((l) => l.startsWith(`${label}:`)).map((l) => {
    const m = re.exec(l);
    expect(m, l).not.toBeNull();
    return [Number(m![1]), Number(m![2]), Number(m![3])];
  });
}

/** Quarters only, rising, each no further than the work done, one line each at most. */
function expectQuarters(found: Array<[number, number, number]>, total: number): void {
  expect(found.length).toBeGreaterThanOrEqual(1);
  expect(found.length).toBeLessThanOrEqual(4);
  for (const [percent, done, t] of found) {
    expect([25, 50, 75, 100]).toContain(percent);
    expect(t).toBe(total);
    expect(done / total).toBeGreaterThanOrEqual(percent / 100);
  }
  const percents = found.map(([p]) => p);
  expect(percents).toEqual([...new Set(percents)].sort((a, b) => a - b));
}

describe('piped stderr: a few plain lines', () => {
  it('int8 calibration reports quarters of its 512 samples; stdout keeps the table', async () => {
    const out = path.join(work, 'int8.onnx');
    const r = await condense(['compress', model, '-o', out, '--preset', 'int8', '--calib', calib]);
    expect(r.code).toBe(0);
    const found = lines(r.stderr, 'quantize-static, calibrating');
    console.log(`calibration progress lines:\n${r.stderr}`);
    expectQuarters(found, 512);
    // Every stderr line is a progress line: no bar characters or escapes when piped.
    for (const l of r.stderr.trim().split('\n')) expect(l).toMatch(/^[\w-]+(, [\w ]+)?: \d+% \(\d+\/\d+\)/);
    expect(r.stdout).toMatch(/^wide\.onnx -> |-> .*int8\.onnx/m);
    expect(r.stdout).toMatch(/quantize-static\s+yes/);
  }, 120_000);

  it('bench reports its timed runs', async () => {
    const r = await condense(['bench', model, '--input-shape', 'image=8,3,16,16', '--runs', '300', '--warmup', '1']);
    expect(r.code).toBe(0);
    expectQuarters(lines(r.stderr, 'timed runs'), 300);
    expect(r.stdout).toMatch(/p50 ms/);
  }, 120_000);
});

describe('silent with --json or --quiet', () => {
  it('--json: stdout is one JSON object and stderr is empty', async () => {
    const r = await condense(['compress', model, '-o', path.join(work, 'json.onnx'), '--preset', 'int8', '--calib', calib, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).passes.map((p: { pass: string }) => p.pass)).toContain('quantize-static');
  }, 120_000);

  it('--quiet: the table and no progress', async () => {
    const r = await condense(['bench', model, '--input-shape', 'image=8,3,16,16', '--runs', '300', '--warmup', '1', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/p50 ms/);
  }, 120_000);
});

// util-linux's script runs the command on a pseudo-terminal, so stderr is a TTY.
describe.skipIf(!existsSync('/usr/bin/script'))('on a terminal', () => {
  it('a bar redrawn in place with percent, done/total and ETA, erased before the result', () => {
    const command = [process.execPath, bin, 'bench', model, '--input-shape', 'image=8,3,16,16', '--runs', '300', '--warmup', '1'].map((a) => `'${a}'`).join(' ');
    const tty = execFileSync('/usr/bin/script', ['-qec', `stty cols 100; ${command}`, '/dev/null'], { encoding: 'utf8', timeout: 120_000 });
    const frames = tty.split('\r\x1b[2K').slice(1);
    const bars = frames.filter((f) => f.startsWith('timed runs ['));
    console.log(`${bars.length} frames, e.g. ${JSON.stringify(bars[Math.floor(bars.length / 2)])}`);
    // Redrawn in place (at most ten times a second: a run of a few seconds gives a few dozen frames, not 300).
    expect(bars.length).toBeGreaterThanOrEqual(2);
    expect(bars.length).toBeLessThan(100);
    for (const bar of bars) {
      expect(bar).toMatch(/^timed runs \[#*\.*\]\s+\d+% \d+\/300( ETA \d+(:\d\d| s))?$/);
      expect(bar.length).toBeLessThan(100);
    }
    // The bar is erased (the last \r ESC[2K) before the table is printed.
    expect(frames.at(-1)).toMatch(/^adapter cpu, 1 warm-up and 300 timed runs/);
  }, 120_000);
});
