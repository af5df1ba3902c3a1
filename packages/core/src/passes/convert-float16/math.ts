/**
 * float32 -> float16 (IEEE binary16) on the bit patterns, so rounding is exact:
 * round to nearest, ties to even; results below float16's smallest subnormal
 * (2^-24) round to signed zero; NaN stays NaN. Magnitudes beyond the largest
 * finite half (65504), infinities included, clamp to ±65504: a weight turned
 * into inf would poison every output it touches, while a clamped one only errs.
 * Decoding is float16BitsToNumber in tensor/tensor.ts.
 */

/** The largest finite float16, as bits and as a number. */
export const FLOAT16_MAX_BITS = 0x7bff;
export const FLOAT16_MAX = 65504;

/** 65504 as float32 bits: anything above was clamped, not rounded. */
const FLOAT16_MAX_AS_FLOAT32_BITS = 0x477fe000;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float16 bits nearest to `x` (first rounded to float32, as a Float32Array would). */
export function float32ToFloat16Bits(x: number): number {
  f32[0] = x;
  return float32BitsToFloat16Bits(u32[0]!);
}

/** The float16 bits nearest to the float32 with bit pattern `bits`. */
export function float32BitsToFloat16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  // A quiet NaN keeping the sign and the payload's top bits.
  if (exponent === 0xff && mantissa !== 0) return sign | 0x7e00 | (mantissa >>> 13);
  const unbiased = exponent - 127;
  if (unbiased > 15) return sign | FLOAT16_MAX_BITS;
  if (unbiased >= -14) {
    // Normal: keep 10 of 23 mantissa bits; a carry out of the mantissa correctly bumps the exponent.
    const half = ((unbiased + 15) << 10) | (mantissa >>> 13);
    const rounded = half + roundUp(mantissa, 13, half);
    return sign | Math.min(rounded, FLOAT16_MAX_BITS);
  }
  // Subnormal: count units of 2^-24. The full significand (implicit 1 included) is 24 bits,
  // worth 2^(unbiased - 23) each, so the count is significand >> (-1 - unbiased); from 25 on it rounds to 0.
  const shift = -1 - unbiased;
  if (shift > 24) return sign;
  const significand = mantissa | 0x800000;
  const units = significand >>> shift;
  // Rounding up from 1023 gives 1024, which is exactly the smallest normal's bits.
  return sign | (units + roundUp(significand, shift, units));
}

/** 1 when dropping the low `shift` bits of `value` must round `kept` up (nearest, ties to even). */
function roundUp(value: number, shift: number, kept: number): number {
  const halfway = 1 << (shift - 1);
  const rest = value & ((1 << shift) - 1);
  return rest > halfway || (rest === halfway && (kept & 1) === 1) ? 1 : 0;
}

export interface Float16Conversion {
  bits: Uint16Array;
  /** Finite or infinite values beyond ±65504, stored as ±65504. */
  clamped: number;
  /** Non-zero values too small for float16, stored as zero. */
  flushed: number;
}

/** Converts float32 values to float16 bits, counting what did not fit. */
export function float32ArrayToFloat16(values: Float32Array): Float16Conversion {
  // Bit patterns straight from memory: no float32 -> number -> float32 round trip per element.
  const source = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const bits = new Uint16Array(values.length);
  let clamped = 0;
  let flushed = 0;
  for (let i = 0; i < source.length; i++) {
    const b = source[i]!;
    const h = float32BitsToFloat16Bits(b);
    bits[i] = h;
    if ((h & 0x7fff) === FLOAT16_MAX_BITS && (b & 0x7fffffff) > FLOAT16_MAX_AS_FLOAT32_BITS) clamped++;
    else if ((h & 0x7fff) === 0 && (b & 0x7fffffff) !== 0) flushed++;
  }
  return { bits, clamped, flushed };
}
