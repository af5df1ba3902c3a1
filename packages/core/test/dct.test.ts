import { describe, expect, it } from 'vitest';
import { dct2d, dctMatrix, dequantizeDct, entropyBits, inverseBasis, jpegQualityScale, quantizeDct } from '../src/passes/dct-quantize/dct.js';

/** Deterministic values in [-1, 1). */
function noise(n: number, seed = 7): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return (s >>> 8) / 2 ** 23 - 1;
  });
}

describe('2-D DCT-II for kernels', () => {
  for (const k of [2, 3, 5, 7]) {
    it(`the ${k}×${k} DCT matrix is orthonormal (C·Cᵀ = I within 1e-12)`, () => {
      const c = dctMatrix(k);
      for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++) {
          let s = 0;
          for (let x = 0; x < k; x++) s += c[i * k + x]! * c[j * k + x]!;
          expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-12);
        }
    });
  }

  it('the forward transform is C·K·Cᵀ, and B inverts it', () => {
    const k = 3;
    const kernel = noise(9);
    const c = dctMatrix(k);
    const coef = dct2d(kernel, k);
    for (let u = 0; u < k; u++)
      for (let v = 0; v < k; v++) {
        let s = 0;
        for (let x = 0; x < k; x++) for (let y = 0; y < k; y++) s += c[u * k + x]! * kernel[x * k + y]! * c[v * k + y]!;
        expect(coef[u * k + v]).toBeCloseTo(s, 12);
      }
    const b = inverseBasis(k);
    for (let col = 0; col < 9; col++) {
      let s = 0;
      for (let r = 0; r < 9; r++) s += coef[r]! * b[r * 9 + col]!;
      expect(s).toBeCloseTo(kernel[col]!, 6);
    }
    // A constant kernel has only a DC coefficient.
    const flat = dct2d(new Float32Array(9).fill(1), k);
    expect(flat[0]).toBeCloseTo(3, 12);
    for (let r = 1; r < 9; r++) expect(Math.abs(flat[r]!)).toBeLessThan(1e-12);
  });

  it('round-trips kernels at a very fine step (quality 100, slope 0) to within half a step', () => {
    const k = 3;
    const data = noise(64 * 9);
    const dq = quantizeDct(data, k, 100, 0);
    // The finest step int8 holds: the largest coefficient lands on ±127.
    expect(Math.max(...Array.from(dq.q, Math.abs))).toBe(127);
    const back = dequantizeDct(dq.q, dq.steps, k);
    // Orthonormal: the spatial error is at most the coefficient error's norm, ≤ (step/2)·k per kernel.
    for (let i = 0; i < data.length; i++) expect(Math.abs(back[i]! - data[i]!)).toBeLessThanOrEqual((dq.base / 2) * k + 1e-6);
  });

  it('quality follows libjpeg (50 → 1×, 75 → 0.5×, 10 → 5×) and coarser steps make more zeros and less entropy', () => {
    expect([50, 75, 10, 100].map(jpegQualityScale)).toEqual([1, 0.5, 5, 0]);
    // Smooth kernels (a ramp plus a little noise) as trained convolutions tend to be.
    const data = noise(256 * 9).map((v, i) => 0.1 * v + (i % 3) * 0.3 + 0.5);
    const fine = quantizeDct(data, 3, 50, 1);
    const coarse = quantizeDct(data, 3, 10, 1);
    const zeros = (q: Int8Array) => q.filter((v) => v === 0).length;
    expect(coarse.base).toBeCloseTo(5 * fine.base, 6);
    expect(zeros(coarse.q)).toBeGreaterThan(zeros(fine.q));
    expect(entropyBits(coarse.q)).toBeLessThan(entropyBits(fine.q));
    // Steps grow with u+v.
    expect(fine.steps[8]! / fine.steps[0]!).toBeCloseTo(5, 5);
  });

  it('entropy of a histogram', () => {
    expect(entropyBits([1, 1, 1, 1])).toBe(0);
    expect(entropyBits([0, 1, 2, 3])).toBe(2);
  });
});
