/**
 * A layer's output filters as scaled copies of k shared unit-norm filters:
 * filter i ≈ scales[i] · centroid[assignment[i]].
 */
export interface SharedFilters {
  k: number;
  /** k unit vectors of `size` values each, row-major. */
  centroids: Float64Array;
  assignment: Int32Array;
  /** The least-squares scale <w_i, c>, so it carries the filter's norm and sign. */
  scales: Float64Array;
  /** Weight reconstruction SQNR of the whole layer, in dB (Infinity when exact). */
  sqnrDb: number;
}

/** Filters as rows: `count` filters of `size` values each. */
interface Filters {
  w: ArrayLike<number>;
  count: number;
  size: number;
}

function dot(a: ArrayLike<number>, aAt: number, b: ArrayLike<number>, bAt: number, size: number): number {
  let s = 0;
  for (let j = 0; j < size; j++) s += a[aAt + j]! * b[bAt + j]!;
  return s;
}

function normalize(v: Float64Array, at: number, size: number): boolean {
  const n = Math.sqrt(dot(v, at, v, at, size));
  if (!(n > 0)) return false;
  for (let j = 0; j < size; j++) v[at + j]! /= n;
  return true;
}

/**
 * Best centroid of each filter and its projection. With unit centroids and
 * s = <w, c>, the filter's squared error is |w|² - <w, c>², so the best
 * centroid is the one of largest |cosine|: w and -w share one (the scale
 * takes the sign).
 */
function assign({ w, count, size }: Filters, centroids: Float64Array, k: number, assignment: Int32Array, scales: Float64Array): void {
  for (let i = 0; i < count; i++) {
    let best = 0;
    let bestDot = 0;
    for (let c = 0; c < k; c++) {
      const d = dot(w, i * size, centroids, c * size, size);
      if (Math.abs(d) > Math.abs(bestDot) || c === 0) {
        best = c;
        bestDot = d;
      }
    }
    assignment[i] = best;
    scales[i] = bestDot;
  }
}

/**
 * Spherical k-means with least-squares scales. Starts from farthest-point
 * seeds (the filter worst reconstructed so far, which makes it deterministic
 * and puts exact duplicates in one cluster from the start), then alternates
 * assignment with a centroid update c ← normalize(Σ <w_i, c> w_i): one
 * power-iteration step on the cluster's scatter matrix, which never lowers
 * Σ <w_i, c>², i.e. never raises the error. The update weights each filter
 * by its norm, because the error that matters is in weight units.
 */
function kmeans(filters: Filters, norms2: Float64Array, k: number, iterations: number): SharedFilters {
  const { w, count, size } = filters;
  const centroids = new Float64Array(k * size);
  const assignment = new Int32Array(count);
  const scales = new Float64Array(count);
  const residual = Float64Array.from(norms2);
  for (let c = 0; c < k; c++) {
    let seed = 0;
    for (let i = 1; i < count; i++) if (residual[i]! > residual[seed]!) seed = i;
    for (let j = 0; j < size; j++) centroids[c * size + j] = w[seed * size + j]!;
    if (!normalize(centroids, c * size, size)) break;
    for (let i = 0; i < count; i++) residual[i] = Math.min(residual[i]!, norms2[i]! - dot(w, i * size, centroids, c * size, size) ** 2);
  }
  const previous = new Int32Array(count).fill(-1);
  for (let it = 0; ; it++) {
    assign(filters, centroids, k, assignment, scales);
    if (it >= iterations || assignment.every((a, i) => a === previous[i])) break;
    previous.set(assignment);
    const next = new Float64Array(k * size);
    for (let i = 0; i < count; i++) {
      const at = assignment[i]! * size;
      for (let j = 0; j < size; j++) next[at + j]! += scales[i]! * w[i * size + j]!;
    }
    // An empty (or all-zero) cluster keeps its centroid.
    for (let c = 0; c < k; c++) if (normalize(next, c * size, size)) centroids.set(next.subarray(c * size, (c + 1) * size), c * size);
  }
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < count; i++) {
    signal += norms2[i]!;
    noise += Math.max(0, norms2[i]! - scales[i]! ** 2);
  }
  return { k, centroids, assignment, scales, sqnrDb: noise === 0 ? Infinity : 10 * Math.log10(signal / noise) };
}

/**
 * The fewest shared filters whose reconstruction keeps the layer's SQNR at
 * or above minSqnrDb, found by bisection over k (more centroids never fit
 * worse in practice, so the SQNR is treated as monotone in k). Returns
 * undefined when every filter needs its own centroid: nothing to share.
 */
export function clusterFilters(w: ArrayLike<number>, count: number, size: number, minSqnrDb: number, iterations: number): SharedFilters | undefined {
  const filters = { w, count, size };
  const norms2 = Float64Array.from({ length: count }, (_, i) => dot(w, i * size, w, i * size, size));
  if (!norms2.some((n) => n > 0)) return undefined;
  let lo = 1;
  let hi = count;
  let best: SharedFilters | undefined;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const result = kmeans(filters, norms2, mid, iterations);
    if (result.sqnrDb >= minSqnrDb) {
      hi = mid;
      best = result;
    } else lo = mid + 1;
  }
  return best && best.k === hi ? best : undefined;
}
