/**
 * float16: convert-float16 on a small model built to hit each of its rules
 * (blocked ops, exact shape arithmetic, Constant nodes, graph boundaries), and
 * the fp16 preset, weights only and with float16 activations, on the reference
 * CNN (tools/fixtures/fashion-cnn.onnx) over the 10,000 Fashion-MNIST test images.
 * onnxruntime-node and onnxruntime-web run every result.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { Graph, Tensor, attr, compareModels, compress, createModel, createRegistry, float16BitsToNumber, float32ToFloat16Bits, idxImageBatches, idxSamples, type Model, type Runtime } from '@condense/core';
import { cpuRuntime } from '@condense/adapter-cpu';
import { wasmRuntime } from '@condense/adapter-wasm';
import { decodeModel, encodeModelBytes } from '@condense/onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { FASHION, FASHION_CNN, readIdx, testAccuracy } from '../helpers/fashion.js';
import { noiseInput, runOnce } from '../helpers/models.js';
import { compareOutputs, ort } from '../helpers/ort.js';

/** Deterministic uniform noise in [-0.5, 0.5): a fresh generator per model, so every build has the same weights. */
function noiseMaker(seed = 7) {
  return (shape: number[]): Tensor => {
    const n = shape.reduce((a, b) => a * b, 1);
    return Tensor.from('float32', shape, Float32Array.from({ length: n }, () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 8) / 2 ** 24 - 0.5;
    }));
  };
}

/**
 * Conv -> Relu (also an output) -> Resize x3 -> Reshape to [1, 5·21·21] -> Add a
 * Constant node -> Sigmoid. The Reshape size is computed in float (Shape, Cast,
 * ReduceProd, Concat with a float constant): 2205 has no float16, so the model
 * breaks unless that arithmetic stays float32. Resize is on the block list.
 */
function buildModel(): Model {
  const noise = noiseMaker();
  const g = new Graph({ opset: { '': 13 } });
  const x = g.input('x', { dtype: 'float32', shape: [1, 3, 7, 7] });
  const conv = g.add('Conv', [x, g.constant('w', noise([5, 3, 3, 3])), g.constant('b', noise([5]))], { pads: attr.ints([1, 1, 1, 1]) }).output;
  const features = g.add('Relu', [conv], {}, { outputs: ['features'] }).output;
  const resized = g.add('Resize', [features, null, g.constant('scales', Tensor.from('float32', [4], [1, 1, 3, 3]))], { mode: attr.string('nearest') }).output;
  const dims = g.add('Cast', [g.add('Shape', [resized]).output], { to: attr.int(1) }).output;
  const size = g.add('ReduceProd', [dims], { keepdims: attr.int(1) }).output;
  const target = g.add('Concat', [g.constant('one', Tensor.from('float32', [1], [1])), size], { axis: attr.int(0) }).output;
  const flat = g.add('Reshape', [resized, g.add('Cast', [target], { to: attr.int(7) }).output]).output;
  const offset = g.add('Constant', [], { value: attr.tensor(Tensor.from('float32', [1], [0.25])) }, { outputs: ['offset'] }).output;
  const y = g.add('Sigmoid', [g.add('Add', [flat, offset]).output], {}, { outputs: ['y'] }).output;
  g.outputs = [y, features];
  return createModel(g);
}

const dtypeOf = (g: Graph, name: string) => g.value(name)?.type?.dtype;

async function convert(options: Record<string, unknown>) {
  const model = buildModel();
  const result = await compress(model, { passes: [{ pass: 'convert-float16', options }] }, { registry: createRegistry() });
  expect(model.graph.validate()).toEqual([]);
  return { model, facts: result.passes[0]!.facts };
}

