import { NCHW_TO_NHWC, NHWC_TO_NCHW, transposeData } from '../../src/lower/layout.js';

/** float32 export (and reading back) computes what onnxruntime computes, up to summation order. */
export const FLOAT_TOLERANCE = 1e-4;

/** Deterministic values in [lo, hi). */
export function noise(shape: number[], seed = 1, lo = -1, hi = 1): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
  }
  return out;
}

export const toNhwc = (data: Float32Array, nchw: number[]) => transposeData(data, nchw, NCHW_TO_NHWC);
export const toNchw = (data: Float32Array, nchw: number[]) => transposeData(data, [nchw[0]!, nchw[2]!, nchw[3]!, nchw[1]!], NHWC_TO_NCHW);

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= max)) max = Number.isNaN(d) ? Infinity : d;
  }
  return max;
}
