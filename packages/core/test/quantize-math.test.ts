import { describe, expect, it } from 'vitest';
import { Tensor, chooseParams, quantRange, quantize, quantizeTensor, roundHalfEven } from '../src/index.js';
import { packBits } from '../src/passes/quantize-weights/packed.js';

describe('linear quantization math (ONNX semantics)', () => {
  it('rounds half to even', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, 2, 3]);
  });

  it('uses [-127, 127] for symmetric int8 and [0, 255] for uint8', () => {
    expect(quantRange(8, true, true)).toEqual({ qmin: -127, qmax: 127 });
    expect(quantRange(8, true, false)).toEqual({ qmin: -128, qmax: 127 });
    expect(quantRange(4, true, true)).toEqual({ qmin: -7, qmax: 7 });
    expect(quantRange(8, false, false)).toEqual({ qmin: 0, qmax: 255 });
  });

  it('always includes zero in the range, exactly representable', () => {
    const r = quantRange(8, false, false);
    const { scale, zeroPoint } = chooseParams(2, 6, r, false);
    expect(scale).toBeCloseTo(6 / 255, 12);
    expect(zeroPoint).toBe(0);
    const neg = chooseParams(-1, 3, r, false);
    expect(quantize(0, neg.scale, neg.zeroPoint, r) * 1).toBe(neg.zeroPoint);
    expect((quantize(0, neg.scale, neg.zeroPoint, r) - neg.zeroPoint) * neg.scale).toBe(0);
  });

  it('guards all-zero and non-finite channels: scale 1, never 0 or NaN', () => {
    const w = Tensor.from('float32', [3, 2], [0, 0, 1, -2, NaN, Infinity]);
    const { q, scales, zeroPoints } = quantizeTensor(w, 0, quantRange(8, true, true), true);
    expect([...scales].every((s) => s > 0 && Number.isFinite(s))).toBe(true);
    expect(scales[0]).toBe(1);
    expect(q.slice(0, 4)).toEqual([0, 0, 64, -127]);
    expect(q.every((v) => Number.isInteger(v))).toBe(true);
    expect(zeroPoints).toEqual([0, 0, 0]);
  });

  it('quantizes per channel along the given axis', () => {
    const w = Tensor.from('float32', [2, 1, 2], [1, -1, 10, 5]);
    const { q, scales } = quantizeTensor(w, 0, quantRange(8, true, true), true);
    expect(scales[0]).toBeCloseTo(1 / 127, 7);
    expect(scales[1]).toBeCloseTo(10 / 127, 6);
    expect(q).toEqual([127, -127, 127, 64]);
  });
});

describe('sub-byte packing', () => {
  it('packs 4-bit values two to a byte and 2-bit values four to a byte, first value in the low bits', () => {
    expect([...packBits([1, 2, 15, 0, 7], 4)]).toEqual([0x21, 0x0f, 0x07]);
    expect([...packBits([1, 2, 3, 0, 3], 2)]).toEqual([0b00111001, 0b11]);
  });
});
