/**
 * tfjs models through the condense command, as a user runs it: models built
 * with tfjs-layers and saved with tf.io (model.save(tf.io.http(...))), and a
 * GraphModel with tfjs-converter's fused ops, go through convert, compress and
 * export; every result runs in tfjs (wasm backend) or onnxruntime-node and is
 * compared with the original tfjs model's outputs.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxAbs, maxAbsDiff, noise } from '../../adapter-tfjs/test/helpers/data.js';
import { FIXTURE_INPUT_SHAPE, fusedGraphModel } from '../../adapter-tfjs/test/helpers/fixtures.js';
import { compressibleCnn } from '../../adapter-tfjs/test/helpers/models.js';
import { saveToFolder } from '../../adapter-tfjs/test/helpers/save-files.js';
import { loadGraphModel, predict, useBackend } from '../../adapter-tfjs/test/helpers/tfjs.js';
import { condense as run } from './helpers.js';

const condense = (...args: string[]) => run(args);
const work = mkdtempSync(path.join(tmpdir(), 'condense-tfjs-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const file = (...names: string[]) => path.join(work, ...names);

/** The layers model's input: 4 images of 8x8x3, NHWC as tfjs takes them. */
const SHAPE = [4, 8, 8, 3];
const x = noise(SHAPE.reduce((a, b) => a * b, 1), 9);
const GRAPH_X = noise(FIXTURE_INPUT_SHAPE.reduce((a, b) => a * b, 1), 5);

/** Bytes of a model on disk: model.json plus the shards its manifest names, or one .onnx file. */
function bytesOf(json: string): number {
  if (!json.endsWith('.json')) return statSync(json).size;
  const manifest = JSON.parse(readFileSync(json, 'utf8')).weightsManifest as Array<{ paths: string[] }>;
  return statSync(json).size + manifest.flatMap((g) => g.paths).reduce((n, p) => n + statSync(path.join(path.dirname(json), p)).size, 0);
}

/** A GraphModel on disk (model.json and its shards), run in tfjs on one input. */
async function runTfjsFile(json: string, data: Float32Array, shape: number[]): Promise<Float32Array> {
  const modelJson = JSON.parse(readFileSync(json, 'utf8'));
  const shards = (modelJson.weightsManifest as Array<{ paths: string[] }>).flatMap((g) => g.paths).map((p) => readFileSync(path.join(path.dirname(json), p)));
  return predict(await loadGraphModel(modelJson, new Uint8Array(Buffer.concat(shards))), data, shape);
}

