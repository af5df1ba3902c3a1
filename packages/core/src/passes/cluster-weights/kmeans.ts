import { seededRandom } from '../../random.js';

/** How the first centroids are chosen. */
export const KMEANS_INITS = ['kmeans++', 'linear', 'density'] as const;
export type KMeansInit = (typeof KMEANS_INITS)[number];

export interface KMeansOptions {
  init?: KMeansInit;
  /** Most Lloyd iterations; it stops earlier once no value changes cluster. */
  iterations?: number;
  /** Seed of kmeans++'s generator: the same values and seed give the same codebook. */
  seed?: number;
}

export interface KMeansResult {
  /** k float32 centroids, non-decreasing (an unused one repeats a neighbour). */
  codebook: Float32Array;
  /** For each input value, the index of its nearest centroid. */
  indices: Uint8Array;
  iterations: number;
}


/** The first sorted position whose value is above `x` (values[i] > x). */
function upperBound(sorted: ArrayLike<number>, x: number, from = 0): number {
  let lo = from;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** kmeans++: each next centroid is a value drawn with probability proportional to its squared distance to the nearest chosen one. */
function initKMeansPlusPlus(sorted: Float64Array, k: number, seed: number): number[] {
  const random = seededRandom(seed);
  const n = sorted.length;
  const nearest = new Float64Array(n).fill(Infinity);
  const centroids = [sorted[Math.floor(random() * n)]!];
  for (let c = 1; c < k; c++) {
    const last = centroids[c - 1]!;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const d = (sorted[i]! - last) ** 2;
      if (d < nearest[i]!) nearest[i] = d;
      total += nearest[i]!;
    }
    // Fewer distinct values than k: every value is already a centroid.
    if (total === 0) break;
    let target = random() * total;
    let pick = n - 1;
    for (let i = 0; i < n; i++) {
      target -= nearest[i]!;
      if (target < 0) {
        pick = i;
        break;
      }
    }
    centroids.push(sorted[pick]!);
  }
  return centroids;
}

function initialCentroids(sorted: Float64Array, k: number, init: KMeansInit, seed: number): number[] {
  const n = sorted.length;
  const lo = sorted[0]!;
  const hi = sorted[n - 1]!;
  switch (init) {
    case 'linear':
      return Array.from({ length: k }, (_, j) => (k === 1 ? lo : lo + ((hi - lo) * j) / (k - 1)));
    case 'density':
      // The centre quantile of each of k equally populated bins.
      return Array.from({ length: k }, (_, j) => sorted[Math.min(n - 1, Math.floor(((j + 0.5) / k) * n))]!);
    case 'kmeans++':
      return initKMeansPlusPlus(sorted, k, seed);
  }
}

/**
 * 1-D k-means (Lloyd) over `values`, k at most 256. In one dimension, the
 * values nearest each centroid form a contiguous run of the sorted values
 * bounded by the midpoints between neighbouring centroids, so after one sort an
 * iteration is k binary searches and k prefix-sum differences, not a pass over
 * every value: a million-value tensor clusters in about the time of its sort.
 * Values must be finite.
 */
export function kmeans1d(values: ArrayLike<number>, k: number, options: KMeansOptions = {}): KMeansResult {
  const { init = 'kmeans++', iterations = 30, seed = 1 } = options;
  if (!Number.isInteger(k) || k < 1 || k > 256) throw new RangeError(`k must be an integer in [1, 256], got ${k}`);
  const n = values.length;
  if (n === 0) return { codebook: new Float32Array(k), indices: new Uint8Array(0), iterations: 0 };
  const sorted = Float64Array.from(values).sort();
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + sorted[i]!;

  const centroids = initialCentroids(sorted, k, init, seed).sort((a, b) => a - b);
  // kmeans++ stops early when the values have fewer than k distinct values; the rest repeat the largest.
  while (centroids.length < k) centroids.push(centroids[centroids.length - 1]!);

  // splits[j]: the first sorted position of cluster j + 1. Assignments change exactly when a split moves.
  const splitsOf = (c: ArrayLike<number>) => {
    const splits = new Int32Array(k - 1);
    for (let j = 0; j < k - 1; j++) splits[j] = upperBound(sorted, (c[j]! + c[j + 1]!) / 2, j ? splits[j - 1] : 0);
    return splits;
  };
  let splits = splitsOf(centroids);
  let done = 0;
  while (done < iterations) {
    done++;
    for (let j = 0; j < k; j++) {
      const start = j ? splits[j - 1]! : 0;
      const end = j < k - 1 ? splits[j]! : n;
      // An empty cluster keeps its centroid; the ordering of centroids is preserved either way.
      if (end > start) centroids[j] = (prefix[end]! - prefix[start]!) / (end - start);
    }
    const next = splitsOf(centroids);
    const moved = next.some((s, j) => s !== splits[j]);
    splits = next;
    if (!moved) break;
  }

  // Assign against the float32 codebook as stored, so each index names the nearest stored value.
  const codebook = Float32Array.from(centroids);
  const bounds = Float64Array.from({ length: k - 1 }, (_, j) => (codebook[j]! + codebook[j + 1]!) / 2);
  const indices = new Uint8Array(n);
  for (let i = 0; i < n; i++) indices[i] = upperBound(bounds, values[i]!);
  return { codebook, indices, iterations: done };
}
