import { chooseParams, quantRange, quantizeTensor, type Tensor } from '@condense/core';

/** TensorRT's int8: symmetric around zero point 0, the largest magnitude mapped to 127. */
const INT8_SYMMETRIC = quantRange(8, true, true);

/**
 * The smallest scale written: far below any real range, yet a normal float32,
 * because GPUs flush subnormals to zero and a zero scale makes NaNs.
 */
const MIN_SCALE = 2 ** -100;

/** The per-tensor scale of an activation whose largest magnitude is `amax`: amax / 127 as float32 (1 for a tensor that was always 0). */
export function activationScale(amax: number): number {
  return Math.fround(Math.max(chooseParams(-amax, amax, INT8_SYMMETRIC, true).scale, MIN_SCALE));
}

/** Per-channel (along `axis`) or per-tensor (axis undefined) weight scales: each channel's largest magnitude / 127. */
export function weightScales(weight: Tensor, axis: number | undefined): Float32Array {
  return quantizeTensor(weight, axis, INT8_SYMMETRIC, true).scales.map((s) => Math.max(s, MIN_SCALE));
}