describe('convert-float16 on a model built for it', () => {
  const feeds = { x: noiseInput([1, 3, 7, 7]) };
  let reference: Record<string, ort.Tensor>;
  beforeAll(async () => {
    reference = await runOnce(encodeModelBytes(buildModel()), feeds);
  });

  it('weights only: Conv weights and the Constant node become float16 behind Casts; Resize scales and shape arithmetic stay float32', async () => {
    const { model, facts } = await convert({});
    const g = model.graph;
    expect(facts).toMatchObject({ weights: 3, casts: 3 });
    for (const name of ['w', 'b', 'offset']) {
      expect(g.value(name)!.producer()?.op, name).toBe('Cast');
      expect(dtypeOf(g, `${name}_float16`), name).toBe('float16');
    }
    expect(g.value('scales')!.const!.dtype).toBe('float32');
    expect(g.value('one')!.const!.dtype).toBe('float32');
    expect([...g].filter((n) => n.op === 'Constant')).toHaveLength(0);
    // Outputs in [0, 1] (Sigmoid) and ReLU features of size ~1: rounding weights to 11 bits moves them by about 1e-3.
    const cmp = compareOutputs(await runOnce(encodeModelBytes(model), feeds), reference, 0, 2e-3);
    console.log(`built model, weights only: max abs difference ${cmp.maxAbs.toExponential(2)}`);
    expect(cmp.ok, `max abs difference ${cmp.maxAbs}`).toBe(true);
  });

  it('activations: float16 compute between Casts at the inputs, outputs and around Resize', async () => {
    const { model, facts } = await convert({ activations: true });
    const g = model.graph;
    // x -> float16, Relu -> float32 (for Resize and the "features" output), Resize -> float16, Sigmoid -> float32.
    expect(facts).toMatchObject({ weights: 3, casts: 4 });
    const opType = (op: string) => [...g].filter((n) => n.op === op).map((n) => n.output.type?.dtype);
    expect(opType('Conv')).toEqual(['float16']);
    expect(opType('Sigmoid')).toEqual(['float16']);
    expect(opType('Resize')).toEqual(['float32']);
    expect(opType('ReduceProd')).toEqual(['float32']);
    expect(dtypeOf(g, 'w')).toBe('float16');
    expect(g.value('w')!.const).toBeDefined();
    expect(g.value('scales')!.const!.dtype).toBe('float32');
    expect(g.value('one')!.const!.dtype).toBe('float32');
    expect(g.inputs.map((v) => v.type?.dtype)).toEqual(['float32']);
    expect(g.outputs.map((v) => [v.name, v.type?.dtype, v.producer()?.op])).toEqual([
      ['y', 'float32', 'Cast'],
      ['features', 'float32', 'Cast'],
    ]);
    const cmp = compareOutputs(await runOnce(encodeModelBytes(model), feeds), reference, 0, 5e-3);
    console.log(`built model, float16 activations: max abs difference ${cmp.maxAbs.toExponential(2)}`);
    expect(cmp.ok, `max abs difference ${cmp.maxAbs}`).toBe(true);
  });

  it('activations without keepIo: float16 inputs and outputs', async () => {
    const { model } = await convert({ activations: true, keepIo: false });
    const g = model.graph;
    expect([...g.inputs, ...g.outputs].map((v) => v.type?.dtype)).toEqual(['float16', 'float16', 'float16']);
    const x = feeds.x.data as Float32Array;
    const out = await runOnce(encodeModelBytes(model), { x: new ort.Tensor('float16', Uint16Array.from(x, float32ToFloat16Bits), feeds.x.dims) });
    const widened = Object.fromEntries(Object.entries(out).map(([k, t]) => [k, new ort.Tensor('float32', Float32Array.from(t.data as Uint16Array, float16BitsToNumber), t.dims)]));
    const cmp = compareOutputs(widened, reference, 0, 5e-3);
    expect(cmp.ok, `max abs difference ${cmp.maxAbs}`).toBe(true);
  });

  it('blockList: a blocked op keeps float32 weights and compute', async () => {
    const { model, facts } = await convert({ activations: true, blockList: ['Conv', 'Resize'] });
    expect(facts['weights']).toBe(1); // only the Constant node read by Add
    expect([...model.graph].find((n) => n.op === 'Conv')!.output.type?.dtype).toBe('float32');
    expect(dtypeOf(model.graph, 'w')).toBe('float32');
  });
});

