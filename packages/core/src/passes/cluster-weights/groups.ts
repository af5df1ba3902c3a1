import { getInt } from '../../ir/attr.js';
import type { Node } from '../../ir/node.js';
import { kmeans1d, type KMeansOptions } from './kmeans.js';

/**
 * The axis of `node`'s weight (input 1, of rank `rank`) that indexes output
 * channels, or undefined where none does. ConvTranspose's axis 1 is the output
 * channel within its group; any split of the weights is a valid palettization,
 * so grouped ConvTranspose layers are still split along it.
 */
export function outputChannelAxis(node: Node, rank: number): number | undefined {
  if (node.domain !== '' || rank < 2) return undefined;
  switch (node.op) {
    case 'Conv':
      return 0;
    case 'ConvTranspose':
      return 1;
    case 'Gemm':
      // transB: B is [N, K]; otherwise [K, N].
      return rank === 2 ? (getInt(node.attrs, 'transB', 0) ? 0 : 1) : undefined;
    case 'MatMul':
      return rank - 1;
    default:
      return undefined;
  }
}

/** A clustered weight: one codebook per group of output channels, laid end to end. */
export interface Palette {
  /** `groups` codebooks of k float32 entries each; group g's starts at g*k. */
  codebook: Float32Array;
  /** Each weight's index into its own group's codebook, in [0, k), so packing stays `bits` wide. */
  indices: Uint8Array;
  groups: number;
  /** Per output channel, where its group's codebook starts (g*k); absent with one group. */
  offsets?: Int32Array;
  /** The output-channel axis `offsets` lies along. */
  axis?: number;
}

/** The weights as the graph decodes them: codebook[offset of the channel + index]. */
export function decodePalette(p: Palette, shape: readonly number[]): Float32Array {
  if (!p.offsets) return Float32Array.from(p.indices, (i) => p.codebook[i]!);
  const inner = shape.slice(p.axis! + 1).reduce((a, b) => a * b, 1);
  const channels = p.offsets.length;
  return Float32Array.from(p.indices, (i, at) => p.codebook[p.offsets![Math.floor(at / inner) % channels]! + i]!);
}

/** Clustering options of one codebook: k-means's, and whether exact zeros keep a codebook entry of their own. */
export interface ClusterOptions extends KMeansOptions {
  preserveZeros?: boolean;
}

/**
 * One codebook of k values. With preserveZeros, and zeros among the values
 * (a pruned weight), entry 0 is exactly 0 for them and the other values share
 * the remaining k - 1 entries, so pruning's zeros stay zeros (k-means would
 * otherwise move them onto a small centroid) and their one repeated index
 * compresses to almost nothing on the wire.
 */
function clusterValues(values: Float32Array, k: number, options: ClusterOptions): { codebook: Float32Array; indices: Uint8Array } {
  const zeros = options.preserveZeros && k > 1 ? values.reduce((n, v) => n + (v === 0 ? 1 : 0), 0) : 0;
  if (zeros === 0 || zeros === values.length) return kmeans1d(values, k, options);
  const nonzero = values.filter((v) => v !== 0);
  const clusters = kmeans1d(nonzero, k - 1, options);
  const codebook = new Float32Array(k);
  codebook.set(clusters.codebook, 1);
  const indices = new Uint8Array(values.length);
  let j = 0;
  values.forEach((v, at) => (indices[at] = v === 0 ? 0 : 1 + clusters.indices[j++]!));
  return { codebook, indices };
}

/**
 * Clusters `values` (a weight of `shape`) into k values per group of
 * `groupSize` consecutive output channels along `axis` (the last group may be
 * smaller). groupSize 0, no axis, or a group that spans every channel give
 * one codebook for the whole tensor.
 */
export function clusterGroups(values: Float32Array, shape: readonly number[], axis: number | undefined, groupSize: number, k: number, options: ClusterOptions): Palette {
  const channels = axis === undefined ? 1 : shape[axis]!;
  if (axis === undefined || groupSize === 0 || groupSize >= channels) {
    const { codebook, indices } = clusterValues(values, k, options);
    return { codebook, indices, groups: 1 };
  }
  const groups = Math.ceil(channels / groupSize);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const groupOf = (at: number) => Math.floor((Math.floor(at / inner) % channels) / groupSize);
  // Positions of each group's weights, so each group clusters on its own values only.
  const counts = new Int32Array(groups);
  for (let at = 0; at < values.length; at++) counts[groupOf(at)]!++;
  const members = Array.from(counts, (n) => ({ positions: new Int32Array(n), filled: 0 }));
  for (let at = 0; at < values.length; at++) {
    const m = members[groupOf(at)]!;
    m.positions[m.filled++] = at;
  }
  const codebook = new Float32Array(groups * k);
  const indices = new Uint8Array(values.length);
  members.forEach(({ positions }, g) => {
    const clusters = clusterValues(Float32Array.from(positions, (at) => values[at]!), k, options);
    codebook.set(clusters.codebook, g * k);
    positions.forEach((at, j) => (indices[at] = clusters.indices[j]!));
  });
  const offsets = Int32Array.from({ length: channels }, (_, c) => Math.floor(c / groupSize) * k);
  return { codebook, indices, groups, offsets, axis };
}
