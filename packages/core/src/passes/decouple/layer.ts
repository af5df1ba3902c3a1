import { constantOf } from '../../ir/constant.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Dim, TensorType, Value } from '../../ir/value.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { ConvForm } from './conv-forms.js';
import type { RankProfile } from './rank.js';

/** Where a candidate reader reports why it left a layer alone. */
export interface Notes {
  warn(message: string): void;
  info(message: string): void;
}

/** A layer that can be split in two through a low-rank inner dimension, read and analysed but not yet changed. */
export interface Candidate {
  node: Node;
  kind: 'conv' | 'dense';
  /** The weight's shape, for the report. */
  shape: readonly number[];
  profile: RankProfile;
  /** The largest rank that is still cheaper than the layer itself. */
  cheaperBelow: number;
  /** MACs per output position (Conv) or per output row (dense): the layer's own with no rank, else the split layer's at `rank`. */
  macs(rank?: number): number;
  /** Output positions (Conv) or rows (dense) per sample, when the shapes are known. */
  positions: number | undefined;
  /** The ranks the report shows the SQNR of. */
  curveRanks(chosen: number): number[];
  /** Rewrites the layer as the split form at `rank` (`form` says how a Conv's blocks are written). */
  apply(graph: Graph, rank: number, form: ConvForm): void;
}

/** A float32 constant weight with finite values, or undefined (after a warning for non-finite values, which no factorisation can carry). */
export function finiteFloatWeight(node: Node, index: number, warn: (message: string) => void): { tensor: Tensor; data: Float32Array } | undefined {
  const tensor = constantOf(node.inputs[index]);
  if (!tensor || tensor.dtype !== 'float32') return undefined;
  const data = tensor.data<'float32'>();
  if (!data.every(Number.isFinite)) {
    warn(`${node.inputs[index]!.name} has non-finite values; left as is.`);
    return undefined;
  }
  return { tensor, data };
}

/**
 * The declared type of a value between the two halves of a split layer: the
 * split layer's output type with the dimension at `axis` (negative counts
 * from the end) set to `size`. Runtimes check declared shapes against what
 * they compute, so it must be right or absent (unknown when the output's is).
 */
export function typeWithDim(output: Value | null | undefined, axis: number, size: number): TensorType | undefined {
  const type = output?.type;
  if (!type?.shape) return type && { dtype: type.dtype };
  const at = axis < 0 ? type.shape.length + axis : axis;
  return { dtype: type.dtype, shape: type.shape.map((d, i) => (i === at ? size : d)) };
}

/** The product of `dims`, or undefined when one is symbolic. */
export function knownProduct(dims: readonly Dim[] | undefined): number | undefined {
  if (!dims) return undefined;
  let p = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return undefined;
    p *= d;
  }
  return p;
}
