/**
 * External data never reads or writes outside the model's folder: every way
 * out a location can take (parent segments with either slash, absolute and UNC
 * paths, NUL bytes, symbolic links to files and folders, chains of links, a link
 * swapped in after loading) is refused with E_PATH_ESCAPE or E_EXTERNAL_DATA,
 * and special files (FIFOs, folders) fail fast instead of hanging. Saves write
 * only beside the model and replace links instead of writing through them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CondenseError, type Model } from '@condense/core';
import { loadModel, saveModel } from '@condense/onnx/node';
import { afterAll, describe, expect, it } from 'vitest';
import { WEIGHT_BYTES, folderWithSecret, modelPointingAt, scaleModel, weightBytes } from '../helpers/hostile-files.js';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function setup(name: string) {
  const s = folderWithSecret(`condense-paths-${name}-`);
  roots.push(s.root);
  return s;
}

async function failure(p: Promise<unknown>): Promise<CondenseError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e, 'expected a CondenseError').toBeInstanceOf(CondenseError);
  return e as CondenseError;
}

/** Loads the model and reads its weights (external data is read on first use). */
async function loadAndRead(file: string): Promise<Model> {
  const model = await loadModel(file);
  model.graph.value('w')!.const!.bytes();
  return model;
}

describe('reading external data stays inside the model folder', () => {
  const escapes: Array<[string, (root: string) => string]> = [
    ['parent folder', () => '../secret.bin'],
    ['parent folder, nested', () => 'sub/../../secret.bin'],
    ['parent folder with backslashes', () => '..\\secret.bin'],
    ['parent folder, mixed slashes', () => 'sub\\..\\../secret.bin'],
    ['absolute path to an existing file', (root) => path.join(root, 'secret.bin')],
    ['Windows drive path', () => 'C:\\secret.bin'],
    ['Windows UNC path', () => '\\\\server\\share\\secret.bin'],
    ['NUL byte hiding a suffix', () => 'w.bin\u0000../../secret.bin'],
    ['the folder itself', () => '.'],
  ];
  for (const [what, location] of escapes) {
    it(`refuses ${what}`, async () => {
      const { root, folder } = setup('read');
      writeFileSync(path.join(folder, 'model.onnx'), modelPointingAt(location(root)));
      const e = await failure(loadAndRead(path.join(folder, 'model.onnx')));
      expect(e.code).toBe('E_PATH_ESCAPE');
      expect(e.message).toMatch(/inside the model's own folder/);
    });
  }

  it('refuses a symbolic link to a file outside, a linked folder, and a chain of links ending outside', async () => {
    const { root, folder, secret } = setup('links');
    mkdirSync(path.join(root, 'elsewhere'));
    writeFileSync(path.join(root, 'elsewhere', 'w.bin'), readFileSync(secret));
    symlinkSync(secret, path.join(folder, 'direct.bin'));
    symlinkSync(path.join(root, 'elsewhere'), path.join(folder, 'data'));
    symlinkSync('direct.bin', path.join(folder, 'hop.bin'));
    symlinkSync('/dev/zero', path.join(folder, 'zero.bin'));
    for (const location of ['direct.bin', 'data/w.bin', 'hop.bin', 'zero.bin']) {
      writeFileSync(path.join(folder, 'model.onnx'), modelPointingAt(location));
      const e = await failure(loadAndRead(path.join(folder, 'model.onnx')));
      expect([location, e.code]).toEqual([location, 'E_PATH_ESCAPE']);
    }
  });

  it('reads a data file inside, through a link inside, or named "..w.bin" (controls: the checks are not blanket refusals)', async () => {
    const { folder } = setup('inside');
    mkdirSync(path.join(folder, 'sub'));
    writeFileSync(path.join(folder, 'sub', 'w.bin'), weightBytes());
    writeFileSync(path.join(folder, '..w.bin'), weightBytes());
    symlinkSync('sub/w.bin', path.join(folder, 'alias.bin'));
    for (const location of ['sub/w.bin', './sub/../sub/w.bin', 'alias.bin', '..w.bin']) {
      writeFileSync(path.join(folder, 'model.onnx'), modelPointingAt(location));
      const model = await loadAndRead(path.join(folder, 'model.onnx'));
      expect(model.graph.value('w')!.const!.toNumbers()[8]).toBe(1);
    }
  });

  it('refuses a link swapped in after loading, before the weights are read', async () => {
    const { folder, secret } = setup('swap');
    writeFileSync(path.join(folder, 'w.bin'), weightBytes());
    writeFileSync(path.join(folder, 'model.onnx'), modelPointingAt('w.bin'));
    const model = await loadModel(path.join(folder, 'model.onnx'));
    renameSync(path.join(folder, 'w.bin'), path.join(folder, 'old.bin'));
    symlinkSync(secret, path.join(folder, 'w.bin'));
    const weights = model.graph.value('w')!.const!;
    expect(() => weights.bytes()).toThrow(CondenseError);
    expect(() => weights.bytes()).toThrow(/replaced after the model was loaded/);
  });

  it('fails fast on a folder and on a FIFO named as the data file (a plain open of a FIFO blocks forever)', () => {
    const { folder } = setup('special');
    mkdirSync(path.join(folder, 'dir.bin'));
    execFileSync('mkfifo', [path.join(folder, 'fifo.bin')]);
    for (const location of ['dir.bin', 'fifo.bin']) {
      writeFileSync(path.join(folder, `${location}.onnx`), modelPointingAt(location));
      // In a child process with a timeout: a regression must fail this test, not hang the suite.
      const script = `import('@condense/onnx/node').then(({ loadModel }) => loadModel(process.argv[1])).then(() => console.log('loaded'), (e) => console.log(e.code, e.message))`;
      const out = execFileSync(process.execPath, ['-e', script, path.join(folder, `${location}.onnx`)], { cwd: import.meta.dirname, timeout: 20_000, encoding: 'utf8' });
      expect(out).toMatch(/^E_EXTERNAL_DATA .*is not a regular file/);
    }
  });
});

describe('writing external data stays beside the model', () => {
  const refused: Array<[string, string, string]> = [
    ['parent folder', '../w.bin', 'E_PATH_ESCAPE'],
    ['a sub folder', 'sub/w.bin', 'E_PATH_ESCAPE'],
    ['backslash folder', 'sub\\w.bin', 'E_PATH_ESCAPE'],
    ['backslash parent', '..\\w.bin', 'E_PATH_ESCAPE'],
    ['absolute path', '/tmp/condense-w.bin', 'E_PATH_ESCAPE'],
    ['Windows drive', 'C:\\w.bin', 'E_PATH_ESCAPE'],
    ['NUL byte', 'w.bin\u0000', 'E_PATH_ESCAPE'],
    ['the model file itself', 'model.onnx', 'E_BAD_OPTION'],
  ];
  for (const [what, location, code] of refused) {
    it(`refuses ${what} (${JSON.stringify(location)}) and writes nothing`, async () => {
      const { root, folder } = setup('write');
      mkdirSync(path.join(folder, 'sub'));
      const e = await failure(saveModel(scaleModel(), path.join(folder, 'model.onnx'), { externalData: { location, threshold: 0 } }));
      expect(e.code).toBe(code);
      expect(readdirSync(folder)).toEqual(['sub']);
      expect(readdirSync(path.join(folder, 'sub'))).toEqual([]);
      expect(readdirSync(root).sort()).toEqual(['model', 'secret.bin']);
      expect(existsSync('/tmp/condense-w.bin')).toBe(false);
    });
  }

  it('refuses a data file that is a link out of the folder, leaving its target untouched', async () => {
    const { folder, secret } = setup('write-link');
    symlinkSync(secret, path.join(folder, 'model.onnx.data'));
    const e = await failure(saveModel(scaleModel(), path.join(folder, 'model.onnx'), { externalData: true }));
    expect(e.code).toBe('E_PATH_ESCAPE');
    expect(readFileSync(secret).every((b) => b === 0x5a)).toBe(true);
  });

  it('replaces a link planted at the output path instead of writing through it', async () => {
    const { folder, secret } = setup('write-planted');
    symlinkSync(secret, path.join(folder, 'model.onnx'));
    await saveModel(scaleModel(), path.join(folder, 'model.onnx'), { externalData: { location: 'w.bin', threshold: 0 } });
    expect(lstatSync(path.join(folder, 'model.onnx')).isSymbolicLink()).toBe(false);
    expect(readFileSync(secret).every((b) => b === 0x5a)).toBe(true);
    expect(readFileSync(path.join(folder, 'w.bin')).byteLength).toBe(WEIGHT_BYTES);
    const reloaded = await loadAndRead(path.join(folder, 'model.onnx'));
    expect(reloaded.graph.value('w')!.const!.toNumbers()[8]).toBe(1);
  });
});
