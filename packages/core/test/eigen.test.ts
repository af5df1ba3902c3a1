import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../src/passes/decouple/eigen.js';
import { lowRank } from '../src/passes/decouple/low-rank.js';

/** A random n×n Gram matrix BᵀB (symmetric positive semi-definite), deterministic. */
function gram(n: number, rows: number, seed: number): Float64Array {
  let s = seed;
  const b = Float64Array.from({ length: rows * n }, () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1);
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let r = 0; r < rows; r++) g[i * n + j]! += b[r * n + i]! * b[r * n + j]!;
  return g;
}

describe('symmetricEigen', () => {
  it('gives A·v = λ·v, orthonormal vectors and descending non-negative values (n = 50, rank 30)', () => {
    const n = 50;
    const a = gram(n, 30, 7);
    const { values, vectors } = symmetricEigen(a, n);
    let worst = 0;
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let k = 0; k < n; k++) av += a[i * n + k]! * vectors[k * n + j]!;
        worst = Math.max(worst, Math.abs(av - values[j]! * vectors[i * n + j]!));
      }
      for (let k = 0; k <= j; k++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += vectors[i * n + j]! * vectors[i * n + k]!;
        expect(d).toBeCloseTo(j === k ? 1 : 0, 9);
      }
      if (j > 0) expect(values[j]!).toBeLessThanOrEqual(values[j - 1]!);
      expect(values[j]!).toBeGreaterThanOrEqual(0);
    }
    expect(worst).toBeLessThan(1e-9);
    // Rank 30: the last 20 values vanish.
    expect(values[30]!).toBeLessThan(1e-9 * values[0]!);
  });

  it('a zero matrix has zero values and still an orthonormal basis', () => {
    const { values, vectors } = symmetricEigen(new Float64Array(16), 4);
    expect([...values]).toEqual([0, 0, 0, 0]);
    for (let j = 0; j < 4; j++) expect(Math.hypot(...[0, 1, 2, 3].map((i) => vectors[i * 4 + j]!))).toBeCloseTo(1, 12);
  });
});

describe('lowRank', () => {
  it('recovers an exactly rank-2 matrix', () => {
    const [m, n] = [6, 9];
    const a = Float64Array.from({ length: m * n }, (_, at) => {
      const [i, j] = [Math.floor(at / n), at % n];
      return (i + 1) * Math.sin(j) + (i % 3) * Math.cos(2 * j);
    });
    const r = lowRank(a, m, n);
    // Two non-zero energies, and left [m, 2] × right [2, n] gives A back.
    expect(r.energies[2]!).toBeLessThan(1e-9 * r.energies[0]!);
    const { left, right } = r.factors(2);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) expect(left[i * 2]! * right[j]! + left[i * 2 + 1]! * right[n + j]!).toBeCloseTo(a[i * n + j]!, 9);
  });
});
