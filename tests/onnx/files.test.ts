/**
 * Files on disk: external data in and out, every way out of the model folder
 * refused, atomic saves, models over 2 GiB, and bad files with clear errors.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CondenseError, Graph, Tensor, createModel, type Model } from '@condense/core';
import { afterAll, describe, expect, it } from 'vitest';
import { concatChunks, decodeModel, encodeModel, encodeModelBytes } from '@condense/onnx';
import { loadModel, saveModel } from '@condense/onnx/node';
import { allClose, ort } from '../helpers/ort.js';
import { sameTensors } from '../helpers/tensors.js';

const work = mkdtempSync(path.join(tmpdir(), 'condense-files-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** y = x @ W + b with weights big enough to go external. */
function denseModel(n = 64): Model {
  const g = new Graph({ opset: { '': 17 } });
  const x = g.input('x', { dtype: 'float32', shape: [1, n] });
  const w = g.constant('W', Tensor.from('float32', [n, n], Float32Array.from({ length: n * n }, (_, i) => Math.sin(i))));
  const b = g.constant('b', Tensor.from('float32', [n], Float32Array.from({ length: n }, (_, i) => i / n)));
  const mm = g.add('MatMul', [x, w]);
  g.outputs = [g.add('Add', [mm.output, b]).output];
  return createModel(g);
}

async function runFile(file: string, n = 64) {
  const s = await ort.InferenceSession.create(file);
  const out = await s.run({ x: new ort.Tensor('float32', Float32Array.from({ length: n }, (_, i) => i % 3), [1, n]) });
  await s.release();
  return Object.values(out)[0]!;
}

