import { describe, expect, it } from 'vitest';
import { float16BitsToNumber } from '../src/index.js';
import { FLOAT16_MAX_BITS, float32ArrayToFloat16, float32ToFloat16Bits } from '../src/passes/convert-float16/math.js';

const half = float32ToFloat16Bits;

describe('float32 -> float16 conversion', () => {
  it('rounds ties to even, in normals and subnormals', () => {
    // 1 + 2^-11 lies halfway between 1 (even) and 1 + 2^-10; 1 + 3·2^-11 between 1 + 2^-10 and 1 + 2^-9 (even).
    expect(half(1 + 2 ** -11)).toBe(0x3c00);
    expect(half(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(half(-(1 + 3 * 2 ** -11))).toBe(0xbc02);
    // Above 2048 the step is 2: 2049 goes down to 2048, 2051 up to 2052.
    expect(float16BitsToNumber(half(2049))).toBe(2048);
    expect(float16BitsToNumber(half(2051))).toBe(2052);
    // Just off the tie rounds to the nearer neighbour.
    expect(half(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
    // Subnormal units of 2^-24: half a unit goes to 0 (even), 1.5 units to 2, 2.5 units to 2.
    expect(half(2 ** -25)).toBe(0);
    expect(half(3 * 2 ** -25)).toBe(2);
    expect(half(5 * 2 ** -25)).toBe(2);
    // The largest subnormal rounds up into the smallest normal.
    expect(half(1023.5 * 2 ** -24)).toBe(0x0400);
    expect(half(2 ** -14)).toBe(0x0400);
  });

  it('clamps to ±65504 instead of overflowing to infinity', () => {
    expect(half(65504)).toBe(FLOAT16_MAX_BITS);
    expect(half(1e6)).toBe(FLOAT16_MAX_BITS);
    expect(float16BitsToNumber(half(1e6))).toBe(65504);
    expect(float16BitsToNumber(half(-1e6))).toBe(-65504);
    // 65520 is where round-to-nearest would reach infinity.
    expect(half(65520)).toBe(FLOAT16_MAX_BITS);
    expect(half(Infinity)).toBe(FLOAT16_MAX_BITS);
    expect(half(-Infinity)).toBe(0x8000 | FLOAT16_MAX_BITS);
    expect(half(3.4e38)).toBe(FLOAT16_MAX_BITS);
  });

  it('takes tiny values to subnormals or signed zero', () => {
    expect(half(2 ** -24)).toBe(0x0001);
    expect(half(1e-5)).toBe(168); // 1e-5 / 2^-24 = 167.77
    expect(float16BitsToNumber(half(6e-5))).toBeCloseTo(6e-5, 7);
    expect(half(1e-10)).toBe(0);
    expect(half(-1e-10)).toBe(0x8000);
    expect(half(1e-45)).toBe(0); // a float32 subnormal
    expect(half(-0)).toBe(0x8000);
  });

  it('keeps NaN a NaN', () => {
    expect(Number.isNaN(float16BitsToNumber(half(NaN)))).toBe(true);
    expect(Number.isNaN(float16BitsToNumber(half(-NaN)))).toBe(true);
  });

  it('gives back every finite float16 exactly', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00) continue; // infinities and NaNs
      if (half(float16BitsToNumber(bits)) !== bits) throw new Error(`0x${bits.toString(16)} does not survive a round trip`);
    }
  });

  it('picks the nearest float16 for random float32 values across the range', () => {
    let s = 2024;
    const values = new Float32Array(20_000).map(() => {
      s = (s * 1103515245 + 12345) >>> 0;
      return (s / 2 ** 32 - 0.5) * 2 ** (((s >>> 3) % 44) - 28);
    });
    const { bits } = float32ArrayToFloat16(values);
    const notNearest = [...values].filter((x, i) => {
      const h = bits[i]!;
      const err = Math.abs(float16BitsToNumber(h) - x);
      // The neighbours on the number line: the next bit pattern away from and toward zero (across zero for the smallest).
      const neighbours = [h + 1, (h & 0x7fff) === 0 ? h ^ 0x8001 : h - 1].filter((n) => (n & 0x7c00) !== 0x7c00);
      return neighbours.some((n) => Math.abs(float16BitsToNumber(n) - x) < err);
    });
    expect(notNearest).toEqual([]);
  });

  it('counts clamped and flushed values', () => {
    const r = float32ArrayToFloat16(new Float32Array([1e6, -Infinity, 1e-10, 0, -0, 1, 65504, 65519]));
    expect(r.clamped).toBe(3); // 65519 is beyond 65504, though rounding alone would also give 65504
    expect(r.flushed).toBe(1);
    expect([...r.bits].map(float16BitsToNumber)).toEqual([65504, -65504, 0, 0, -0, 1, 65504, 65504]);
  });
});
