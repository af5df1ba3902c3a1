import type { Gram } from './gram.js';

/**
 * Solves A X = B in place for a symmetric positive definite A [n, n]
 * (overwritten by its Cholesky factor L, row-major) and B [n, m]
 * (overwritten by X). Rows are walked contiguously so the inner loops stay
 * in cache. Returns false when A is not positive definite.
 */
export function choleskySolve(a: Float64Array, n: number, b: Float64Array, m: number): boolean {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      const s = a[ri + j]! - dot(a, ri, a, rj, j);
      if (i === j) {
        if (!(s > 0)) return false;
        a[ri + i] = Math.sqrt(s);
      } else a[ri + j] = s / a[rj + j]!;
    }
  }
  // L Y = B, then Lᵀ X = Y, a row of B at a time.
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) axpy(b, i * m, -a[i * n + k]!, k * m, m);
    scale(b, i * m, 1 / a[i * n + i]!, m);
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) axpy(b, i * m, -a[k * n + i]!, k * m, m);
    scale(b, i * m, 1 / a[i * n + i]!, m);
  }
  return true;
}

/** Σ x[xAt + k]·y[yAt + k] for k < length, four products at a time (the solver's inner loop). */
function dot(x: Float64Array, xAt: number, y: Float64Array, yAt: number, length: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < length; k += 4) {
    s0 += x[xAt + k]! * y[yAt + k]!;
    s1 += x[xAt + k + 1]! * y[yAt + k + 1]!;
    s2 += x[xAt + k + 2]! * y[yAt + k + 2]!;
    s3 += x[xAt + k + 3]! * y[yAt + k + 3]!;
  }
  for (; k < length; k++) s0 += x[xAt + k]! * y[yAt + k]!;
  return s0 + s1 + s2 + s3;
}

function axpy(b: Float64Array, to: number, f: number, from: number, m: number): void {
  if (f !== 0) for (let c = 0; c < m; c++) b[to + c]! += f * b[from + c]!;
}

function scale(b: Float64Array, at: number, f: number, m: number): void {
  for (let c = 0; c < m; c++) b[at + c]! *= f;
}

/** A layer's weights [outputs, columns] and bias, refitted. */
export interface Refit {
  rows: Float64Array;
  bias: Float64Array;
}

/**
 * Refits output rows `outputs` of a layer on its kept weight columns
 * `columns` (channel pruning by reconstruction, He et al. 2017; ThiNet):
 * with w̃ = [w, b] and x̃ = [x, 1], it minimizes
 *   E‖w̃·x̃ − w̃'·x̃_kept‖² + λ‖w̃' − w̃_kept‖²
 * whose solution is w̃' = (G[kept, :] w̃ + λ w̃_kept) (G[kept, kept] + λI)⁻¹
 * from the Gram matrix G alone. The removed channels' contribution is thus
 * predicted from the kept ones (and the constant, which folds their mean
 * into the bias). The ridge pulls toward the original weights, not toward
 * zero, so directions the samples do not cover keep the trained values;
 * λ = ridge × the mean diagonal of G[kept, kept].
 */
export function refit(gram: Gram, w: Float64Array, bias: Float64Array, columns: readonly number[], outputs: readonly number[], ridge: number): Refit | undefined {
  const { size, matrix: g } = gram;
  const width = size - 1;
  const kept = [...columns, width];
  const n = kept.length;
  const m = outputs.length;
  const a = new Float64Array(n * n);
  let trace = 0;
  kept.forEach((r, i) => {
    kept.forEach((c, j) => (a[i * n + j] = g[r * size + c]!));
    trace += g[r * size + r]!;
  });
  const lambda = (ridge * trace) / n;
  for (let i = 0; i < n; i++) a[i * n + i]! += lambda;
  // Right-hand sides, [n, m]: G[kept, :] w̃_o + λ w̃_o[kept], with w̃_o = [w_o, b_o].
  const wb = new Float64Array(size);
  const b = new Float64Array(n * m);
  outputs.forEach((o, t) => {
    wb.set(w.subarray(o * width, (o + 1) * width));
    wb[width] = bias[o]!;
    kept.forEach((r, i) => (b[i * m + t] = dot(g, r * size, wb, 0, size) + lambda * wb[r]!));
  });
  if (!choleskySolve(a, n, b, m)) return undefined;
  const rows = new Float64Array(m * (n - 1));
  const newBias = new Float64Array(m);
  for (let t = 0; t < m; t++) {
    for (let i = 0; i < n - 1; i++) rows[t * (n - 1) + i] = b[i * m + t]!;
    newBias[t] = b[(n - 1) * m + t]!;
  }
  return { rows, bias: newBias };
}