/** An .onnx file run in onnxruntime-node. QDQ fusion is off: fused, onnxruntime rounds activations too, which the model does not say. */
async function runOnnxFile(onnx: string, data: Float32Array, shape: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(onnx, { logSeverityLevel: 3, extra: { session: { disable_quant_qdq: '1' } } });
  try {
    const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', data, shape) });
    return out[session.outputNames[0]!]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Exit 0, or the test fails showing what the command said. */
async function ok(...args: string[]): Promise<string> {
  const r = await condense(...args);
  expect(r.code, `condense ${args.join(' ')}:\n${r.stderr}`).toBe(0);
  return r.stdout;
}

/** One line saying what is wrong, a non-zero exit, no stack trace, none of `outputs` written. */
async function refused(args: string[], message: RegExp, outputs: string[]): Promise<void> {
  const r = await condense(...args);
  expect(r.code, r.stdout).not.toBe(0);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at |unexpected error/);
  for (const o of outputs) expect(existsSync(o), `${o} was written`).toBe(false);
}

let layers: string;
let original: Float32Array;
let graph: string;
let graphOriginal: Float32Array;

beforeAll(async () => {
  await useBackend('wasm');
  // conv, batch norm, strided conv, depthwise conv, residual add, 1x1 conv, global average pool, dense
  const model = compressibleCnn();
  layers = await saveToFolder(model, file('layers'));
  original = await predict(model, x, SHAPE);
  const fused = fusedGraphModel();
  mkdirSync(file('graph'));
  graph = file('graph', 'model.json');
  writeFileSync(graph, JSON.stringify(fused.modelJson));
  writeFileSync(file('graph', fused.modelJson.weightsManifest[0]!.paths[0]!), fused.weights);
  graphOriginal = await predict(await loadGraphModel(fused.modelJson, fused.weights), GRAPH_X, FIXTURE_INPUT_SHAPE);
}, 60_000);

describe('a LayersModel saved with tf.io, through the CLI', () => {
  it('is saved as tfjs saves it, and inspect reads it', async () => {
    expect(readdirSync(file('layers')).sort()).toEqual(['model.json', 'model.weights.bin']);
    const info = JSON.parse(await ok('inspect', layers, '--json'));
    expect(info.inputs[0]).toMatchObject({ name: 'pixels', dtype: 'float32' });
    expect(info.inputs[0].shape.slice(1)).toEqual([8, 8, 3]);
    expect(info.fileBytes).toBe(bytesOf(layers));
    expect(info.ops.Conv).toBe(5);
  });

  it('convert model.json -o model.onnx: onnxruntime-node matches tfjs within 1e-4', async () => {
    const onnx = file('layers.onnx');
    expect(await ok('convert', layers, '-o', onnx)).toMatch(/wrote .*layers\.onnx/);
    const diff = maxAbsDiff(await runOnnxFile(onnx, x, SHAPE), original);
    console.log(`LayersModel -> ONNX: onnxruntime-node vs tfjs max abs diff ${diff.toExponential(2)} (outputs up to ${maxAbs(original).toFixed(2)})`);
    expect(diff).toBeLessThanOrEqual(1e-4);
  });

  it('compress model.json -o out.json (cleanup): a GraphModel tfjs runs with the same outputs, out.json + out.bin', async () => {
    const out = file('cleaned.json');
    expect(await ok('compress', layers, '-o', out, '--preset', 'cleanup')).toMatch(/cleaned\.json/);
    expect(existsSync(file('cleaned.bin'))).toBe(true);
    const diff = maxAbsDiff(await runTfjsFile(out, x, SHAPE), original);
    console.log(`LayersModel -> compress cleanup -> tfjs GraphModel: vs the original tfjs model ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(1e-4);
  });

  it('compress --preset int8-weights to tfjs and to ONNX: both agree within 1e-4, stay within 5e-2 of the float model, and the tfjs model is >= 3.5x smaller', async () => {
    const [floatJson, int8Json, int8Onnx] = [file('float.json'), file('int8.json'), file('int8.onnx')];
    await ok('convert', layers, '-o', floatJson);
    await ok('compress', layers, '-o', int8Json, '--preset', 'int8-weights');
    await ok('compress', layers, '-o', int8Onnx, '--preset', 'int8-weights');
    const float = await runTfjsFile(floatJson, x, SHAPE);
    const tfjs = await runTfjsFile(int8Json, x, SHAPE);
    const onnx = await runOnnxFile(int8Onnx, x, SHAPE);
    const ratio = bytesOf(floatJson) / bytesOf(int8Json);
    console.log(
      `int8-weights: tfjs vs onnxruntime-node ${maxAbsDiff(tfjs, onnx).toExponential(2)}, vs the original ${maxAbsDiff(tfjs, original).toExponential(2)}; ` +
        `float tfjs vs original ${maxAbsDiff(float, original).toExponential(2)}; ${bytesOf(floatJson)} -> ${bytesOf(int8Json)} bytes (${ratio.toFixed(2)}x)`,
    );
    expect(maxAbsDiff(float, original)).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDiff(tfjs, onnx)).toBeLessThanOrEqual(1e-4);
    // Per-channel int8 weights move these logits (up to about 2) by a few hundredths at most.
    expect(maxAbsDiff(tfjs, original)).toBeLessThan(5e-2);
    expect(maxAbsDiff(tfjs, original)).toBeGreaterThan(0);
    expect(ratio).toBeGreaterThanOrEqual(3.5);
  });

  it('export <model.onnx> --to tfjs: float and int8-weights run in tfjs as in onnxruntime-node; --weights uint8 on the float model is >= 3.5x smaller', async () => {
    const [floatOnnx, int8Onnx] = [file('export-float.onnx'), file('export-int8.onnx')];
    await ok('convert', layers, '-o', floatOnnx);
    await ok('compress', floatOnnx, '-o', int8Onnx, '--preset', 'int8-weights');
    expect(await ok('export', floatOnnx, '--to', 'tfjs', '-o', file('tfjs-float'))).toMatch(/wrote .*model\.json[\s\S]*group1-shard1of1\.bin/);
    await ok('export', int8Onnx, '--to', 'tfjs', '-o', file('tfjs-int8'));
    await ok('export', floatOnnx, '--to', 'tfjs', '-o', file('tfjs-uint8'), '--weights', 'uint8');
    const [floatDir, int8Dir, uint8Dir] = ['tfjs-float', 'tfjs-int8', 'tfjs-uint8'].map((d) => file(d, 'model.json')) as [string, string, string];
    const floatDiff = maxAbsDiff(await runTfjsFile(floatDir, x, SHAPE), await runOnnxFile(floatOnnx, x, SHAPE));
    const int8Diff = maxAbsDiff(await runTfjsFile(int8Dir, x, SHAPE), await runOnnxFile(int8Onnx, x, SHAPE));
    const uint8Error = maxAbsDiff(await runTfjsFile(uint8Dir, x, SHAPE), original);
    const [int8Ratio, uint8Ratio] = [bytesOf(floatDir) / bytesOf(int8Dir), bytesOf(floatDir) / bytesOf(uint8Dir)];
    console.log(`export --to tfjs: float vs onnxruntime-node ${floatDiff.toExponential(2)}; int8-weights vs onnxruntime-node ${int8Diff.toExponential(2)}, ${int8Ratio.toFixed(2)}x smaller; --weights uint8 vs the original ${uint8Error.toExponential(2)}, ${uint8Ratio.toFixed(2)}x smaller`);
    expect(floatDiff).toBeLessThanOrEqual(1e-4);
    expect(int8Diff).toBeLessThanOrEqual(1e-4);
    expect(int8Ratio).toBeGreaterThanOrEqual(3.5);
    // uint8 rounds each float weight to one of 256 levels over its range: about a tenth at most on these logits.
    expect(uint8Error).toBeLessThan(1e-1);
    expect(uint8Ratio).toBeGreaterThanOrEqual(3.5);
  });

  it('bench reads model.json too', async () => {
    expect(await ok('bench', layers, '--runs', '2', '--warmup', '0', '--input-shape', 'pixels=2,8,8,3')).toMatch(/p50 ms/);
  });
});

describe('a GraphModel with fused ops (_FusedConv2D, FusedDepthwiseConv2dNative, _FusedMatMul; uint8, uint16 and float16 shards)', () => {
  it('convert to ONNX runs in onnxruntime-node, and compress back to tfjs runs in tfjs, both within 1e-4 of the original', async () => {
    const onnx = file('fused.onnx');
    await ok('convert', graph, '-o', onnx);
    const back = file('fused-out', 'model.json');
    mkdirSync(path.dirname(back));
    await ok('compress', file('graph'), '-o', back);
    const onnxDiff = maxAbsDiff(await runOnnxFile(onnx, GRAPH_X, FIXTURE_INPUT_SHAPE), graphOriginal);
    const tfjsDiff = maxAbsDiff(await runTfjsFile(back, GRAPH_X, FIXTURE_INPUT_SHAPE), graphOriginal);
    console.log(`fused GraphModel: ONNX in onnxruntime-node vs tfjs ${onnxDiff.toExponential(2)}; compressed back to tfjs vs the original ${tfjsDiff.toExponential(2)}`);
    expect(onnxDiff).toBeLessThanOrEqual(1e-4);
    expect(tfjsDiff).toBeLessThanOrEqual(1e-4);
  });
});

describe('bad tfjs input: one clear line, nothing written', () => {
  /** A copy of the saved layers model, to break. */
  function copy(name: string): string {
    const dir = file(name);
    mkdirSync(dir);
    for (const f of ['model.json', 'model.weights.bin']) copyFileSync(file('layers', f), path.join(dir, f));
    return path.join(dir, 'model.json');
  }
  const outputs = (stem: string) => [file(`${stem}.json`), file(`${stem}.bin`), file(`${stem}.onnx`)];

  it('a missing shard', async () => {
    const json = copy('no-shard');
    rmSync(path.join(path.dirname(json), 'model.weights.bin'));
    await refused(['compress', json, '-o', file('no-shard-out.json')], /weight shard .*no-shard\/model\.weights\.bin does not exist/, outputs('no-shard-out'));
  });

  it('a truncated shard', async () => {
    const json = copy('short-shard');
    const shard = path.join(path.dirname(json), 'model.weights.bin');
    writeFileSync(shard, readFileSync(shard).subarray(0, 1000));
    await refused(['convert', json, '-o', file('short-out.onnx')], /model\.json: The weight shards hold 1000 bytes; weight ".*" needs bytes/, outputs('short-out'));
  });

  it('a hostile model.json: a shard path out of its folder, not JSON, not a tfjs model', async () => {
    const escape = copy('escape');
    const json = JSON.parse(readFileSync(escape, 'utf8'));
    json.weightsManifest[0].paths = ['../../../../etc/passwd'];
    writeFileSync(escape, JSON.stringify(json));
    await refused(['compress', escape, '-o', file('escape-out.json')], /leaves|outside|escape/i, outputs('escape-out'));
    const junk = file('junk.json');
    writeFileSync(junk, '{"modelTopology": ');
    await refused(['convert', junk, '-o', file('junk-out.onnx')], /junk\.json: model\.json is not JSON/, outputs('junk-out'));
    const notTfjs = file('package.json');
    writeFileSync(notTfjs, '{"name": "not-a-model"}');
    await refused(['inspect', notTfjs], /package\.json: model\.json has no modelTopology: it is not a tfjs model/, []);
  });

  it('never writes over the input model: a shard name taken by the input, an export into the input folder', async () => {
    const json = copy('own');
    const before = readFileSync(path.join(path.dirname(json), 'model.weights.bin'));
    // -o own/model.weights.json would write its shard over own/model.weights.bin, the input's.
    await refused(['compress', json, '-o', file('own', 'model.weights.json')], /would replace a weight file of the input model/, [file('own', 'model.weights.json')]);
    await refused(['export', json, '--to', 'tfjs', '-o', file('own')], /would replace .*the input model/, [file('own', 'group1-shard1of1.bin')]);
    expect(readFileSync(path.join(path.dirname(json), 'model.weights.bin')).equals(before)).toBe(true);
  });

  it('bad flags: an unknown weight encoding, tfjs flags for other formats', async () => {
    await refused(['export', layers, '--to', 'tfjs', '-o', file('bad-weights'), '--weights', 'int4'], /"weights" must be one of exact, float32, float16, uint8, uint16; got "int4"/, [file('bad-weights')]);
    await refused(['export', layers, '--to', 'tflite', '-o', file('bad.tflite'), '--weights', 'uint8'], /--weights is a tfjs option/, [file('bad.tflite')]);
    await refused(['export', layers, '--to', 'tfjs', '-o', file('both'), '--weights', 'uint8', '--fp16'], /choose one/, [file('both')]);
    await refused(['compress', layers, '-o', file('ext.json'), '--external-data'], /--external-data is for ONNX outputs/, outputs('ext'));
  });
});
