/**
 * Linear quantization with ONNX semantics:
 *   q = saturate(round_half_even(x / scale) + zero_point),  x ≈ (q - zero_point) * scale.
 * The range always includes 0 (so zero is exact, as padding needs), symmetric
 * signed ranges drop the lowest level ([-127, 127] for 8 bits), and a channel of
 * zeros gets scale 1 rather than 0 (a zero scale makes NaNs downstream).
 */

/**
 * Smallest scale chosen: float32's smallest normal number. A range of denormals
 * (a filter of 1e-45s) would otherwise give a scale that rounds to 0 once
 * stored as float32; at this floor such values quantize to 0 instead.
 */
export const MIN_SCALE = 2 ** -126;

/** The integers a quantized type may hold, both ends included. */
export interface QuantRange {
  /** The smallest quantized value. */
  qmin: number;
  /** The largest quantized value. */
  qmax: number;
}

/** Integer range of a `bits`-bit type; symmetric signed ranges are narrowed to be symmetric. */
export function quantRange(bits: number, signed: boolean, symmetric: boolean): QuantRange {
  if (signed) return { qmin: symmetric ? -(2 ** (bits - 1)) + 1 : -(2 ** (bits - 1)), qmax: 2 ** (bits - 1) - 1 };
  return { qmin: 0, qmax: 2 ** bits - 1 };
}

/** Rounds to the nearest integer, ties to even, as ONNX's QuantizeLinear does (Math.round rounds ties up). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round rounds .5 up; ONNX rounds to even.
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Scale and zero point for values in [lo, hi]. */
export function chooseParams(lo: number, hi: number, range: QuantRange, symmetric: boolean): { scale: number; zeroPoint: number } {
  const min = Math.min(lo, 0);
  const max = Math.max(hi, 0);
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { scale: 1, zeroPoint: symmetric ? 0 : range.qmin };
  if (symmetric) {
    const absMax = Math.max(-min, max);
    const half = range.qmin < 0 ? range.qmax : (range.qmax - range.qmin) / 2;
    const zeroPoint = range.qmin < 0 ? 0 : Math.round((range.qmax + range.qmin) / 2);
    return { scale: absMax > 0 ? Math.max(absMax / half, MIN_SCALE) : 1, zeroPoint };
  }
  if (max === min) return { scale: 1, zeroPoint: range.qmin < 0 ? 0 : range.qmin };
  const scale = Math.max((max - min) / (range.qmax - range.qmin), MIN_SCALE);
  const zeroPoint = Math.min(range.qmax, Math.max(range.qmin, roundHalfEven(range.qmin - min / scale)));
  return { scale, zeroPoint };
}

/** Quantizes one value: round_half_even(x / scale) + zeroPoint, saturated to `range`. */
export function quantize(x: number, scale: number, zeroPoint: number, range: QuantRange): number {
  return Math.min(range.qmax, Math.max(range.qmin, roundHalfEven(x / scale) + zeroPoint));
}
