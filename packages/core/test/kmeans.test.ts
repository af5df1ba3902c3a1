import { describe, expect, it } from 'vitest';
import { clusterGroups, decodePalette } from '../src/passes/cluster-weights/groups.js';
import { kmeans1d } from '../src/passes/cluster-weights/kmeans.js';

/** Lloyd's k-means done the plain way (every value against every centroid), to check the sorted/prefix-sum version. */
function naiveLloyd(values: number[], centroids: number[], iterations: number): number[] {
  let c = [...centroids];
  for (let it = 0; it < iterations; it++) {
    const sums = c.map(() => 0);
    const counts = c.map(() => 0);
    for (const v of values) {
      let best = 0;
      for (let j = 1; j < c.length; j++) if (Math.abs(v - c[j]!) < Math.abs(v - c[best]!)) best = j;
      sums[best] += v;
      counts[best]++;
    }
    c = c.map((x, j) => (counts[j] ? sums[j]! / counts[j]! : x));
  }
  return c;
}

describe('1-D k-means', () => {
  it('finds the exact centroids of well separated groups, whatever the init', () => {
    const values = [9, 1, 2, 3, 10, 11, 20, 21, 22, 23];
    for (const init of ['kmeans++', 'linear', 'density'] as const) {
      const { codebook, indices } = kmeans1d(values, 3, { init });
      expect([...codebook], init).toEqual([2, 10, 21.5]);
      expect([...indices], init).toEqual([1, 0, 0, 0, 1, 1, 2, 2, 2, 2]);
    }
  });

  it('matches plain Lloyd iterations from the same start (linear init)', () => {
    const values = Array.from({ length: 500 }, (_, i) => Math.sin(i * 12.9898) * Math.cos(i * 0.37) * 3);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const start = Array.from({ length: 8 }, (_, j) => lo + ((hi - lo) * j) / 7);
    const { codebook, iterations } = kmeans1d(values, 8, { init: 'linear', iterations: 5 });
    expect(iterations).toBe(5);
    naiveLloyd(values, start, 5).forEach((c, j) => expect(codebook[j]).toBeCloseTo(c, 5));
  });

  it('gives a non-decreasing codebook and assigns each value its nearest centroid', () => {
    const values = Float32Array.from({ length: 4096 }, (_, i) => Math.tan((i * 0.618) % 1.5) * (i % 2 ? 1 : -0.3));
    const { codebook, indices } = kmeans1d(values, 16);
    for (let j = 1; j < 16; j++) expect(codebook[j]!).toBeGreaterThanOrEqual(codebook[j - 1]!);
    const farther = [...values].filter((v, i) => codebook.some((c) => Math.abs(v - c) < Math.abs(v - codebook[indices[i]!]!)));
    expect(farther).toEqual([]);
  });

  it('is deterministic (seeded kmeans++) and depends on the seed', () => {
    const values = Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5 + (i % 3) * 0.1);
    const a = kmeans1d(values, 4, { iterations: 1 });
    const b = kmeans1d(values, 4, { iterations: 1 });
    expect([...a.codebook]).toEqual([...b.codebook]);
    expect([...a.indices]).toEqual([...b.indices]);
    expect([...kmeans1d(values, 4, { iterations: 0, seed: 7 }).codebook]).not.toEqual([...kmeans1d(values, 4, { iterations: 0, seed: 1 }).codebook]);
  });

  it('with fewer distinct values than k, each value is a centroid', () => {
    const { codebook, indices } = kmeans1d([0.5, -1, 0.5, -1, 2], 4);
    expect([...indices].map((i) => codebook[i])).toEqual([0.5, -1, 0.5, -1, 2]);
  });
});

describe('clusterGroups with preserveZeros', () => {
  // A pruned weight: half exact zeros, half spread values.
  const values = Float32Array.from({ length: 1000 }, (_, i) => (i % 2 ? 0 : Math.sin(i) + 0.01));
  it('keeps every zero exactly zero, on codebook entry 0, and clusters the rest on the other entries', () => {
    const p = clusterGroups(values, [10, 100], 0, 0, 16, { preserveZeros: true });
    const decoded = decodePalette(p, [10, 100]);
    values.forEach((v, i) => {
      if (v === 0) expect(decoded[i]).toBe(0);
      else expect(p.indices[i]).toBeGreaterThan(0);
    });
    expect(p.codebook[0]).toBe(0);
  });
  it('without it, k-means moves some zeros onto a non-zero centroid', () => {
    const decoded = decodePalette(clusterGroups(values, [10, 100], 0, 0, 16, {}), [10, 100]);
    expect(values.some((v, i) => v === 0 && decoded[i] !== 0)).toBe(true);
  });
  it('per group too', () => {
    const p = clusterGroups(values, [10, 100], 0, 2, 4, { preserveZeros: true });
    const decoded = decodePalette(p, [10, 100]);
    values.forEach((v, i) => v === 0 && expect(decoded[i]).toBe(0));
  });
});
