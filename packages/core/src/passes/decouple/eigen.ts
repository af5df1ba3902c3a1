/** Eigenvalues (descending, never negative) and eigenvectors of a symmetric positive semi-definite matrix. */
export interface SymmetricEigen {
  /** λ₀ ≥ λ₁ ≥ … ≥ 0. */
  values: Float64Array;
  /** Row-major [n, n]; column j is the unit eigenvector of values[j]. */
  vectors: Float64Array;
}

const EPS = 2 ** -52;
/** QR steps allowed per eigenvalue; convergence is cubic, so a handful is typical and this only stops a pathological loop. */
const MAX_STEPS_PER_VALUE = 60;

/**
 * Eigen decomposition of a symmetric n×n matrix (row-major, not modified):
 * Householder reduction to tridiagonal form, then implicit QR steps with
 * Wilkinson shifts. About 4n³ flops in all, where cyclic Jacobi needs that
 * per sweep and ten sweeps: a 512-wide Gram matrix takes well under a second
 * instead of twenty. Every inner loop walks rows (the eigenvector basis is
 * kept transposed while it is built), which is what makes it fast in
 * JavaScript. Rounding can leave eigenvalues of a semi-definite matrix a hair
 * below 0; they are clamped to 0.
 */
export function symmetricEigen(matrix: Float64Array, n: number): SymmetricEigen {
  const { diagonal, offDiagonal, basis } = tridiagonalize(matrix, n);
  diagonalize(diagonal, offDiagonal, basis, n);
  const order = [...Array(n).keys()].sort((i, j) => diagonal[j]! - diagonal[i]!);
  const values = Float64Array.from(order, (i) => Math.max(0, diagonal[i]!));
  const vectors = new Float64Array(n * n);
  order.forEach((from, to) => {
    for (let k = 0; k < n; k++) vectors[k * n + to] = basis[from * n + k]!;
  });
  return { values, vectors };
}

/**
 * Qᵀ A Q = T, tridiagonal (diagonal d, off-diagonal e), with `basis` = Qᵀ.
 * Step k reflects x = A[k+1.., k] onto ±‖x‖·e₁ with H = I − β v vᵀ and
 * applies H A H to the trailing block as one symmetric rank-2 update.
 */
function tridiagonalize(matrix: Float64Array, n: number): { diagonal: Float64Array; offDiagonal: Float64Array; basis: Float64Array } {
  const a = Float64Array.from(matrix);
  const basis = new Float64Array(n * n);
  for (let i = 0; i < n; i++) basis[i * n + i] = 1;
  const offDiagonal = new Float64Array(Math.max(0, n - 1));
  const v = new Float64Array(n);
  const w = new Float64Array(n);
  for (let k = 0; k + 2 < n; k++) {
    // x is row k right of the diagonal (= column k below it, by symmetry).
    let norm = 0;
    for (let i = k + 1; i < n; i++) norm += a[k * n + i]! ** 2;
    norm = Math.sqrt(norm);
    const x0 = a[k * n + k + 1]!;
    // The sign opposite to x₀ avoids cancellation in v₀ = x₀ − α.
    const alpha = x0 > 0 ? -norm : norm;
    offDiagonal[k] = alpha;
    if (norm === 0) continue;
    v.fill(0);
    for (let i = k + 1; i < n; i++) v[i] = a[k * n + i]!;
    v[k + 1] = x0 - alpha;
    let vv = 0;
    for (let i = k + 1; i < n; i++) vv += v[i]! ** 2;
    if (vv === 0) continue;
    const beta = 2 / vv;
    // p = β B v, then w = p − (β vᵀp / 2) v, so that H B H = B − v wᵀ − w vᵀ.
    let vp = 0;
    for (let i = k + 1; i < n; i++) {
      let s = 0;
      for (let j = k + 1; j < n; j++) s += a[i * n + j]! * v[j]!;
      w[i] = beta * s;
      vp += v[i]! * w[i]!;
    }
    const half = (beta * vp) / 2;
    for (let i = k + 1; i < n; i++) w[i] = w[i]! - half * v[i]!;
    for (let i = k + 1; i < n; i++) {
      const vi = v[i]!;
      const wi = w[i]!;
      for (let j = k + 1; j < n; j++) a[i * n + j] = a[i * n + j]! - vi * w[j]! - wi * v[j]!;
    }
    // Qᵀ ← H Qᵀ: subtract β v (vᵀ Qᵀ), row by row.
    const vq = new Float64Array(n);
    for (let i = k + 1; i < n; i++) {
      const vi = v[i]!;
      for (let j = 0; j < n; j++) vq[j] = vq[j]! + vi * basis[i * n + j]!;
    }
    for (let i = k + 1; i < n; i++) {
      const f = beta * v[i]!;
      for (let j = 0; j < n; j++) basis[i * n + j] = basis[i * n + j]! - f * vq[j]!;
    }
  }
  if (n >= 2) offDiagonal[n - 2] = a[(n - 2) * n + n - 1]!;
  const diagonal = Float64Array.from({ length: n }, (_, i) => a[i * n + i]!);
  return { diagonal, offDiagonal, basis };
}

