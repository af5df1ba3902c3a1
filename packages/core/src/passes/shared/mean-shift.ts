import type { ChannelLayout } from '../equalize-cross-layer/layout.js';

/**
 * The mean shift per output channel that compressing a layer's weights from `w`
 * to `wq` (rounded by quantization, or snapped to a codebook by clustering)
 * causes: E[(Wq - W) x] = (Wq - W) E[x], per output channel c
 *   shift_c = sum over input channels i and kernel positions k of (Wq - W)[c, i, k] * E[x_i].
 * For a Conv, E[x] over a receptive field is taken as the input channel's mean
 * at every kernel position. That ignores zero padding (border windows see
 * fewer real inputs, so their true mean is a little smaller) and any
 * correlation between position and value; for feature maps much larger than
 * the kernel the error is the border's share of the positions, and it only
 * scales a correction that is itself small.
 */
export function meanShift(layout: ChannelLayout, w: ArrayLike<number>, wq: ArrayLike<number>, inputMeans: Float64Array): Float64Array {
  const shift = new Float64Array(layout.outChannels);
  for (let c = 0; c < layout.outChannels; c++) {
    let sum = 0;
    layout.forOut(c, (index, inChannel) => (sum += (wq[index]! - w[index]!) * inputMeans[inChannel]!));
    shift[c] = sum;
  }
  return shift;
}
