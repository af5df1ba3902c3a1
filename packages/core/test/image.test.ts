import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { CondenseError, decodeImage, imageBatch, imageSamples, planImages, resizeImage, type ModelInput, type RgbImage } from '../src/index.js';

const png = (width: number, height: number, data: number[], channels: number, depth: 1 | 8 | 16 = 8) =>
  encodePng({ width, height, data: depth === 16 ? Uint16Array.from(data) : Uint8Array.from(data), channels, depth });
const rgb = (width: number, height: number, data: number[]): RgbImage => ({ width, height, data: Uint8Array.from(data) });
/** An image whose red channel is `red(x, y)`, green 0 and blue 255. */
const redRamp = (width: number, height: number, red: (x: number, y: number) => number) =>
  rgb(width, height, Array.from({ length: width * height }, (_, p) => [red(p % width, Math.floor(p / width)), 0, 255]).flat());
const input = (shape: Array<number | string>): ModelInput => ({ name: 'x', type: { dtype: 'float32', shape } });
const reds = (x: Float32Array) => Array.from(x.filter((_, i) => i % 3 === 0));
const values = (t: { data(): unknown }) => Array.from(t.data() as Float32Array);
/** Equal within float32 rounding of the arithmetic. */
const near = (actual: number[], expected: number[]) => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
};

