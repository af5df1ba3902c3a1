import type { Layer } from '../equalize-cross-layer/pairs.js';
import type { SharedFilters } from './cluster.js';

/** Channel `from` of the first layer equals `ratio` × channel `into` after the activation. */
export interface Merge {
  from: number;
  into: number;
  ratio: number;
}

/**
 * How close two bias-to-scale ratios must be to count as equal. The merged
 * model then differs from the shared one by about this, relative to the
 * channel's pre-activation, far below float32 noise of a Conv's sums.
 */
const RATIO_TOLERANCE = 1e-6;

/**
 * Channels that are exact positive multiples of an earlier channel once
 * shared: with filter i = s_i·c and bias b_i, the pre-activation is
 * s_i·(c∗x + b_i/s_i), so two channels with the same centroid, scales of the
 * same sign and the same b/s are proportional by s_i/s_j > 0, and so are
 * their outputs through any positively homogeneous activation (Relu,
 * LeakyRelu). Each channel merges into the first such channel; a channel of
 * scale 0 merges nowhere.
 */
export function findMerges(shared: SharedFilters, bias: Float64Array | null): Merge[] {
  const kept = new Map<number, number[]>();
  const merges: Merge[] = [];
  shared.scales.forEach((s, i) => {
    if (s === 0) return;
    const beta = (bias?.[i] ?? 0) / s;
    const key = 2 * shared.assignment[i]! + (s < 0 ? 1 : 0);
    const group = kept.get(key) ?? [];
    const into = group.find((j) => {
      const other = (bias?.[j] ?? 0) / shared.scales[j]!;
      return Math.abs(beta - other) <= RATIO_TOLERANCE * Math.max(Math.abs(beta), Math.abs(other));
    });
    if (into === undefined) kept.set(key, [...group, i]);
    else merges.push({ from: i, into, ratio: s / shared.scales[into]! });
  });
  return merges;
}

/**
 * Folds each merged channel's input weights of the second layer into its
 * kept channel's (the kept channel's output times `ratio` is what the
 * merged one produced), then drops the merged input channels. Returns the
 * new weights and shape; the channel axis is 1 for Conv and Gemm with
 * transB, 0 for Gemm without.
 */
export function foldInputChannels(second: Layer, merges: Merge[], channelAxis: number): { weights: Float64Array; shape: number[] } {
  const { layout, weights } = second;
  const w = Float64Array.from(weights);
  const dropped = new Uint8Array(w.length);
  for (const { from, into, ratio } of merges) {
    // Same output channel and kernel position, other input channel (group 1: a fixed stride apart).
    const offset = (into - from) * layout.inStride;
    layout.forIn(from, (index) => {
      w[index + offset]! += ratio * w[index]!;
      dropped[index] = 1;
    });
  }
  const shape = [...second.shape];
  shape[channelAxis] = shape[channelAxis]! - merges.length;
  // Removing whole slices along one axis keeps the remaining values in row-major order.
  return { weights: w.filter((_, i) => !dropped[i]), shape };
}

/**
 * Drops merges so that a layer that had a multiple of `multiple` channels
 * keeps one: convolution and matrix kernels work on blocks of 8 or 16
 * channels, and a layer left with 31 of 32 runs slower than with 32 (3x on
 * onnxruntime's CPU convolutions). Any subset of merges is exact, since
 * channels only ever merge into channels that stay.
 */
export function alignMerges(merges: Merge[], channels: number, multiple: number): Merge[] {
  if (multiple <= 1 || channels % multiple !== 0) return merges;
  return merges.slice(0, Math.floor(merges.length / multiple) * multiple);
}
