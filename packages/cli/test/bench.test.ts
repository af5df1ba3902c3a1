import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clsModel, condense, tinyCnn } from './helpers.js';

describe('condense bench', () => {
  it('--json reports p50Ms, and with --compare the ratio of p50s measured in one process', async () => {
    const r = await condense(['bench', tinyCnn, '--input-shape', 'image=4,1,28,28', '--compare', tinyCnn, '--runs', '10', '--json']);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(j.p50Ms).toBeGreaterThan(0);
    expect(j.p90Ms).toBeGreaterThanOrEqual(j.p50Ms);
    expect(j.throughputPerSecond).toBeGreaterThan(0);
    expect(j.peakRssMiB).toBeGreaterThan(10);
    expect(j.ratio).toBeCloseTo(j.p50Ms / j.compare.p50Ms, 10);
  });

  it('prints a table on the wasm adapter', async () => {
    const r = await condense(['bench', clsModel, '--adapter', 'wasm', '--input-shape', 'x=1,3,48,192', '--runs', '3', '--warmup', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/adapter wasm, 1 warm-up and 3 timed runs/);
    expect(r.stdout).toMatch(/p50 ms/);
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['symbolic input without --input-shape', ['bench', tinyCnn], /Input "image" .* has shape \[N, 1, 28, 28\]; give concrete sizes with --input-shape image=1,1,28,28/],
    ['webgpu in Node', ['bench', tinyCnn, '--adapter', 'webgpu'], /webgpu adapter runs in browsers/],
    ['unknown adapter', ['bench', tinyCnn, '--adapter', 'tpu'], /--adapter must be one of cpu, wasm, cuda, webgpu/],
    ['bad --runs', ['bench', tinyCnn, '--runs', '0'], /--runs must be a whole number of at least 1/],
  ];
  // Without a GPU the cuda adapter must explain itself (with one, it would simply run).
  if (!existsSync('/dev/nvidia0')) bad.push(['cuda without a GPU', ['bench', tinyCnn, '--adapter', 'cuda', '--input-shape', 'image=1,1,28,28'], /cuda runtime is not available here/]);
  for (const [what, args, message] of bad) {
    it(`${what}: one clear line and a non-zero exit`, async () => {
      const r = await condense(args);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});