describe('decodeImage', () => {
  it('gives 8-bit RGB for RGB, RGBA (alpha dropped), gray, 16-bit, 1-bit and palette PNGs', () => {
    expect(Array.from(decodeImage(png(2, 1, [255, 0, 10, 1, 2, 3], 3), 'a').data)).toEqual([255, 0, 10, 1, 2, 3]);
    expect(Array.from(decodeImage(png(1, 1, [9, 8, 7, 0], 4), 'a').data)).toEqual([9, 8, 7]);
    expect(Array.from(decodeImage(png(2, 1, [40, 200], 1), 'a').data)).toEqual([40, 40, 40, 200, 200, 200]);
    expect(Array.from(decodeImage(png(1, 1, [65535, 0, 257 * 100], 3, 16), 'a').data)).toEqual([255, 0, 100]);
    // 1-bit gray, 9 pixels wide: the row spills into a second byte.
    const bits = png(9, 1, [0b10100000, 0b10000000], 1, 1);
    expect(Array.from(decodeImage(bits, 'a').data.filter((_, i) => i % 3 === 0))).toEqual([255, 0, 255, 0, 0, 0, 0, 0, 255]);
    const indexed = encodePng({ width: 2, height: 1, data: Uint8Array.from([1, 0]), channels: 1, depth: 8, palette: [[10, 20, 30], [40, 50, 60]] });
    expect(Array.from(decodeImage(indexed, 'a').data)).toEqual([40, 50, 60, 10, 20, 30]);
  });

  it('decodes JPEG to RGB within its compression error', () => {
    const solid = Buffer.alloc(8 * 8 * 4);
    for (let p = 0; p < 64; p++) solid.set([200, 100, 50, 255], p * 4);
    const img = decodeImage(jpeg.encode({ width: 8, height: 8, data: solid }, 95).data, 'a.jpg');
    expect([img.width, img.height]).toEqual([8, 8]);
    for (let p = 0; p < 64; p++) [200, 100, 50].forEach((v, c) => expect(Math.abs(img.data[p * 3 + c]! - v)).toBeLessThanOrEqual(3));
  });

  it('names the file when the bytes are not an image or are cut short', () => {
    const cut = png(4, 4, Array(48).fill(7), 3);
    for (const [bytes, message] of [
      [new TextEncoder().encode('hello'), /^notes\.png is neither a PNG nor a JPEG image\.$/],
      [cut.subarray(0, cut.length - 20), /^notes\.png is not a readable PNG image \(/],
    ] as const) {
      let error: unknown;
      try {
        decodeImage(bytes, 'notes.png');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CondenseError);
      expect((error as CondenseError).code).toBe('E_BAD_OPTION');
      expect((error as CondenseError).context.file).toBe('notes.png');
      expect((error as Error).message).toMatch(message);
    }
  });
});

describe('resizeImage', () => {
  it('stretches with half-pixel centres: 4 -> 2 averages pixel pairs, 2 -> 4 interpolates a quarter in', () => {
    const down = resizeImage(redRamp(4, 4, (x, y) => 10 * x + 50 * y), 2, 2);
    expect(reds(down)).toEqual([5 + 25, 25 + 25, 5 + 125, 25 + 125]);
    const up = resizeImage(redRamp(2, 1, (x) => 100 * x), 1, 4);
    expect(reds(up)).toEqual([0, 25, 75, 100]);
    expect(Array.from(up.filter((_, i) => i % 3 === 2))).toEqual([255, 255, 255, 255]);
  });

  it("'shorter' keeps the aspect ratio and crops the centre", () => {
    // 8x4 to 2x2: scaled by 1/2 to 4x2, whose middle two columns are the averages of source columns 2-3 and 4-5.
    expect(reds(resizeImage(redRamp(8, 4, (x) => 10 * x), 2, 2, 'shorter'))).toEqual([25, 45, 25, 45]);
    // Same size, wider: no scaling, columns 2 to 5 kept.
    expect(reds(resizeImage(redRamp(8, 4, (x) => 10 * x), 4, 4, 'shorter')).slice(0, 4)).toEqual([20, 30, 40, 50]);
    // Stretch squeezes every column in instead.
    expect(reds(resizeImage(redRamp(8, 4, (x) => 10 * x), 2, 2)).slice(0, 2)).toEqual([15, 55]);
  });
});

describe('planImages and imageBatch', () => {
  const pixel = rgb(1, 1, [51, 102, 204]);

  it('scales by 1/255 and lays out NCHW or NHWC from the input shape, RGB or BGR', () => {
    const nchw = imageBatch([pixel, rgb(1, 1, [0, 0, 255])], planImages(input(['N', 3, 1, 1])));
    expect(nchw.shape).toEqual([2, 3, 1, 1]);
    near(values(nchw), [0.2, 0.4, 0.8, 0, 0, 1]);
    const big = redRamp(2, 1, (x) => 255 * x);
    near(values(imageBatch([big], planImages(input([1, 3, 1, 2])))), [0, 1, 0, 0, 1, 1]);
    // [1, 1, 2, 3] reads as NCHW with one channel unless told.
    const interleaved = imageBatch([big], planImages(input([1, 1, 2, 3]), { layout: 'nhwc' }));
    expect(interleaved.shape).toEqual([1, 1, 2, 3]);
    near(values(interleaved), [0, 0, 1, 1, 0, 1]);
    expect(planImages(input(['N', 'H', 'W', 3]), { size: [1, 2] }).layout).toBe('nhwc');
    near(values(imageBatch([pixel], planImages(input([1, 3, 1, 1]), { channels: 'bgr' }))), [0.8, 0.4, 0.2]);
  });

  it('normalizes per channel and converts to gray (BT.601) for one-channel inputs', () => {
    const normed = imageBatch([pixel], planImages(input([1, 3, 1, 1]), { scale: 1, mean: [1, 2, 4], std: [50, 100, 200] }));
    expect(values(normed)).toEqual([1, 1, 1]);
    const gray = imageBatch([pixel], planImages(input(['N', 1, 1, 1]), { scale: 1, mean: [100] }));
    near(values(gray), [0.299 * 51 + 0.587 * 102 + 0.114 * 204 - 100]);
    const noChannelDim = imageBatch([pixel, pixel], planImages(input(['N', 1, 1])));
    expect(noChannelDim.shape).toEqual([2, 1, 1]);
  });

  it('takes size from the spec where the input is symbolic, and says which option is missing', () => {
    expect(() => planImages(input(['N', 3, 'H', 'W']))).toThrow(/symbolic height or width.*"size"/);
    expect(planImages(input(['N', 3, 48, 'W']), { size: [48, 192] })).toMatchObject({ height: 48, width: 192, layout: 'nchw', channels: 3 });
    expect(() => planImages(input(['N', 3, 48, 'W']), { size: [32, 100] })).toThrow(/"size" 32x100 does not match/);
    expect(() => planImages(input(['N', 5, 5, 5]))).toThrow(/"layout"/);
    expect(() => planImages(input(['N', 3, 2, 2]), { mean: [1, 2] })).toThrow(/"mean" has 2 values but input "x" takes 3 channels/);
    expect(() => planImages(input(['N', 3, 2, 2]), { std: [0] })).toThrow(/"std" must not hold 0/);
    expect(() => planImages(input(['N', 3, 2, 2]), { sized: [2, 2] } as never)).toThrow(/"sized" is not one of/);
  });
});

describe('imageSamples', () => {
  const file = (name: string, bytes: Uint8Array, reads: string[]) => ({ name, read: () => (reads.push(name), bytes) });

  it('reads files a batch at a time and replays; a fixed batch size drops the leftover', async () => {
    const reads: string[] = [];
    const files = ['a', 'b', 'c', 'd', 'e'].map((n) => file(n, png(3, 2, Array(18).fill(255), 3), reads));
    const source = imageSamples(files, input(['N', 3, 2, 2]), {}, 2);
    const sizes: number[] = [];
    for await (const batch of source) {
      sizes.push(batch['x']!.shape[0]!);
      expect(reads.length).toBe(sizes.reduce((a, b) => a + b, 0));
    }
    expect(sizes).toEqual([2, 2, 1]);
    for await (const _ of source) sizes.push(0);
    expect(sizes).toHaveLength(6);
    const fixed: number[] = [];
    for await (const batch of imageSamples(files, input([2, 3, 2, 2]), {}, 32)) fixed.push(batch['x']!.shape[0]!);
    expect(fixed).toEqual([2, 2]);
  });

  it('fails with the name of a corrupt file', async () => {
    const files = [file('good.png', png(1, 1, [1, 2, 3], 3), []), file('bad.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1]), [])];
    const run = async () => {
      for await (const _ of imageSamples(files, input(['N', 3, 1, 1]))) void _;
    };
    await expect(run()).rejects.toThrow(/^bad\.png is not a readable PNG image/);
  });
});
