import { describe, expect, it } from 'vitest';
import { Tensor, npyDataOffset, npyFeeder, parseNpy, parseNpyHeader, type ModelInput } from '../src/index.js';

/** A .npy file as NumPy writes it: magic, version, header length, a dict padded with spaces to 64 bytes, then data. */
function npy(dict: string, data: ArrayBufferView, version = 1): Uint8Array {
  const fixed = version === 1 ? 10 : 12;
  const pad = 64 - ((fixed + dict.length + 1) % 64);
  const header = new TextEncoder().encode(`${dict}${' '.repeat(pad % 64)}\n`);
  const out = new Uint8Array(fixed + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(header, fixed);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), fixed + header.length);
  return out;
}
const dict = (descr: string, shape: string, fortran = 'False') => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
const input = (shape: Array<number | string>, dtype: 'float32' | 'int64' = 'float32'): ModelInput => ({ name: 'x', type: { dtype, shape } });
const values = (t: Tensor) => Array.from(t.data() as ArrayLike<number>);

describe('parseNpy', () => {
  it('reads version 1, 2 and 3 headers, data 64-byte aligned', () => {
    for (const version of [1, 2, 3]) {
      const bytes = npy(dict('<f4', '(2, 3)'), Float32Array.from([1, 2, 3, 4, 5, 6.5]), version);
      expect(npyDataOffset(bytes) % 64).toBe(0);
      const t = parseNpy(bytes, 'a.npy');
      expect([t.dtype, t.shape]).toEqual(['float32', [2, 3]]);
      expect(values(t)).toEqual([1, 2, 3, 4, 5, 6.5]);
    }
  });

  it('maps descr codes to dtypes, including Python 2 long sizes and 0-d and 1-d shapes', () => {
    const cases: Array<[string, ArrayBufferView, string, string, number[]]> = [
      ['<f8', Float64Array.from([0.1, -2]), '(2,)', 'float64', [2]],
      ['|u1', Uint8Array.from([0, 255, 7, 9]), '(2L, 2L)', 'uint8', [2, 2]],
      ['<i4', Int32Array.from([-5]), '()', 'int32', []],
      ['<i8', BigInt64Array.from([3n, -4n]), '(1, 2)', 'int64', [1, 2]],
      ['<f2', Uint16Array.from([0x3c00]), '(1,)', 'float16', [1]],
      ['|b1', Uint8Array.from([1, 0]), '(2,)', 'bool', [2]],
    ];
    for (const [descr, data, shape, dtype, dims] of cases) {
      const t = parseNpy(npy(dict(descr, shape), data), 'a.npy');
      expect([t.dtype, t.shape]).toEqual([dtype, dims]);
    }
    expect(parseNpy(npy(dict('<f8', '(2,)'), Float64Array.from([0.1, -2])), 'a.npy').toNumbers()).toEqual([0.1, -2]);
    expect(parseNpy(npy(dict('<i8', '(2,)'), BigInt64Array.from([3n, -4n])), 'a.npy').toNumbers()).toEqual([3, -4]);
  });

  it('refuses, with what to do, Fortran order, big-endian, structured and foreign data', () => {
    const floats = Float32Array.from([1, 2]);
    expect(() => parseNpy(npy(dict('<f4', '(2,)', 'True'), floats), 'f.npy')).toThrow(/f\.npy is stored in Fortran \(column-major\) order; save it C-ordered/);
    expect(() => parseNpy(npy(dict('>f4', '(2,)'), floats), 'b.npy')).toThrow(/b\.npy is big-endian \(>f4\); save it little-endian/);
    expect(() => parseNpy(npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", floats), 's.npy')).toThrow(/structured arrays are not supported/);
    expect(() => parseNpy(npy(dict('<c8', '(1,)'), floats), 'c.npy')).toThrow(/element type '<c8' is not supported/);
    expect(() => parseNpy(npy(dict('<f4', '(3,)'), floats), 'short.npy')).toThrow(/needs 12 bytes of data but it holds 8/);
    expect(() => parseNpy(new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 200, 0, 123]), 'cut.npy')).toThrow(/header is cut short/);
    expect(() => parseNpy(npy(dict('<f4', '(2,)'), floats, 4), 'v4.npy')).toThrow(/version 4\.0 is not 1, 2 or 3/);
    expect(() => parseNpyHeader(new TextEncoder().encode('PK\x03\x04 not numpy'), 'z.npz')).toThrow(/z\.npz is not a valid \.npy file: it does not start with the NPY magic/);
  });
});

describe('npyFeeder', () => {
  const u8 = Tensor.from('uint8', [2, 1, 2], [0, 255, 51, 102]);

  it('feeds data as stored, converted to float32 and reshaped to the input where the element count agrees', () => {
    const feed = npyFeeder(input(['N', 1, 1, 2]));
    const t = feed(u8, 'u.npy');
    expect([t.dtype, t.shape]).toEqual(['float32', [2, 1, 1, 2]]);
    expect(values(t)).toEqual([0, 255, 51, 102]);
    const f32 = Tensor.from('float32', [2, 1, 1, 2], [1, 2, 3, 4]);
    expect(feed(f32, 'f.npy').bytes()).toBe(f32.bytes());
    expect(values(feed(Tensor.from('float16', [1, 2], [0x3c00, 0xc000]), 'h.npy'))).toEqual([1, -2]);
    expect(values(npyFeeder(input(['N', 2], 'int64'))(Tensor.from('int64', [1, 2], [7n, 8n]), 'i.npy')).map(Number)).toEqual([7, 8]);
  });

  it('scales and normalizes per channel only when asked, on the NCHW or NHWC channel axis', () => {
    expect(values(npyFeeder(input(['N', 1, 1, 2]), { scale: 1 / 255 })(u8, 'u.npy'))).toEqual([0, 1, 0.2, 0.4].map(Math.fround));
    const x = Tensor.from('float32', [1, 2, 1, 2], [10, 20, 30, 40]);
    expect(values(npyFeeder(input(['N', 2, 1, 2]), { mean: [10, 30], std: [1, 10] , layout: 'nchw' })(x, 'x.npy'))).toEqual([0, 10, 0, 1]);
    expect(values(npyFeeder(input(['N', 1, 2, 2]), { mean: [10, 20], layout: 'nhwc' })(x, 'x.npy'))).toEqual([0, 0, 20, 20]);
    expect(() => npyFeeder(input(['N', 3, 2, 2]), { mean: [1, 2] })(Tensor.from('float32', [1, 3, 2, 2], Array(12).fill(0)), 'x.npy')).toThrow(/"mean" has 2 values but input "x" takes 3 channels/);
  });

  it('names the file when its samples do not fit the input', () => {
    const feed = npyFeeder(input([2, 3, 2, 2]));
    expect(() => feed(Tensor.from('float32', [2, 3, 2, 3], Array(36).fill(0)), 'w.npy')).toThrow(/w\.npy holds samples of shape \[3, 2, 3\] but input "x" takes \[3, 2, 2\] per sample/);
    expect(() => feed(Tensor.from('float32', [1, 3, 2, 2], Array(12).fill(0)), 'one.npy')).toThrow(/one\.npy holds 1 samples but input "x" takes batches of exactly 2/);
    expect(() => npyFeeder(input(['N', 2], 'int64'))(Tensor.from('float32', [1, 2], [1, 2]), 'f.npy')).toThrow(/holds float32 data but input "x" takes int64/);
    expect(() => npyFeeder(input(['N', 2]), { size: [2, 2] })).toThrow(/"size" applies to images/);
  });
});
