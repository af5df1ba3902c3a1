/**
 * condense export --to tflite and condense convert <model.tflite>, run as a
 * user runs them. Each export is read back to ONNX with convert and run in
 * onnxruntime against the model it came from; bad input gets one clear
 * message, a non-zero exit and no file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Graph, Tensor, attr, createModel } from '@condense/core';
import { readOpenvino } from '@condense/export-openvino';
import { encodeModelBytes } from '@condense/onnx';
import { afterAll, describe, expect, it } from 'vitest';
import { clsModel, condense as run, firstOutput, maxAbsDifference, tinyCnn } from './helpers.js';

const condense = (...args: string[]) => run(args);
const work = mkdtempSync(path.join(tmpdir(), 'condense-export-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const file = (name: string) => path.join(work, name);
const TRAIN_IMAGES = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';

/** One problem in one line per problem, no stack trace, and nothing written. */
function expectRefusal(r: { code: number; stderr: string }, output: string, message: RegExp) {
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(existsSync(output)).toBe(false);
}

describe('condense export --to tflite', () => {
  it('writes a float32 .tflite that reads back (convert) to the same outputs', async () => {
    const out = file('tiny.tflite');
    const r = await condense('export', tinyCnn, '--to', 'tflite', '-o', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wrote .*tiny\.tflite \(.*float32, nhwc layout\)/);
    expect(new TextDecoder().decode(readFileSync(out).subarray(4, 8))).toBe('TFL3');
    const back = file('tiny-back.onnx');
    expect((await condense('convert', out, '-o', back)).code).toBe(0);
    expect(maxAbsDifference(await firstOutput(back, 'image', [1, 1, 28, 28]), await firstOutput(tinyCnn, 'image', [1, 1, 28, 28]))).toBeLessThan(1e-4);
  });

  it('--fp16 halves the file; --layout nchw reads back with convert --layout nchw', async () => {
    const [full, half, nchw] = [file('cls.tflite'), file('cls16.tflite'), file('cls-nchw.tflite')];
    expect((await condense('export', clsModel, '--to', 'tflite', '-o', full, '--input-shape', 'x=1,3,48,192')).code).toBe(0);
    expect((await condense('export', clsModel, '--to', 'tflite', '-o', half, '--input-shape', 'x=1,3,48,192', '--fp16')).code).toBe(0);
    expect(statSync(half).size).toBeLessThan(statSync(full).size * 0.6);
    expect((await condense('export', clsModel, '--to', 'tflite', '-o', nchw, '--input-shape', 'x=1,3,48,192', '--layout', 'nchw')).code).toBe(0);
    const back = file('cls-nchw.onnx');
    expect((await condense('convert', nchw, '-o', back, '--layout', 'nchw')).code).toBe(0);
    expect(maxAbsDifference(await firstOutput(back, 'x', [1, 3, 48, 192]), await firstOutput(clsModel, 'x', [1, 3, 48, 192]))).toBeLessThan(1e-4);
  });

  it.skipIf(!existsSync(TRAIN_IMAGES))('--int8 --calib: full-integer int8 that reads back to what compress --preset int8 computes', async () => {
    const out = file('tiny-int8.tflite');
    const r = await condense('export', tinyCnn, '--to', 'tflite', '-o', out, '--int8', '--calib', TRAIN_IMAGES);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/full-integer int8, float32 inputs and outputs/);
    const qdq = file('tiny-int8.onnx');
    expect((await condense('compress', tinyCnn, '-o', qdq, '--preset', 'int8', '--calib', TRAIN_IMAGES)).code).toBe(0);
    const back = file('tiny-int8-back.onnx');
    expect((await condense('convert', out, '-o', back)).code).toBe(0);
    const info = JSON.parse((await condense('inspect', back, '--json')).stdout);
    expect(info.ops.QuantizeLinear).toBeGreaterThan(0);
    const [a, b] = [await firstOutput(back, 'image', [1, 1, 28, 28]), await firstOutput(qdq, 'image', [1, 1, 28, 28])];
    console.log(`tiny CNN int8 via export and read back vs compress --preset int8: max diff ${maxAbsDifference(a, b).toExponential(2)}`);
    expect(maxAbsDifference(a, b)).toBeLessThan(1e-3 * Math.max(...Array.from(b, Math.abs)));
  });

  it('refuses a model it cannot express: every problem listed, exit 1, nothing written', async () => {
    const g = new Graph({ opset: { '': 17 } });
    const x = g.input('x', { dtype: 'float32', shape: [1, 3, 16] });
    const lstm = g.add('LSTM', [x, g.constant('w', Tensor.from('float32', [1, 8, 16], new Float32Array(128))), g.constant('r', Tensor.from('float32', [1, 8, 2], new Float32Array(16)))], { hidden_size: attr.int(2) }, { name: 'my_lstm', outputs: 1 }).output;
    g.outputs = [g.add('Relu', [lstm]).output];
    const model = file('lstm.onnx');
    writeFileSync(model, encodeModelBytes(createModel(g)));
    const out = file('lstm.tflite');
    expectRefusal(await condense('export', model, '--to', 'tflite', '-o', out), out, /Cannot export to TFLite; nothing was written\. 1 problem:\n\s+- LSTM "my_lstm": no TFLite builtin mapping/);
    const dynamic = file('cls-dynamic.tflite');
    expectRefusal(await condense('export', clsModel, '--to', 'tflite', '-o', dynamic), dynamic, /graph input has shape \[1, 3, .*--input-shape/);
  });

  it('refuses bad flags before reading the model, and never replaces the input', async () => {
    const out = file('never.tflite');
    const cases: Array<[string[], RegExp]> = [
      [['export', tinyCnn, '-o', out], /Say which format with --to \(tflite, openvino, tensorrt, tfjs\)/],
      [['export', tinyCnn, '--to', 'onnx', '-o', out], /--to onnx is not a format condense exports/],
      [['export', tinyCnn, '--to', 'tflite', '-o', out, '--int8'], /--int8 .* add --calib/],
      [['export', tinyCnn, '--to', 'tflite', '-o', out, '--calib', TRAIN_IMAGES], /--calib gives calibration data for --int8/],
      [['export', tinyCnn, '--to', 'tflite', '-o', out, '--io', 'int4'], /io must be "float32", "int8" or "uint8"/],
      [['export', tinyCnn, '--to', 'tflite'], /No output file: add -o <model\.tflite>/],
      [['export', file('missing.onnx'), '--to', 'tflite', '-o', out], /missing\.onnx does not exist/],
    ];
    const results = await Promise.all(cases.map(([args]) => condense(...args)));
    results.forEach((r, i) => expectRefusal(r, out, cases[i]![1]));
    const before = readFileSync(tinyCnn);
    const same = await condense('export', tinyCnn, '--to', 'tflite', '-o', tinyCnn);
    expect(same.code).not.toBe(0);
    expect(same.stderr).toMatch(/is the input model; choose another -o\./);
    expect(readFileSync(tinyCnn).equals(before)).toBe(true);
  });
});

