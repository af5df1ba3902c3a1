/**
 * Sets the `count` weights of smallest magnitude across `tensors` to zero, in
 * place: one threshold for all of them, so exactly `count` weights are zero
 * or were already. Weights equal to the threshold are zeroed in order (tensor
 * by tensor, first position first) until the count is reached, so ties never
 * overshoot. Values must be finite.
 */
export function zeroSmallest(tensors: readonly Float32Array[], count: number): void {
  const total = tensors.reduce((n, t) => n + t.length, 0);
  if (count <= 0 || total === 0) return;
  const magnitudes = new Float32Array(total);
  let at = 0;
  for (const t of tensors) for (let i = 0; i < t.length; i++) magnitudes[at++] = Math.abs(t[i]!);
  const threshold = magnitudes.sort()[Math.min(count, total) - 1]!;
  let below = 0;
  for (const m of magnitudes) {
    if (m >= threshold) break;
    below++;
  }
  let ties = count - below;
  for (const t of tensors) {
    for (let i = 0; i < t.length; i++) {
      const m = Math.abs(t[i]!);
      if (m < threshold || (m === threshold && ties-- > 0)) t[i] = 0;
    }
  }
}

/**
 * N:M sparsity: in every run of `m` consecutive weights along `axis` (the
 * input channels, as sparse tensor cores group them), zeroes all but the `n`
 * of largest magnitude, in place; ties keep the earlier channel. The axis
 * length must be a multiple of m.
 */
export function keepNofM(weights: Float32Array, shape: readonly number[], axis: number, n: number, m: number): void {
  const channels = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = weights.length / (channels * inner);
  const dropped = new Uint8Array(m);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c += m) {
      for (let j = 0; j < inner; j++) {
        const base = (o * channels + c) * inner + j;
        dropped.fill(0);
        // m is small (4, 8): drop the smallest remaining weight m - n times.
        for (let round = 0; round < m - n; round++) {
          let smallest = -1;
          for (let k = 0; k < m; k++) {
            if (dropped[k]) continue;
            if (smallest < 0 || Math.abs(weights[base + k * inner]!) <= Math.abs(weights[base + smallest * inner]!)) smallest = k;
          }
          dropped[smallest] = 1;
          weights[base + smallest * inner] = 0;
        }
      }
    }
  }
}

/** Weights equal to zero (either sign). */
export function countZeros(weights: Float32Array): number {
  let zeros = 0;
  for (const w of weights) if (w === 0) zeros++;
  return zeros;
}