const available = existsSync(FASHION);
if (!available) console.log(`SKIP Fashion-MNIST float16: ${FASHION} is missing (apt-get install dataset-fashion-mnist).`);

/** The largest absolute difference between two models' logits over the 10,000 test images. */
async function maxLogitDifference(runtime: Runtime, a: Model, b: Model): Promise<number> {
  const [sa, sb] = [await runtime.createSession(a.graph), await runtime.createSession(b.graph)];
  let worst = 0;
  try {
    for (const image of idxImageBatches(readIdx('t10k-images-idx3-ubyte.gz'), 500)) {
      const [x, y] = [Object.values(await sa.run({ image }))[0]!.data<'float32'>(), Object.values(await sb.run({ image }))[0]!.data<'float32'>()];
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
    }
  } finally {
    await sa.release();
    await sb.release();
  }
  return worst;
}

describe.skipIf(!available)('the fp16 preset on the Fashion-MNIST CNN', () => {
  const runtime = cpuRuntime();
  const load = (): Model => decodeModel(readFileSync(FASHION_CNN));
  let baseline = 0;
  beforeAll(async () => {
    baseline = await testAccuracy(load(), runtime);
  });

  // name, pass options, largest logit difference allowed (logits span about ±20). onnxruntime's CPU and
  // WASM providers run float16 regions in float32, so both measure about 7.5e-3 here; the wider bound
  // for activations leaves room for a runtime that really computes in float16.
  const variants: Array<[string, Record<string, unknown>, number]> = [
    ['weights only', {}, 0.05],
    ['float16 activations', { activations: true }, 0.1],
  ];
  for (const [name, options, maxDiff] of variants) {
    it(`${name}: at least 1.9x smaller, top-1 within 0.2 points, logits within ${maxDiff}, runs in onnxruntime-web`, async () => {
      const model = load();
      const result = await compress(model, { preset: 'fp16', options: { 'convert-float16': options } }, { registry: createRegistry() });
      const facts = result.passes.find((p) => p.pass === 'convert-float16')!.facts;
      expect(facts['clamped']).toBe(0);
      const ratio = statSync(FASHION_CNN).size / encodeModelBytes(model).byteLength;
      const accuracy = await testAccuracy(model, runtime);
      const diff = await maxLogitDifference(runtime, load(), model);
      // The float model in onnxruntime-node against the float16 one in onnxruntime-web.
      const web = await compareModels(runtime, load().graph, model.graph, idxSamples(readIdx('t10k-images-idx3-ubyte.gz'), 'image', 100), { maxSamples: 500, candidateRuntime: wasmRuntime() });
      console.log(
        `fp16 ${name}: ${facts['weights']} weights, ${ratio.toFixed(3)}x smaller, ${accuracy.toFixed(2)}% top-1 (float ${baseline.toFixed(2)}%), ` +
          `max logit difference ${diff.toExponential(2)}; onnxruntime-web: top-1 agreement ${(100 * web.top1Agreement).toFixed(1)}%, SQNR ${web.sqnrDb.toFixed(1)} dB`,
      );
      expect(ratio).toBeGreaterThanOrEqual(1.9);
      expect(Math.abs(accuracy - baseline)).toBeLessThanOrEqual(0.2);
      expect(diff).toBeLessThanOrEqual(maxDiff);
      expect(web.samples).toBe(500);
      expect(web.top1Agreement).toBeGreaterThanOrEqual(0.99);
      expect(web.minCosine).toBeGreaterThan(0.999);
    }, 120_000);
  }
});
