import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { condense, repoRoot, tinyCnn } from './helpers.js';

const DATA = '/usr/share/datasets/fashion-mnist';
const images = path.join(DATA, 't10k-images-idx3-ubyte.gz');
const labels = path.join(DATA, 't10k-labels-idx1-ubyte.gz');
const fashionCnn = path.join(repoRoot, 'tools', 'fixtures', 'fashion-cnn.onnx');
const work = mkdtempSync(path.join(tmpdir(), 'condense-eval-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!existsSync(DATA))('condense eval', () => {
  it('--json reports accuracy and samples of the reference CNN on all 10,000 test images', async () => {
    const r = await condense(['eval', fashionCnn, '--images', images, '--labels', labels, '--json']);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(j.samples).toBe(10_000);
    expect(j.accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('compress --preset int8 --calib keeps the accuracy within half a point', async () => {
    const out = path.join(work, 'fashion-int8.onnx');
    const c = await condense(['compress', fashionCnn, '-o', out, '--preset', 'int8', '--calib', path.join(DATA, 'train-images-idx3-ubyte.gz')]);
    expect(c.stderr).toBe('');
    const [a, b] = await Promise.all([
      condense(['eval', fashionCnn, '--images', images, '--labels', labels, '--json']),
      condense(['eval', out, '--images', images, '--labels', labels, '--json']),
    ]);
    expect(JSON.parse(a.stdout).accuracy - JSON.parse(b.stdout).accuracy).toBeLessThanOrEqual(0.005);
  }, 60_000);

  const bad: Array<[string, string[], RegExp]> = [
    ['missing --labels', ['eval', tinyCnn, '--images', images], /needs --images and --labels/],
    ['labels that are not IDX', ['eval', tinyCnn, '--images', images, '--labels', tinyCnn], /is not a valid IDX file/],
    ['int8 without calibration data', ['compress', tinyCnn, '-o', path.join(work, 'never.onnx'), '--preset', 'int8'], /needs sample data/],
  ];
  for (const [what, args, message] of bad) {
    it(`${what}: one clear line, non-zero exit`, async () => {
      const r = await condense(args);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});
