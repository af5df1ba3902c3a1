import { getInt } from '../../ir/attr.js';
import type { Node } from '../../ir/node.js';
import type { Tensor } from '../../tensor/tensor.js';

/**
 * Where a layer's weights sit by output and input channel, so a pass can walk
 * "every weight of output channel c" or "every weight reading input channel i"
 * without caring whether the layer is a Conv (any group count, depthwise
 * included) or a Gemm (either weight layout). Weight (o, j, k) is at
 * o*outStride + j*inStride + k, where j is the input channel within o's group
 * and k the kernel position. Both ops read and write channels on axis 1.
 */
export class ChannelLayout {
  readonly inChannels: number;
  readonly #inPerGroup: number;
  readonly #outPerGroup: number;

  constructor(
    readonly outChannels: number,
    inPerGroup: number,
    groups: number,
    readonly kernel: number,
    readonly outStride: number,
    readonly inStride: number,
  ) {
    this.inChannels = inPerGroup * groups;
    this.#inPerGroup = inPerGroup;
    this.#outPerGroup = outChannels / groups;
  }

  /** Calls f(index, inputChannel) for every weight of output channel c (for a depthwise Conv, its whole filter). */
  forOut(c: number, f: (index: number, inChannel: number) => void): void {
    const firstIn = Math.floor(c / this.#outPerGroup) * this.#inPerGroup;
    for (let j = 0; j < this.#inPerGroup; j++) {
      const base = c * this.outStride + j * this.inStride;
      for (let k = 0; k < this.kernel; k++) f(base + k, firstIn + j);
    }
  }

  /** Calls f(index, outputChannel) for every weight reading input channel i (only the output channels of its group). */
  forIn(i: number, f: (index: number, outChannel: number) => void): void {
    const group = Math.floor(i / this.#inPerGroup);
    const j = i % this.#inPerGroup;
    for (let o = group * this.#outPerGroup; o < (group + 1) * this.#outPerGroup; o++) {
      const base = o * this.outStride + j * this.inStride;
      for (let k = 0; k < this.kernel; k++) f(base + k, o);
    }
  }
}

/** The layout of a Conv's or Gemm's weights `w`, or undefined for other ops and layouts this does not model. */
export function channelLayout(node: Node, w: Tensor): ChannelLayout | undefined {
  if (node.domain !== '') return undefined;
  if (node.op === 'Conv' && w.rank >= 3) {
    const [outChannels, inPerGroup] = w.shape as [number, number];
    const groups = getInt(node.attrs, 'group', 1);
    if (groups < 1 || outChannels % groups !== 0) return undefined;
    const kernel = w.shape.slice(2).reduce((a, b) => a * b, 1);
    return new ChannelLayout(outChannels, inPerGroup, groups, kernel, inPerGroup * kernel, kernel);
  }
  // A transposed A would put the input channels on axis 0 of the activation.
  if (node.op === 'Gemm' && w.rank === 2 && getInt(node.attrs, 'transA', 0) === 0) {
    const [rows, cols] = w.shape as [number, number];
    // transB: B is [N, K]; otherwise [K, N].
    return getInt(node.attrs, 'transB', 0) ? new ChannelLayout(rows, cols, 1, 1, cols, 1) : new ChannelLayout(cols, rows, 1, 1, 1, cols);
  }
  return undefined;
}
