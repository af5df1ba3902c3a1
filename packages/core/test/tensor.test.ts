import { describe, expect, it } from 'vitest';
import { DTYPE_CODES, Tensor, byteLengthOf, dtypeFromCode, float16BitsToNumber, type DType } from '../src/index.js';

describe('Tensor', () => {
  it('views bytes without copying', () => {
    const buffer = new Uint8Array(64);
    const view = buffer.subarray(16, 32);
    const t = Tensor.fromBytes('float32', [2, 2], view);
    expect(t.bytes()).toBe(view);
    const data = t.data<'float32'>();
    expect(data.buffer).toBe(buffer.buffer);
    expect(data.byteOffset).toBe(16);
  });

  it('copies only when the view is misaligned', () => {
    const buffer = new Uint8Array(20);
    new DataView(buffer.buffer).setFloat32(1, 1.5, true);
    const t = Tensor.fromBytes('float32', [1], buffer.subarray(1, 5));
    expect(t.data<'float32'>()[0]).toBe(1.5);
  });

  it('loads lazily, once', () => {
    let calls = 0;
    const t = Tensor.lazy('int32', [3], () => {
      calls++;
      return new Uint8Array(new Int32Array([1, 2, 3]).buffer);
    });
    expect(t.isLazy).toBe(true);
    expect(t.byteLength).toBe(12);
    expect(calls).toBe(0);
    expect([...t.data<'int32'>()]).toEqual([1, 2, 3]);
    t.bytes();
    expect(calls).toBe(1);
  });

  it('packs and unpacks int4, uint4, int2 LSB first', () => {
    const t = Tensor.from('int4', [3], [-8, 7, -1]);
    expect([...t.bytes()]).toEqual([0x78, 0x0f]);
    expect([...t.data<'int4'>()]).toEqual([-8, 7, -1]);
    expect([...Tensor.from('uint4', [2], [15, 1]).bytes()]).toEqual([0x1f]);
    expect([...Tensor.from('int2', [4], [-2, 1, 0, -1]).data<'int2'>()]).toEqual([-2, 1, 0, -1]);
  });

  it('rejects data that does not fill the shape', () => {
    expect(() => Tensor.fromBytes('float32', [3], new Uint8Array(8))).toThrow(/needs 12 bytes/);
    expect(() => Tensor.fromBytes('float32', [-1], new Uint8Array(0))).toThrow(/dimension/);
  });

  it('knows every ONNX element type', () => {
    for (const [name, code] of Object.entries(DTYPE_CODES)) expect(dtypeFromCode(code)).toBe(name);
    const sizes: Array<[DType, number, number]> = [
      ['float32', 3, 12], ['float16', 3, 6], ['bfloat16', 1, 2], ['float8e4m3fn', 5, 5], ['int4', 3, 2], ['uint2', 5, 2],
      ['int64', 2, 16], ['complex64', 1, 8], ['complex128', 1, 16], ['float4e2m1', 4, 2],
    ];
    for (const [d, n, bytes] of sizes) expect(byteLengthOf(d, n)).toBe(bytes);
  });

  it('reads half floats and strings', () => {
    expect(float16BitsToNumber(0x3c00)).toBe(1);
    expect(float16BitsToNumber(0xc000)).toBe(-2);
    expect(float16BitsToNumber(0x7c00)).toBe(Infinity);
    expect(float16BitsToNumber(0x0001)).toBeCloseTo(5.96e-8, 10);
    expect(Tensor.from('float16', [2], new Uint16Array([0x3c00, 0x3800])).toNumbers()).toEqual([1, 0.5]);
    expect(Tensor.fromStrings([2], ['a', 'é']).data()).toEqual(['a', 'é']);
  });
});
