import type { SharedFilters } from '../share-filters/cluster.js';

function dot(a: Float64Array, aAt: number, b: Float64Array, bAt: number, size: number): number {
  let s = 0;
  for (let j = 0; j < size; j++) s += a[aAt + j]! * b[bAt + j]!;
  return s;
}

/**
 * Filters that are multiples of an earlier one, each within `tolerance` of it
 * relative to its own norm (|w - s·c| ≤ tolerance·|w|), grouped on that
 * earlier filter's direction; every other filter is its own group. Returns
 * undefined when no two filters are alike. Unlike k-means sharing, no filter
 * moves by more than the tolerance, so merging them is exact to within it.
 */
export function duplicateFilters(rows: Float64Array, count: number, size: number, tolerance: number): SharedFilters | undefined {
  const directions: number[] = [];
  const unit = new Float64Array(count * size);
  const assignment = new Int32Array(count);
  const scales = new Float64Array(count);
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < count; i++) {
    const norm2 = dot(rows, i * size, rows, i * size, size);
    signal += norm2;
    let match = -1;
    let scale = 0;
    for (const c of directions) {
      const s = dot(rows, i * size, unit, c * size, size);
      if (norm2 - s * s <= tolerance * tolerance * norm2) {
        match = c;
        scale = s;
        break;
      }
    }
    if (match < 0) {
      match = directions.length;
      directions.push(match);
      const norm = Math.sqrt(norm2);
      // A zero filter keeps a zero direction and scale: it merges nowhere.
      for (let j = 0; j < size; j++) unit[match * size + j] = norm > 0 ? rows[i * size + j]! / norm : 0;
      scale = norm;
    } else noise += Math.max(0, norm2 - scale * scale);
    assignment[i] = match;
    scales[i] = scale;
  }
  const k = directions.length;
  if (k === count) return undefined;
  return { k, centroids: unit.slice(0, k * size), assignment, scales, sqnrDb: noise === 0 ? Infinity : 10 * Math.log10(signal / noise) };
}