describe('condense convert <model.tflite>', () => {
  it('refuses a file that is not a .tflite flatbuffer in one line', async () => {
    const junk = file('junk.tflite');
    writeFileSync(junk, 'not a flatbuffer at all');
    const out = file('junk.onnx');
    expectRefusal(await condense('convert', junk, '-o', out), out, /junk\.tflite: Not a valid \.tflite model: it lacks the "TFL3" file identifier/);
    expectRefusal(await condense('convert', tinyCnn, '-o', out, '--layout', 'nchw'), out, /--layout describes a \.tflite input/);
  });
});

describe('condense export --to openvino | tensorrt', () => {
  it('--to openvino writes model.xml and model.bin that read back to the same outputs', async () => {
    const dir = file('ov');
    const r = await condense('export', tinyCnn, '--to', 'openvino', '-o', dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wrote .*model\.xml/);
    const back = readOpenvino(readFileSync(path.join(dir, 'model.xml'), 'utf8'), readFileSync(path.join(dir, 'model.bin')));
    const onnx = file('ov-back.onnx');
    writeFileSync(onnx, encodeModelBytes(back));
    expect(maxAbsDifference(await firstOutput(onnx, 'image', [1, 1, 28, 28]), await firstOutput(tinyCnn, 'image', [1, 1, 28, 28]))).toBeLessThan(1e-5);
  });

  it.skipIf(!existsSync(TRAIN_IMAGES))('--to tensorrt --int8 --calib writes the float model, the QDQ model, the calibration cache and the build script', async () => {
    const dir = file('trt');
    const r = await condense('export', tinyCnn, '--to', 'tensorrt', '-o', dir, '--int8', '--calib', TRAIN_IMAGES);
    expect(r.code).toBe(0);
    for (const name of ['model.onnx', 'model.qdq.onnx', 'calibration.cache', 'build-engine.sh']) expect(existsSync(path.join(dir, name)), name).toBe(true);
    const float = await firstOutput(tinyCnn, 'image', [1, 1, 28, 28]);
    expect(maxAbsDifference(await firstOutput(path.join(dir, 'model.onnx'), 'image', [1, 1, 28, 28]), float)).toBeLessThan(1e-5);
    // int8 on a noise input: within a tenth of the output's range.
    const range = Math.max(...float.map(Math.abs));
    expect(maxAbsDifference(await firstOutput(path.join(dir, 'model.qdq.onnx'), 'image', [1, 1, 28, 28]), float)).toBeLessThan(0.1 * range);
    expect(readFileSync(path.join(dir, 'calibration.cache'), 'utf8')).toMatch(/^TRT-\d+-EntropyCalibration2\n/);
  }, 60_000);

  it('refuses TFLite-only flags and an output that is a file, with nothing written', async () => {
    expectRefusal(await condense('export', tinyCnn, '--to', 'openvino', '-o', file('ov2'), '--layout', 'nchw'), file('ov2'), /--layout is a TFLite option/);
    const taken = file('taken');
    writeFileSync(taken, 'x');
    const r = await condense('export', tinyCnn, '--to', 'tensorrt', '-o', taken);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/is a file/);
    expect(readFileSync(taken, 'utf8')).toBe('x');
  });
});
