import type { Dim, Value } from '../ir/value.js';
import { byteLengthOf } from '../tensor/dtype.js';

export const isKnown = (dims: readonly Dim[] | undefined): dims is number[] => !!dims && dims.every((d) => typeof d === 'number');
export const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/**
 * Elements of a tensor of `shape` for one sample: a symbolic leading dimension
 * is the batch and counts as 1, as countMacs counts per sample. Any other
 * symbol leaves the size unknown (pin it with inferShapes' inputShapes).
 */
export function elementsPerSample(shape: readonly Dim[] | undefined): number | undefined {
  if (!shape) return undefined;
  const rest = typeof shape[0] === 'string' ? shape.slice(1) : shape;
  return isKnown(rest) ? product(rest) : undefined;
}

/** Bytes of one sample of `value`, or undefined where its type, shape or element width is unknown. */
export function bytesPerSample(value: Value): number | undefined {
  const elements = elementsPerSample(value.type?.shape);
  const dtype = value.type?.dtype;
  // String tensors have no fixed width.
  if (elements === undefined || !dtype || dtype === 'string') return undefined;
  return byteLengthOf(dtype, elements);
}