/** Implicit shifted QR on the tridiagonal (d, e) until e vanishes; every rotation is applied to the rows of `basis`. */
function diagonalize(d: Float64Array, e: Float64Array, basis: Float64Array, n: number): void {
  const negligible = (i: number) => Math.abs(e[i]!) <= EPS * (Math.abs(d[i]!) + Math.abs(d[i + 1]!));
  let steps = 0;
  for (let hi = n - 1; hi > 0; ) {
    if (negligible(hi - 1) || steps > MAX_STEPS_PER_VALUE * n) {
      e[hi - 1] = 0;
      hi--;
      continue;
    }
    let lo = hi - 1;
    while (lo > 0 && !negligible(lo - 1)) lo--;
    qrStep(d, e, basis, n, lo, hi);
    steps++;
  }
}

/**
 * One implicit QR step on the unreduced block lo..hi with the Wilkinson shift
 * (the eigenvalue of the trailing 2×2 nearer its last entry): a rotation set
 * by the shifted first column, then rotations chasing the bulge it makes
 * down the band. Each rotation G acts as T ← G T Gᵀ on rows/columns k, k+1.
 */
function qrStep(d: Float64Array, e: Float64Array, basis: Float64Array, n: number, lo: number, hi: number): void {
  const delta = (d[hi - 1]! - d[hi]!) / 2;
  const last = e[hi - 1]!;
  const shift = d[hi]! - (last * last) / (delta + (delta >= 0 ? 1 : -1) * Math.hypot(delta, last));
  let x = d[lo]! - shift;
  let z = e[lo]!;
  for (let k = lo; k < hi; k++) {
    const r = Math.hypot(x, z);
    const c = r === 0 ? 1 : x / r;
    const s = r === 0 ? 0 : -z / r;
    // The rotation zeroes z: the bulge left two places off the diagonal by the previous one.
    if (k > lo) e[k - 1] = r;
    const a = d[k]!;
    const b = e[k]!;
    const cc = d[k + 1]!;
    d[k] = c * c * a - 2 * c * s * b + s * s * cc;
    d[k + 1] = s * s * a + 2 * c * s * b + c * c * cc;
    e[k] = c * s * (a - cc) + (c * c - s * s) * b;
    if (k + 1 < hi) {
      x = e[k]!;
      z = -s * e[k + 1]!;
      e[k + 1] = c * e[k + 1]!;
    }
    const rowK = k * n;
    const rowNext = rowK + n;
    for (let j = 0; j < n; j++) {
      const p = basis[rowK + j]!;
      const q = basis[rowNext + j]!;
      basis[rowK + j] = c * p - s * q;
      basis[rowNext + j] = s * p + c * q;
    }
  }
}
