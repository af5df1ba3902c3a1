/**
 * The condense command, run as a user runs it: the built bin in a child process.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clsModel, condense as run, firstOutput, maxAbsDifference, tinyCnn } from './helpers.js';

const condense = (...args: string[]) => run(args);
const work = mkdtempSync(path.join(tmpdir(), 'condense-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('condense inspect', () => {
  it('prints ops, parameters, inputs and outputs as text', async () => {
    const r = await condense('inspect', tinyCnn);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/parameters: 5,658/);
    expect(r.stdout).toMatch(/image\s+float32\s+\[N, 1, 28, 28\]/);
    expect(r.stdout).toMatch(/Conv\s+4/);
  });

  it('--json counts weights held in Constant nodes', async () => {
    const r = await condense('inspect', clsModel, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    for (const key of ['nodes', 'ops', 'parameters', 'inputs', 'outputs']) expect(j).toHaveProperty(key);
    expect(j.nodes).toBe(471);
    expect(j.ops.Constant).toBe(250);
    expect(j.ops.Conv).toBe(53);
    // PaddleOCR cls keeps every weight in a Constant node: 133,665 parameters.
    expect(j.parameters).toBe(133_665);
    expect(j.inputs[0]).toMatchObject({ name: 'x', dtype: 'float32' });
  });

  it('--input-shape pins shapes and infers them to the outputs', async () => {
    const j = JSON.parse((await condense('inspect', clsModel, '--json', '--input-shape', 'x=4,3,48,192')).stdout);
    expect(j.outputs[0].shape).toEqual([4, 2]);
  });
});

describe('condense convert', () => {
  it('round-trips a model that onnxruntime runs with identical outputs', async () => {
    const out = path.join(work, 'cls.onnx');
    const r = await condense('convert', clsModel, '-o', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wrote/);
    expect(await firstOutput(out, 'x', [1, 3, 48, 192])).toEqual(await firstOutput(clsModel, 'x', [1, 3, 48, 192]));
  });

  it('--opset 13 raises PaddleOCR cls from opset 9 with the same outputs; an opset that is too new is refused', async () => {
    const out = path.join(work, 'cls13.onnx');
    const r = await condense('convert', clsModel, '-o', out, '--opset', '13');
    expect(r.stdout).toMatch(/opset 13/);
    const [a, b] = [await firstOutput(out, 'x', [1, 3, 48, 192]), await firstOutput(clsModel, 'x', [1, 3, 48, 192])];
    expect(maxAbsDifference(a, b)).toBeLessThan(1e-6);
    const bad = await condense('convert', clsModel, '-o', path.join(work, 'never.onnx'), '--opset', '40');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--opset 40 is newer than 23/);
  });

  it('never overwrites the input without --force', async () => {
    const input = path.join(work, 'mine.onnx');
    copyFileSync(tinyCnn, input);
    const before = readFileSync(input);
    const r = await condense('convert', input, '-o', input);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/is the input model/);
    expect(readFileSync(input)).toEqual(before);
    expect((await condense('convert', input, '-o', input, '--force')).code).toBe(0);
  });

  it('--external-data writes weights beside the model', async () => {
    const out = path.join(work, 'ext', 'cnn.onnx');
    mkdirSync(path.dirname(out));
    expect((await condense('convert', tinyCnn, '-o', out, '--external-data')).code).toBe(0);
    expect(readdirSync(path.dirname(out)).sort()).toEqual(['cnn.onnx', 'cnn.onnx.data']);
    expect((await condense('inspect', out, '--json')).code).toBe(0);
  });
});

describe('bad input', () => {
  const good = readFileSync(tinyCnn);
  const files: Record<string, Uint8Array | string> = {
    'truncated.onnx': good.subarray(0, Math.floor(good.length / 2)),
    'random.onnx': Uint8Array.from({ length: 2048 }, (_, i) => (i * 7919 + 13) % 251),
    'notes.onnx': 'not a model at all\n',
    'empty.onnx': '',
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(work, name), content);
  const cases: Array<[string, string[], RegExp]> = [
    ['missing file', ['inspect', path.join(work, 'nope.onnx')], /does not exist/],
    ['a folder', ['inspect', work], /folder/],
    ['truncated model', ['inspect', path.join(work, 'truncated.onnx')], /not a valid ONNX file|not an ONNX model/],
    ['random bytes', ['inspect', path.join(work, 'random.onnx')], /not a valid ONNX file|not an ONNX model/],
    ['a text file', ['convert', path.join(work, 'notes.onnx'), '-o', path.join(work, 'out.onnx')], /not a valid ONNX file|not an ONNX model/],
    ['an empty file', ['inspect', path.join(work, 'empty.onnx')], /not an ONNX model/],
    ['unknown option', ['inspect', tinyCnn, '--colour'], /Unknown option '--colour'/],
    ['missing -o', ['convert', tinyCnn], /add -o/],
    ['bad --input-shape', ['inspect', tinyCnn, '--input-shape', 'image'], /name=d0,d1/],
    ['wrong input name', ['inspect', tinyCnn, '--input-shape', 'x=1,1,28,28'], /No graph input named "x"/],
    ['unknown command', ['squash', tinyCnn], /unknown command "squash"/],
  ];
  for (const [what, args, message] of cases) {
    it(`${what}: one clear message, non-zero exit, no stack trace, no output file`, async () => {
      const r = await condense(...args);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr.trim().split('\n')[0]).toMatch(/^condense/);
      expect(readdirSync(work).filter((f) => f.startsWith('out.onnx') || f.includes('.tmp-'))).toEqual([]);
    });
  }
});