function folder(name: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function expectError(p: Promise<unknown>, code: string, message: RegExp) {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(CondenseError);
  expect((e as CondenseError).code).toBe(code);
  expect((e as Error).message).toMatch(message);
}

describe('external data', () => {
  it('saves weights beside the model and loads them back lazily; onnxruntime agrees', async () => {
    const dir = folder('external');
    const model = denseModel();
    const inline = path.join(dir, 'inline.onnx');
    const external = path.join(dir, 'external.onnx');
    await saveModel(model, inline);
    const saved = await saveModel(model, external, { externalData: true });
    expect(saved.externalData).toBe(`${external}.data`);
    expect(statSync(external).size).toBeLessThan(1024);
    expect(statSync(`${external}.data`).size).toBeGreaterThanOrEqual(64 * 64 * 4);
    const loaded = await loadModel(external);
    expect(loaded.graph.value('W')!.const!.isLazy).toBe(true);
    expect(sameTensors(model, loaded)).toBe(true);
    const [a, b] = [await runFile(inline), await runFile(external)];
    expect(allClose(a, b, 0, 0).ok).toBe(true);
    // Re-saving a model whose weights live in another file copies them into the new one.
    const again = path.join(dir, 'again.onnx');
    await saveModel(loaded, again);
    expect(allClose(await runFile(again), a, 0, 0).ok).toBe(true);
  });

  it('writes models over 2 GiB with external data automatically', async () => {
    const dir = folder('huge');
    const g = new Graph({ opset: { '': 17 } });
    const x = g.input('x', { dtype: 'float32', shape: [1] });
    // Three 800 MB constants sharing one zero buffer: 2.4 GB of weights, little memory.
    const zeros = new Uint8Array(800_000_000);
    let y = x;
    for (let i = 0; i < 3; i++) {
      const big = g.constant(`big${i}`, Tensor.fromBytes('float32', [200_000_000], zeros));
      const r = g.add('ReduceSum', [big], {});
      y = g.add('Add', [y, r.output]).output;
    }
    g.outputs = [y];
    const file = path.join(dir, 'huge.onnx');
    const saved = await saveModel(createModel(g), file);
    expect(saved.externalData).toBe(`${file}.data`);
    expect(statSync(`${file}.data`).size).toBeGreaterThan(2 ** 31);
    const loaded = await loadModel(file);
    const t = loaded.graph.value('big2')!.const!;
    expect(t.shape).toEqual([200_000_000]);
    expect(t.isLazy).toBe(true);
    expect(t.bytes().every((v) => v === 0)).toBe(true);
    expect(() => encodeModelBytes(createModel(g))).toThrow(/2 GiB/);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});

describe('external data paths that leave the model folder are refused', () => {
  const escapes: Array<[string, string]> = [
    ['parent folder', '../secret.bin'],
    ['nested parent', 'sub/../../secret.bin'],
    ['absolute path', '/etc/passwd'],
    ['Windows drive', 'C:\\Windows\\win.ini'],
  ];
  for (const [what, location] of escapes) {
    it(`on load: ${what} (${location})`, async () => {
      const dir = folder(`escape-load-${what.replace(/\W/g, '-')}`);
      writeFileSync(path.join(work, 'secret.bin'), new Uint8Array(64 * 64 * 4));
      const file = path.join(dir, 'model.onnx');
      writeFileSync(file, withLocation(location));
      await expectError(loadModel(file), 'E_PATH_ESCAPE', /outside the model folder|absolute path/);
    });
    it(`on save: ${what} (${location})`, async () => {
      const dir = folder(`escape-save-${what.replace(/\W/g, '-')}`);
      await expectError(saveModel(denseModel(), path.join(dir, 'm.onnx'), { externalData: { location } }), 'E_PATH_ESCAPE', /model's own folder|plain file name/);
      expect(readdirSync(dir)).toEqual([]);
    });
  }

  it('on load: a symbolic link out of the folder', async () => {
    const dir = folder('escape-symlink');
    writeFileSync(path.join(work, 'outside.bin'), new Uint8Array(64 * 64 * 4));
    symlinkSync(path.join(work, 'outside.bin'), path.join(dir, 'link.bin'));
    writeFileSync(path.join(dir, 'model.onnx'), withLocation('link.bin'));
    await expectError(loadModel(path.join(dir, 'model.onnx')), 'E_PATH_ESCAPE', /symbolic link/);
  });

  it('on load: a linked folder out of the model folder', async () => {
    const dir = folder('escape-dirlink');
    mkdirSync(path.join(work, 'elsewhere'), { recursive: true });
    writeFileSync(path.join(work, 'elsewhere', 'w.bin'), new Uint8Array(64 * 64 * 4));
    symlinkSync(path.join(work, 'elsewhere'), path.join(dir, 'data'));
    writeFileSync(path.join(dir, 'model.onnx'), withLocation('data/w.bin'));
    await expectError(loadModel(path.join(dir, 'model.onnx')), 'E_PATH_ESCAPE', /symbolic link/);
  });

  it('on load: a data file too short for the tensor', async () => {
    const dir = folder('short-data');
    writeFileSync(path.join(dir, 'w.bin'), new Uint8Array(100));
    writeFileSync(path.join(dir, 'model.onnx'), withLocation('w.bin'));
    await expectError(loadModel(path.join(dir, 'model.onnx')), 'E_EXTERNAL_DATA', /needs 16384 bytes/);
  });

  it('in memory: external data without a file is explained', () => {
    expect(() => decodeModel(withLocation('w.bin'))).toThrow(/load the model from a file path/);
  });
});

/**
 * The dense model's bytes with its weights stored externally at `location`.
 * saveModel refuses such locations, so the encoder frames them directly, as a
 * hostile file would.
 */
function withLocation(location: string): Uint8Array {
  return concatChunks(encodeModel(denseModel(), { externalData: { location } }));
}

describe('atomic saves and bad files', () => {
  it('never leaves a partial file and keeps the old one when writing fails', async () => {
    const dir = folder('atomic');
    const file = path.join(dir, 'm.onnx');
    await saveModel(denseModel(), file);
    const before = readFileSync(file);
    const broken = denseModel();
    broken.graph.value('W')!.const = Tensor.lazy('float32', [64, 64], () => {
      throw new CondenseError('E_EXTERNAL_DATA', 'disk vanished');
    });
    await expect(saveModel(broken, file)).rejects.toThrow(/disk vanished/);
    expect(readFileSync(file)).toEqual(before);
    expect(readdirSync(dir)).toEqual(['m.onnx']);
  });

  it('explains missing, folder, empty, truncated and foreign files', async () => {
    const dir = folder('bad');
    const good = readFileSync(path.join(dir, '..', 'atomic', 'm.onnx'));
    writeFileSync(path.join(dir, 'empty.onnx'), new Uint8Array(0));
    writeFileSync(path.join(dir, 'truncated.onnx'), good.subarray(0, good.length - 100));
    writeFileSync(path.join(dir, 'text.onnx'), 'hello, this is not a model\n');
    const random = new Uint8Array(4096);
    let s = 99;
    for (let i = 0; i < random.length; i++) random[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
    writeFileSync(path.join(dir, 'random.onnx'), random);
    await expectError(loadModel(path.join(dir, 'missing.onnx')), 'E_FILE_NOT_FOUND', /does not exist/);
    await expectError(loadModel(dir), 'E_NOT_A_FILE', /folder/);
    await expectError(loadModel(path.join(dir, 'empty.onnx')), 'E_ONNX_PARSE', /not an ONNX model/);
    await expectError(loadModel(path.join(dir, 'truncated.onnx')), 'E_ONNX_PARSE', /truncated|not an ONNX model|needs/);
    await expectError(loadModel(path.join(dir, 'text.onnx')), 'E_ONNX_PARSE', /not a valid ONNX file|not an ONNX model/);
    await expectError(loadModel(path.join(dir, 'random.onnx')), 'E_ONNX_PARSE', /not a valid ONNX file|not an ONNX model/);
    expect(existsSync(path.join(dir, 'missing.onnx'))).toBe(false);
  });
});
