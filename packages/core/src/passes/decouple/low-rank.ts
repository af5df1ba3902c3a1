import { symmetricEigen } from './eigen.js';

/**
 * A matrix A [m, n] ready to be cut to any rank r: A ≈ left [m, r] · right [r, n],
 * the best rank-r approximation in the Frobenius norm (truncated SVD).
 */
export interface LowRank {
  /** Squared singular values, descending (min(m, n) of them): the energy each rank adds. */
  energies: Float64Array;
  factors(rank: number): { left: Float64Array; right: Float64Array };
}

/**
 * Truncated SVD through the eigen decomposition of the Gram matrix on the
 * smaller side (AᵀA when n ≤ m, else AAᵀ). Squaring the condition number
 * costs accuracy only in singular values below ~1e-8 of the largest, which
 * no SQNR budget reaches; in exchange the eigen problem is min(m, n) wide, so
 * a 3136×128 dense weight is a 128×128 problem. The factor on the smaller
 * side is orthonormal and the other is A projected on it (it carries the
 * singular values), so no singular value is ever divided by.
 */
export function lowRank(a: ArrayLike<number>, m: number, n: number): LowRank {
  const onRight = n <= m;
  const size = onRight ? n : m;
  const { values, vectors } = symmetricEigen(gram(a, m, n, onRight), size);
  const basis = (rank: number) => {
    // The first `rank` eigenvectors as rows: [rank, size].
    const out = new Float64Array(rank * size);
    for (let r = 0; r < rank; r++) for (let k = 0; k < size; k++) out[r * size + k] = vectors[k * size + r]!;
    return out;
  };
  return {
    energies: values,
    factors(rank) {
      const v = basis(rank);
      if (onRight) {
        // A ≈ (A V) Vᵀ: left = A V [m, rank], right = Vᵀ [rank, n].
        const left = new Float64Array(m * rank);
        for (let i = 0; i < m; i++)
          for (let r = 0; r < rank; r++) {
            let s = 0;
            for (let k = 0; k < n; k++) s += a[i * n + k]! * v[r * n + k]!;
            left[i * rank + r] = s;
          }
        return { left, right: v };
      }
      // A ≈ U (Uᵀ A): left = U [m, rank], right = Uᵀ A [rank, n].
      const left = new Float64Array(m * rank);
      for (let i = 0; i < m; i++) for (let r = 0; r < rank; r++) left[i * rank + r] = v[r * m + i]!;
      const right = new Float64Array(rank * n);
      for (let r = 0; r < rank; r++)
        for (let i = 0; i < m; i++) {
          const u = v[r * m + i]!;
          if (u === 0) continue;
          for (let k = 0; k < n; k++) right[r * n + k] = right[r * n + k]! + u * a[i * n + k]!;
        }
      return { left, right };
    },
  };
}

/** AᵀA [n, n] when `columns`, else AAᵀ [m, m], in float64. */
function gram(a: ArrayLike<number>, m: number, n: number, columns: boolean): Float64Array {
  const rows = Float64Array.from(a as ArrayLike<number>);
  if (columns) {
    const g = new Float64Array(n * n);
    // Row by row: each row of A adds its outer product, reading A once in order.
    for (let i = 0; i < m; i++) {
      const row = rows.subarray(i * n, (i + 1) * n);
      for (let p = 0; p < n; p++) {
        const x = row[p]!;
        if (x === 0) continue;
        for (let q = p; q < n; q++) g[p * n + q] = g[p * n + q]! + x * row[q]!;
      }
    }
    mirrorUpper(g, n);
    return g;
  }
  const g = new Float64Array(m * m);
  for (let p = 0; p < m; p++) {
    const rp = rows.subarray(p * n, (p + 1) * n);
    for (let q = p; q < m; q++) {
      const rq = rows.subarray(q * n, (q + 1) * n);
      let s = 0;
      for (let k = 0; k < n; k++) s += rp[k]! * rq[k]!;
      g[p * m + q] = s;
    }
  }
  mirrorUpper(g, m);
  return g;
}

function mirrorUpper(g: Float64Array, n: number): void {
  for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) g[q * n + p] = g[p * n + q]!;
}
