import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clsModel, condense, tinyCnn } from './helpers.js';

const work = mkdtempSync(path.join(tmpdir(), 'condense-calib-'));
const dir = (name: string) => path.join(work, name);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A version-1 .npy file of C-ordered little-endian data. */
function npy(descr: string, shape: number[], data: Uint8Array | Float32Array): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const header = `${dict.padEnd(64 * Math.ceil((dict.length + 11) / 64) - 11)}\n`;
  const length = Buffer.alloc(2);
  length.writeUInt16LE(header.length);
  return Buffer.concat([Buffer.from([0x93, ...Buffer.from('NUMPY'), 1, 0]), length, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

/** Sample i's 28x28 pixels: smooth patterns, so that resizing and quantization see varied values. */
const pixels = (i: number) => Uint8Array.from({ length: 28 * 28 }, (_, p) => Math.round(127.5 + 127.5 * Math.sin((p % 28) * (0.1 + i / 50) + Math.floor(p / 28) * 0.2 * (i % 7))));
const SAMPLES = 40;

beforeAll(() => {
  for (const name of ['png', 'jpg', 'npy-folder', 'corrupt', 'empty']) mkdirSync(dir(name));
  for (let i = 0; i < SAMPLES; i++) {
    const gray = pixels(i);
    const rgb = Uint8Array.from({ length: 28 * 28 * 3 }, (_, k) => gray[Math.floor(k / 3)]!);
    writeFileSync(path.join(dir('png'), `${String(i).padStart(3, '0')}.png`), encodePng({ width: 28, height: 28, data: rgb, channels: 3, depth: 8 }));
    const rgba = Buffer.alloc(64 * 32 * 4, 255);
    for (let p = 0; p < 64 * 32; p++) rgba.set([gray[p % 784]!, (p * 3 + i) % 256, (i * 5) % 256], p * 4);
    writeFileSync(path.join(dir('jpg'), `${i}.jpg`), jpeg.encode({ width: 64, height: 32, data: rgba }, 90).data);
  }
  writeFileSync(path.join(dir('png'), 'README.txt'), 'not an image: ignored');
  const all = new Uint8Array(SAMPLES * 784);
  for (let i = 0; i < SAMPLES; i++) all.set(pixels(i), i * 784);
  writeFileSync(dir('u8.npy'), npy('|u1', [SAMPLES, 28, 28], all));
  writeFileSync(dir('images.idx'), Buffer.concat([Buffer.from([0, 0, 8, 3, 0, 0, 0, SAMPLES, 0, 0, 0, 28, 0, 0, 0, 28]), all]));
  writeFileSync(dir('f32.npy'), npy('<f4', [SAMPLES, 1, 28, 28], Float32Array.from(all, (v) => v / 255)));
  writeFileSync(path.join(dir('npy-folder'), 'a.npy'), npy('<f4', [8, 1, 28, 28], Float32Array.from(all.subarray(0, 8 * 784), (v) => v / 255)));
  writeFileSync(path.join(dir('npy-folder'), 'b.npy'), npy('<f4', [5, 1, 28, 28], Float32Array.from(all.subarray(8 * 784, 13 * 784), (v) => v / 255)));
  writeFileSync(path.join(dir('corrupt'), 'a.png'), encodePng({ width: 28, height: 28, data: pixels(0), channels: 1, depth: 8 }));
  writeFileSync(path.join(dir('corrupt'), 'b.png'), Buffer.from('\x89PNG\r\n\x1a\n but then nothing of a PNG', 'latin1'));
});

const json = async (args: string[]) => {
  const r = await condense([...args, '--json']);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
};
const compare = (model: string, data: string, ...more: string[]) => json(['eval', model, '--compare', model, '--calib', data, ...more]);

describe('--calib data forms', () => {
  it('eval --compare reads a folder of PNGs (other files ignored), a .npy file and a folder of .npy files', async () => {
    expect((await compare(tinyCnn, dir('png'))).samples).toBe(SAMPLES);
    expect((await compare(tinyCnn, dir('u8.npy'), '--batch', '7', '--scale', '1/255'))).toMatchObject({ samples: SAMPLES, top1Agreement: 1 });
    expect((await compare(tinyCnn, dir('f32.npy'), '--limit', '25')).samples).toBe(25);
    expect((await compare(tinyCnn, dir('npy-folder'))).samples).toBe(13);
    expect((await compare(tinyCnn, dir('images.idx'))).samples).toBe(SAMPLES);
  });

  it('compress --calib gives the same int8 model from PNGs as from the same pixels in a .npy file', async () => {
    const fromPng = dir('png.int8.onnx');
    const fromNpy = dir('npy.int8.onnx');
    const png = await condense(['compress', tinyCnn, '-o', fromPng, '--preset', 'int8', '--calib', dir('png'), '--quiet']);
    expect(png.stderr).toBe('');
    expect((await condense(['compress', tinyCnn, '-o', fromNpy, '--preset', 'int8', '--calib', dir('u8.npy'), '--scale', '1/255'])).code).toBe(0);
    // The gray PNGs' luma is their pixel value; had layout, scale or order gone wrong the calibrated ranges would differ.
    const same = await json(['eval', fromPng, '--compare', fromNpy, '--calib', dir('f32.npy')]);
    expect(same.top1Agreement).toBe(1);
    expect(same.cosine).toBeGreaterThan(0.99999);
    // And the int8 model stays close to float on the data it was calibrated with.
    const fidelity = await json(['eval', fromPng, '--compare', tinyCnn, '--calib', dir('png')]);
    expect(fidelity.cosine).toBeGreaterThan(0.99);
  }, 60_000);

  it('RGB JPEGs feed a model with symbolic height and width once --size is given', async () => {
    const r = await compare(clsModel, dir('jpg'), '--size', '48x192', '--resize', 'shorter', '--mean', '0.5', '--std', '0.5,0.5,0.5', '--channels', 'bgr');
    expect(r.samples).toBe(SAMPLES);
  });

  const bad: Array<[string, string[], RegExp, number]> = [
    ['a corrupt image', ['eval', tinyCnn, '--compare', tinyCnn, '--calib', dir('corrupt')], /corrupt[/\\]b\.png is not a readable PNG image/, 2],
    ['a corrupt image while compressing', ['compress', tinyCnn, '-o', dir('never.onnx'), '--preset', 'int8', '--calib', dir('corrupt')], /corrupt[/\\]b\.png is not a readable PNG image/, 2],
    ['a missing folder', ['eval', tinyCnn, '--compare', tinyCnn, '--calib', dir('nowhere')], /nowhere does not exist/, 1],
    ['a folder without data', ['eval', tinyCnn, '--compare', tinyCnn, '--calib', dir('empty')], /holds no \.png, \.jpg or \.npy files/, 2],
    ['symbolic size without --size', ['eval', clsModel, '--compare', clsModel, '--calib', dir('jpg')], /symbolic height or width: give the image size .*--size HxW/, 2],
    ['per-channel mean for one channel', ['eval', tinyCnn, '--compare', tinyCnn, '--calib', dir('png'), '--mean', '1,2,3'], /"mean" has 3 values but input "image" takes 1 channel/, 2],
    ['a malformed --size', ['eval', tinyCnn, '--compare', tinyCnn, '--calib', dir('png'), '--size', '28,28'], /--size must be HEIGHTxWIDTH/, 2],
    ['an unknown --resize', ['eval', tinyCnn, '--compare', tinyCnn, '--calib', dir('png'), '--resize', 'fit'], /--resize must be stretch or shorter; got "fit"/, 2],
    ['a non-numeric --std', ['compress', tinyCnn, '-o', dir('never.onnx'), '--calib', dir('png'), '--std', '0.2,x'], /--std must be numbers separated by commas/, 2],
    ['--mean without --calib', ['compress', tinyCnn, '-o', dir('never.onnx'), '--mean', '0.5'], /--mean describes calibration data; give it with --calib/, 2],
    ['--size with .npy data', ['eval', tinyCnn, '--compare', tinyCnn, '--calib', dir('u8.npy'), '--size', '28x28'], /"size" applies to images/, 2],
    ['--scale with IDX data', ['eval', tinyCnn, '--compare', tinyCnn, '--calib', dir('images.idx'), '--scale', '1'], /IDX data.*apply to image folders and \.npy data/, 2],
  ];
  for (const [what, args, message, code] of bad) {
    it(`${what}: one clear line, exit code ${code}`, async () => {
      const r = await condense(args);
      expect(r.code).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(dir('never.onnx'))).toBe(false);
    });
  }
});
