import { dtypeBits } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';

/** Whether takeAlong can slice `t`: whole-byte elements (sub-byte and string tensors are left alone). */
export const sliceable = (t: Tensor): boolean => t.dtype !== 'string' && dtypeBits(t.dtype) % 8 === 0;

/** A new tensor holding only indices `keep` (ascending) along `axis` of `t`, copied byte for byte whatever the dtype. */
export function takeAlong(t: Tensor, axis: number, keep: readonly number[]): Tensor {
  const width = dtypeBits(t.dtype) / 8;
  const dims = t.shape;
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const block = dims.slice(axis + 1).reduce((a, b) => a * b, 1) * width;
  const size = dims[axis]!;
  const bytes = t.bytes();
  const out = new Uint8Array(outer * keep.length * block);
  for (let o = 0; o < outer; o++) {
    keep.forEach((k, j) => out.set(bytes.subarray((o * size + k) * block, (o * size + k + 1) * block), (o * keep.length + j) * block));
  }
  return Tensor.fromBytes(t.dtype, dims.map((d, i) => (i === axis ? keep.length : d)), out);
}
