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
    const c = await condense(['compress', fashionCnn, '-o', out, '--preset', 'int8', '--calib', path.join(DATA, 'train-images-idx3-ubyte.gz'), '--quiet']);
    expect(c.stderr).toBe('');
    const [a, b] = await Promise.all([
      condense(['eval', fashionCnn, '--images', images, '--labels', labels, '--json']),
      condense(['eval', out, '--images', images, '--labels', labels, '--json']),
    ]);
    expect(JSON.parse(a.stdout).accuracy - JSON.parse(b.stdout).accuracy).toBeLessThanOrEqual(0.005);
  }, 60_000);

  it('--compare prints fidelity between two models on the --calib inputs, without labels', async () => {
    const out = path.join(work, 'fashion-int8-compare.onnx');
    expect((await condense(['compress', fashionCnn, '-o', out, '--preset', 'int8', '--calib', path.join(DATA, 'train-images-idx3-ubyte.gz')])).code).toBe(0);
    const same = JSON.parse((await condense(['eval', fashionCnn, '--compare', fashionCnn, '--calib', images, '--limit', '100', '--json'])).stdout);
    expect(same).toMatchObject({ samples: 100, top1Agreement: 1, cosine: 1, minCosine: 1, sqnrDb: null });
    const r = await condense(['eval', out, '--compare', fashionCnn, '--calib', images, '--limit', '300', '--json']);
    const j = JSON.parse(r.stdout);
    console.log(`int8 against float on 300 test images: agreement ${j.top1Agreement}, cosine ${j.cosine}, SQNR ${j.sqnrDb} dB`);
    expect(j.samples).toBe(300);
    expect(j.top1Agreement).toBeGreaterThanOrEqual(0.98);
    expect(j.cosine).toBeGreaterThan(0.999);
    expect(j.sqnrDb).toBeGreaterThan(30);
    const text = await condense(['eval', out, '--compare', fashionCnn, '--calib', images, '--limit', '50']);
    expect(text.stdout).toMatch(/top-1 agreement\s+\d+\.\d+%/);
  }, 60_000);

  const bad: Array<[string, string[], RegExp]> = [
    ['--compare without --calib', ['eval', tinyCnn, '--compare', tinyCnn], /--compare needs --calib/],
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
