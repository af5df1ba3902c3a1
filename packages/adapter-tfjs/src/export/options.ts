import type { Dim } from '@condense/core';

/**
 * How weights are stored. 'exact' (the default): each in the smallest form
 * tfjs decodes to exactly the values the IR computes: float16 when every
 * value is a half, uint8/uint16 grids for evenly spaced values and for
 * condense's int8 weights, codebooks for clustered weights; float32 otherwise.
 * 'float16', 'uint8', 'uint16': float32 weights with no exact form that small
 * are rounded to it (tfjs-converter's --quantize_float16/uint8/uint16).
 * 'float32': plain float32 everywhere, no decoding ops.
 */
export type WeightPrecision = 'exact' | 'float32' | 'float16' | 'uint8' | 'uint16';

/** How {@link exportTfjs} writes the model; every option has a default. */
export interface ExportTfjsOptions {
  /** How weights are stored (default 'exact'); see {@link WeightPrecision}. */
  weights?: WeightPrecision;
  /**
   * Layout of 4-D inputs and outputs: 'nhwc' (the default: what tfjs models
   * take, images as tf.browser.fromPixels gives them) or 'nchw' (the IR's own,
   * with a transpose inside the graph).
   */
  layout?: 'nhwc' | 'nchw';
  /** Sizes for dimensions the graph leaves symbolic, by input name (ONNX order). */
  inputShapes?: Record<string, Dim[]>;
  /** File name of the weights shard (default "group1-shard1of1.bin", as tfjs-converter names it). */
  weightsFile?: string;
}

export const WEIGHT_PRECISIONS: readonly WeightPrecision[] = ['exact', 'float32', 'float16', 'uint8', 'uint16'];
