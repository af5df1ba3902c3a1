/**
 * Which weights are coded and how their values are laid out as rows of DCT
 * blocks. A row runs contiguously along what is transformed: a kernel's k×k
 * positions, or the input channels. Conv and Gemm (transB) weights already are
 * such rows; [K, N] weights (Gemm without transB, MatMul) hold the input
 * channels down their columns, so they are coded as their transpose [N, K].
 */
import { getInt } from '../../ir/attr.js';
import type { Node } from '../../ir/node.js';
import type { Tensor } from '../../tensor/tensor.js';
import { block1d, block2d, type DctBlock } from './dct.js';

/** Length of the 1-D blocks along input channels (1×1 Conv, dense layers): JPEG's 8. */
export const RUN = 8;

export interface Layout {
  block: DctBlock;
  /** A [K, N] weight, coded as its transpose [N, K]. */
  transposed: boolean;
  rows: number;
  /** Values per row, and the same rounded up to whole blocks (they differ only for runs along input channels). */
  length: number;
  padded: number;
}

function layout(block: DctBlock, transposed: boolean, rows: number, length: number): Layout {
  return { block, transposed, rows, length, padded: Math.ceil(length / block.n) * block.n };
}

/**
 * How `node`'s weight `w` is coded, or undefined to leave it: k×k Conv kernels
 * as 2-D blocks; with `dense`, 1×1 Conv, Gemm and MatMul (a constant 2-D second
 * input) weights as runs of 8 along their K input channels, when K holds at
 * least one run (fewer would be mostly padding).
 */
export function layoutFor(node: Node, w: Tensor, dense: boolean): Layout | undefined {
  if (node.op === 'Conv' && w.rank === 4) {
    const [outputs, inputs, kh, kw] = w.shape as [number, number, number, number];
    if (kh > 1 && kh === kw) return layout(block2d(kh), false, outputs, inputs * kh * kw);
    if (dense && kh === 1 && kw === 1 && inputs >= RUN) return layout(block1d(RUN), false, outputs, inputs);
    return undefined;
  }
  if (!dense || w.rank !== 2 || (node.op !== 'Gemm' && node.op !== 'MatMul')) return undefined;
  const transposed = node.op === 'MatMul' || getInt(node.attrs, 'transB', 0) === 0;
  const [rows, k] = transposed ? [w.shape[1]!, w.shape[0]!] : [w.shape[0]!, w.shape[1]!];
  return k >= RUN ? layout(block1d(RUN), transposed, rows, k) : undefined;
}

/**
 * The weight as [rows, padded] blocks back to back: transposed if need be, each
 * row extended by repeating its last value, which keeps the run smooth (zeros
 * would add a step, i.e. high frequencies to code). The padding is dropped on
 * decoding.
 */
export function toRows(w: Tensor, l: Layout): Float32Array {
  const data = w.data<'float32'>();
  const out = new Float32Array(l.rows * l.padded);
  for (let r = 0; r < l.rows; r++)
    for (let c = 0; c < l.padded; c++) {
      const k = Math.min(c, l.length - 1);
      out[r * l.padded + c] = data[l.transposed ? k * l.rows + r : r * l.length + k]!;
    }
  return out;
}

/** [rows, padded] values without the padding: [rows, length]. */
export function cropRows(data: Float32Array, l: Layout): Float32Array {
  if (l.padded === l.length) return data;
  const out = new Float32Array(l.rows * l.length);
  for (let r = 0; r < l.rows; r++) out.set(data.subarray(r * l.padded, r * l.padded + l.length), r * l.length);
  return out;
}

/**
 * The shape the decoded blocks are reshaped to: the weight's own shape, with
 * axis 1 (the input channels) padded, or [N, K padded] for a transposed one.
 * Padding happens only for runs, whose weights have no axes after 1 but 1s.
 */
export function codedShape(w: Tensor, l: Layout): number[] {
  return l.transposed ? [l.rows, l.padded] : w.shape.map((d, i) => (i === 1 ? d + l.padded - l.length : d));
}

/** The axis of the output channels, for the per-channel linear baseline. */
export const outputAxis = (l: Layout): number => (l.transposed ? 1 : 0);
