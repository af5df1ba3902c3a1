/** Signal-to-quantization-noise ratio of `approx` against `original`, in dB (Infinity when exact). */
export function sqnrDb(original: ArrayLike<number>, approx: ArrayLike<number>): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < original.length; i++) {
    signal += original[i]! ** 2;
    noise += (original[i]! - approx[i]!) ** 2;
  }
  return noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
}
