import type { LayerFilters } from '../shared/layer-filters.js';
import type { SharedFilters } from './cluster.js';

/** Each filter with its bias appended: [count, size + 1]. */
export function withBias({ rows, count, size }: LayerFilters, bias: Float64Array): Float64Array {
  const out = new Float64Array(count * (size + 1));
  for (let i = 0; i < count; i++) {
    out.set(rows.subarray(i * size, (i + 1) * size), i * (size + 1));
    out[i * (size + 1) + size] = bias[i]!;
  }
  return out;
}

/**
 * Splits sharing done on filters with their bias appended: the filters'
 * shared form and the bias each channel then has (scale × the centroid's bias
 * coordinate). Channels on one centroid with scales of one sign are then
 * exactly proportional, bias included, which is what lets them merge.
 */
export function splitBias(shared: SharedFilters, size: number): { shared: SharedFilters; bias: Float64Array } {
  const centroids = new Float64Array(shared.k * size);
  for (let c = 0; c < shared.k; c++) centroids.set(shared.centroids.subarray(c * (size + 1), c * (size + 1) + size), c * size);
  const bias = Float64Array.from(shared.scales, (s, i) => s * shared.centroids[shared.assignment[i]! * (size + 1) + size]!);
  return { shared: { ...shared, centroids }, bias };
}
