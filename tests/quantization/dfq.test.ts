/**
 * Data-free quantization tools: cross-layer equalization keeps the float
 * function and rescues per-tensor weight quantization when BatchNorm folding
 * left a depthwise conv with wildly different channel ranges; bias correction
 * removes the mean shift that rounded weights put on the outputs. Every claim
 * is measured by running the models in onnxruntime-node.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cpuRuntime } from '@condense/adapter-cpu';
import { Graph, Tensor, attr, compress, createModel, createRegistry, type Model, type RecipeStep, type SampleSource, type Value } from '@condense/core';
import { decodeModel, encodeModelBytes } from '@condense/onnx';
import { describe, expect, it } from 'vitest';
import { PADDLE_ASSETS, PADDLE_MODELS, noiseInput, runOnce } from '../helpers/models.js';
import { compareOutputs, ort } from '../helpers/ort.js';

/** Uniform values in [lo, hi), deterministic per seed. */
function uniform(shape: number[], seed: number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from(noiseInput(shape, seed).data as Float32Array, (v) => lo + (hi - lo) * v);
}

const constant = (g: Graph, name: string, shape: number[], values: Float32Array) => g.constant(name, Tensor.from('float32', shape, values));

/** Per-channel factors spanning 1e-2..1e2 (log-spaced): the spread BatchNorm folding leaves in real depthwise layers. */
const spread = (channels: number) => Float32Array.from({ length: channels }, (_, c) => 10 ** (-2 + (4 * c) / (channels - 1)));

/**
 * A MobileNet block: Conv-BN-Relu, depthwise Conv-BN-Relu, pointwise
 * Conv-BN-Relu, pooled into two Gemms. The depthwise BatchNorm's gamma (and beta)
 * spans 1e-2..1e2 across channels and the pointwise conv divides each input
 * channel by the same factor, so the float function stays well scaled while
 * the folded depthwise weights do not.
 */
function mobileNetBlock(): Model {
  const g = new Graph({ opset: { '': 13 } });
  const x = g.input('x', { dtype: 'float32', shape: ['N', 3, 16, 16] });
  const c1 = 16;
  const c2 = 32;
  const bn = (y: Value, c: number, name: string, gamma: Float32Array, seed: number) =>
    g.add('BatchNormalization', [
      y,
      constant(g, `${name}.gamma`, [c], gamma),
      constant(g, `${name}.beta`, [c], Float32Array.from(uniform([c], seed, -0.2, 0.4), (b, i) => b * gamma[i]!)),
      constant(g, `${name}.mean`, [c], uniform([c], seed + 1, -0.1, 0.1)),
      constant(g, `${name}.var`, [c], uniform([c], seed + 2, 0.5, 1.5)),
    ], {}, { name }).output;
  const relu = (y: Value) => g.add('Relu', [y]).output;
  const pad = { pads: attr.ints([1, 1, 1, 1]) };
  let y = g.add('Conv', [x, constant(g, 'conv1.w', [c1, 3, 3, 3], uniform([c1, 3, 3, 3], 11, -0.5, 0.5))], pad, { name: 'conv1' }).output;
  y = relu(bn(y, c1, 'bn1', uniform([c1], 12, 0.8, 1.2), 13));
  y = g.add('Conv', [y, constant(g, 'dw.w', [c1, 1, 3, 3], uniform([c1, 1, 3, 3], 21, -0.5, 0.5))], { ...pad, group: attr.int(c1) }, { name: 'dw' }).output;
  const s = spread(c1);
  y = relu(bn(y, c1, 'bn2', s, 22));
  const pw = uniform([c2, c1, 1, 1], 31, -0.5, 0.5).map((w, i) => w / s[i % c1]!);
  y = g.add('Conv', [y, constant(g, 'pw.w', [c2, c1, 1, 1], pw)], {}, { name: 'pw' }).output;
  y = relu(bn(y, c2, 'bn3', uniform([c2], 32, 0.8, 1.2), 33));
  y = g.add('Flatten', [g.add('GlobalAveragePool', [y]).output]).output;
  // Two Gemms, one per weight layout, through a LeakyRelu (positively homogeneous, so also a pair).
  y = g.add('Gemm', [y, constant(g, 'fc1.w', [24, c2], uniform([24, c2], 41)), constant(g, 'fc1.b', [24], uniform([24], 42))], { transB: attr.int(1) }, { name: 'fc1' }).output;
  y = g.add('LeakyRelu', [y], { alpha: attr.float(0.1) }).output;
  g.outputs = [g.add('Gemm', [y, constant(g, 'fc2.w', [24, 10], uniform([24, 10], 43)), constant(g, 'fc2.b', [10], uniform([10], 44))], {}, { name: 'fc2' }).output];
  return createModel(g);
}

/**
 * Inputs with a large positive mean into a conv stack and a Gemm: the sum of
 * each output channel's weight rounding errors, times that mean, is a
 * systematic shift of the channel, which is what bias correction removes.
 */
function shiftedModel(): Model {
  const g = new Graph({ opset: { '': 13 } });
  const x = g.input('x', { dtype: 'float32', shape: ['N', 8, 12, 12] });
  const pad = { pads: attr.ints([1, 1, 1, 1]) };
  let y = g.add('Conv', [x, constant(g, 'c1.w', [16, 8, 3, 3], uniform([16, 8, 3, 3], 51, -0.3, 0.3)), constant(g, 'c1.b', [16], uniform([16], 52))], pad, { name: 'c1' }).output;
  y = g.add('Relu', [y]).output;
  y = g.add('Conv', [y, constant(g, 'dw.w', [16, 1, 3, 3], uniform([16, 1, 3, 3], 53, -0.5, 0.8))], { ...pad, group: attr.int(16) }, { name: 'dw' }).output;
  y = g.add('Relu', [y]).output;
  y = g.add('Conv', [y, constant(g, 'pw.w', [16, 16, 1, 1], uniform([16, 16, 1, 1], 54, -0.4, 0.4)), constant(g, 'pw.b', [16], uniform([16], 55))], {}, { name: 'pw' }).output;
  y = g.add('Flatten', [g.add('GlobalAveragePool', [y]).output]).output;
  // B as [K, N] with alpha and beta, so the correction must go through both.
  g.outputs = [g.add('Gemm', [y, constant(g, 'fc.w', [16, 10], uniform([16, 10], 56)), constant(g, 'fc.b', [10], uniform([10], 57))], { alpha: attr.float(0.5), beta: attr.float(2) }, { name: 'fc' }).output];
  return createModel(g);
}

function batches(shape: number[], seeds: number[], lo: number, hi: number): SampleSource {
  return (async function* () {
    for (const seed of seeds) yield { x: Tensor.from('float32', shape, uniform(shape, seed, lo, hi)) };
  })();
}

const outputOf = async (model: Model | Uint8Array, input: Float32Array, shape: number[]) => {
  const out = await runOnce(model instanceof Uint8Array ? model : encodeModelBytes(model), { x: new ort.Tensor('float32', input, shape) });
  return Object.values(out)[0]!;
};

/** 10·log10(signal power / error power) of `actual` against `reference`. */
function sqnrDb(actual: ort.Tensor, reference: ort.Tensor): number {
  const a = actual.data as Float32Array;
  const r = reference.data as Float32Array;
  let signal = 0;
  let noise = 0;
  r.forEach((v, i) => {
    signal += v * v;
    noise += (a[i]! - v) ** 2;
  });
  return 10 * Math.log10(signal / noise);
}

/** Mean over output units of |mean over the batch of (actual - reference)|: the systematic part of the error. */
function meanShiftError(actual: ort.Tensor, reference: ort.Tensor): number {
  const [rows, cols] = reference.dims as [number, number];
  const a = actual.data as Float32Array;
  const r = reference.data as Float32Array;
  let total = 0;
  for (let c = 0; c < cols; c++) {
    let d = 0;
    for (let n = 0; n < rows; n++) d += a[n * cols + c]! - r[n * cols + c]!;
    total += Math.abs(d / rows);
  }
  return total / cols;
}

const registry = createRegistry();
const perTensorInt8 = { pass: 'quantize-weights', options: { perChannel: false, minElements: 1 } };

describe('equalize-cross-layer', () => {
  const shape = [32, 3, 16, 16];
  const input = uniform(shape, 99, 0, 1);

  it('keeps the float outputs of a MobileNet block (after BatchNorm folding) within 1e-4 relative', async () => {
    const model = mobileNetBlock();
    const reference = await outputOf(model, input, shape);
    const result = await compress(model, { preset: 'cleanup', passes: ['equalize-cross-layer'] }, { registry });
    const facts = result.passes.at(-1)!.facts;
    console.log(`equalize-cross-layer on the MobileNet block: ${JSON.stringify(facts)}`);
    // conv1 -> dw -> pw and fc1 -> fc2 (pw -> fc1 goes through pooling, which is not a pair).
    expect(facts['pairs']).toBe(3);
    expect(facts['converged']).toBe(true);
    expect([...model.graph].filter((n) => n.op === 'BatchNormalization')).toHaveLength(0);
    const cmp = compareOutputs({ y: await outputOf(model, input, shape) }, { y: reference }, 1e-4, 1e-6);
    console.log(`float outputs after equalization: max abs difference ${cmp.maxAbs.toExponential(2)}, max relative ${cmp.maxRel.toExponential(2)}`);
    expect(cmp.ok).toBe(true);
    // The depthwise weights' channel ranges, 1e4 apart before, are now within a small factor.
    const dw = constantOfNode(model, 'dw');
    const ranges = channelRanges(dw);
    expect(Math.max(...ranges) / Math.min(...ranges)).toBeLessThan(20);
  });

  it('makes per-tensor int8 weight quantization at least 10 dB more accurate on that block', async () => {
    const reference = await outputOf(mobileNetBlock(), input, shape);
    const quantized = async (steps: RecipeStep[]) => {
      const model = mobileNetBlock();
      await compress(model, { preset: 'cleanup', passes: steps }, { registry });
      return sqnrDb(await outputOf(model, input, shape), reference);
    };
    const without = await quantized([perTensorInt8]);
    const withCle = await quantized(['equalize-cross-layer', perTensorInt8]);
    console.log(`per-tensor int8 weights: output SQNR ${without.toFixed(1)} dB without equalization, ${withCle.toFixed(1)} dB with`);
    expect(withCle - without).toBeGreaterThanOrEqual(10);
  });

  it('leaves shared weights, Clip (ReLU6) and layers that feed several readers alone', async () => {
    const g = new Graph({ opset: { '': 13 } });
    const x = g.input('x', { dtype: 'float32', shape: [1, 4, 6, 6] });
    const w = constant(g, 'shared.w', [4, 4, 1, 1], uniform([4, 4, 1, 1], 61));
    const a = g.add('Conv', [x, w]).output;
    const clipped = g.add('Clip', [a, constant(g, 'lo', [], new Float32Array([0])), constant(g, 'hi', [], new Float32Array([6]))]).output;
    const b = g.add('Conv', [clipped, w]).output;
    const c = g.add('Conv', [b, constant(g, 'c.w', [4, 4, 1, 1], uniform([4, 4, 1, 1], 62))]).output;
    const d = g.add('Conv', [c, constant(g, 'd.w', [4, 4, 1, 1], uniform([4, 4, 1, 1], 63))]).output;
    g.outputs = [d, g.add('Relu', [c]).output];
    const result = await compress(createModel(g), { passes: ['equalize-cross-layer'] }, { registry });
    expect(result.passes[0]!.changed).toBe(false);
    expect(result.passes[0]!.facts['pairs']).toBe(0);
  });

  it('skips a dead (all-zero) channel instead of dividing by its zero range', async () => {
    const g = new Graph({ opset: { '': 13 } });
    const x = g.input('x', { dtype: 'float32', shape: [2, 4, 6, 6] });
    const w1 = uniform([4, 4, 3, 3], 71, -2, 2).fill(0, 0, 36);
    let y = g.add('Conv', [x, constant(g, 'a.w', [4, 4, 3, 3], w1), constant(g, 'a.b', [4], new Float32Array([0, 0.1, 0.2, 0.3]))]).output;
    y = g.add('Relu', [y]).output;
    g.outputs = [g.add('Conv', [y, constant(g, 'b.w', [3, 4, 1, 1], uniform([3, 4, 1, 1], 72, -0.1, 0.1))]).output];
    const model = createModel(g);
    const feeds = { x: noiseInput([2, 4, 6, 6]) };
    const before = await runOnce(encodeModelBytes(model), feeds);
    const result = await compress(model, { passes: ['equalize-cross-layer'] }, { registry });
    expect(result.passes[0]!.facts['pairs']).toBe(1);
    const cmp = compareOutputs(await runOnce(encodeModelBytes(model), feeds), before, 1e-5, 1e-7);
    expect(cmp.ok, `max abs difference ${cmp.maxAbs}`).toBe(true);
    // The dead channel kept its zeros (no NaN from 0/0); the live ones were balanced.
    expect(Array.from(constantOfNode(model, model.graph.firstNode!.name).data<'float32'>().subarray(0, 36))).toEqual(new Array(36).fill(0));
  });

  it('keeps PaddleOCR cls (MobileNetV3, opset 9) within tolerance after cleanup and equalization', async () => {
    const m = PADDLE_MODELS.find((p) => p.file.includes('cls'))!;
    const original = readFileSync(path.join(PADDLE_ASSETS, m.file));
    const model = decodeModel(original);
    const result = await compress(model, { preset: 'cleanup', passes: ['equalize-cross-layer'] }, { registry, inputShapes: { x: m.shape } });
    const facts = result.passes.at(-1)!.facts;
    const feeds = { x: noiseInput(m.shape) };
    const cmp = compareOutputs(await runOnce(encodeModelBytes(model), feeds), await runOnce(original, feeds), 1e-4, 1e-5);
    console.log(`PaddleOCR cls: ${JSON.stringify(facts)}; max abs difference ${cmp.maxAbs.toExponential(2)}, max relative ${cmp.maxRel.toExponential(2)}`);
    expect(facts['pairs']).toBeGreaterThan(0);
    expect(cmp.ok).toBe(true);
  }, 60_000);

  it('on PaddleOCR cls, per-tensor int8 weights are no worse after equalization (most of its depthwise layers sit before hard-swish, which no pair crosses)', async () => {
    const m = PADDLE_MODELS.find((p) => p.file.includes('cls'))!;
    const original = readFileSync(path.join(PADDLE_ASSETS, m.file));
    const inputs = Array.from({ length: 16 }, (_, i) => noiseInput(m.shape, 1000 + i));
    // Logits (the Softmax's input): two probabilities saturate and hide the error.
    const logits = async (steps: RecipeStep[]) => {
      const model = decodeModel(original);
      await compress(model, { preset: 'cleanup', passes: [{ pass: 'upgrade-opset', options: { opset: 13 } }, ...steps] }, { registry, inputShapes: { x: m.shape } });
      model.graph.outputs = [[...model.graph].find((n) => n.op === 'Softmax')!.inputs[0]!];
      const bytes = encodeModelBytes(model);
      const all: number[] = [];
      for (const x of inputs) all.push(...(Object.values(await runOnce(bytes, { x }))[0]!.data as Float32Array));
      return new ort.Tensor('float32', Float32Array.from(all), [all.length]);
    };
    const reference = await logits([]);
    const without = sqnrDb(await logits([perTensorInt8]), reference);
    const withCle = sqnrDb(await logits(['equalize-cross-layer', perTensorInt8]), reference);
    console.log(`PaddleOCR cls, per-tensor int8 weights: logits SQNR ${without.toFixed(1)} dB without equalization, ${withCle.toFixed(1)} dB with`);
    expect(withCle).toBeGreaterThan(without - 0.5);
  }, 60_000);
});

describe('correct-bias', () => {
  const shape = [16, 8, 12, 12];
  // Inputs with mean 1: what a layer after a ReLU typically sees.
  const calibration = () => batches(shape, [201, 202, 203, 204], 0.5, 1.5);
  const heldOut = uniform([64, 8, 12, 12], 301, 0.5, 1.5);
  const evalShape = [64, 8, 12, 12];
  const int4 = { bits: 4, perChannel: false, minElements: 1 };

  it('removes most of the mean output shift that 4-bit per-tensor weights cause', async () => {
    const reference = await outputOf(shiftedModel(), heldOut, evalShape);
    const plain = shiftedModel();
    await compress(plain, { passes: [{ pass: 'quantize-weights', options: int4 }] }, { registry });
    const corrected = shiftedModel();
    const result = await compress(corrected, { passes: [{ pass: 'correct-bias', options: int4 }] }, { registry, runtime: cpuRuntime(), samples: calibration() });
    const facts = result.passes[0]!.facts;
    expect(facts['quantized']).toBe(4);
    expect(facts['biasesCorrected']).toBe(4);
    // The same weights were stored either way: only the biases differ.
    expect(quantizedWeights(corrected)).toEqual(quantizedWeights(plain));
    const before = meanShiftError(await outputOf(plain, heldOut, evalShape), reference);
    const after = meanShiftError(await outputOf(corrected, heldOut, evalShape), reference);
    const sqnrBefore = sqnrDb(await outputOf(plain, heldOut, evalShape), reference);
    const sqnrAfter = sqnrDb(await outputOf(corrected, heldOut, evalShape), reference);
    console.log(`bias correction (4-bit per-tensor weights): mean output shift ${before.toExponential(3)} -> ${after.toExponential(3)}, SQNR ${sqnrBefore.toFixed(1)} -> ${sqnrAfter.toFixed(1)} dB; ${JSON.stringify(facts)}`);
    expect(after).toBeLessThan(before / 3);
    expect(sqnrAfter).toBeGreaterThan(sqnrBefore);
  }, 60_000);

  it('needs a runtime and samples, and checks its options like quantize-weights', async () => {
    await expect(compress(shiftedModel(), { passes: ['correct-bias'] }, { registry })).rejects.toThrow(/needs a runtime/);
    await expect(compress(shiftedModel(), { passes: [{ pass: 'correct-bias', options: { bitz: 4 } }] }, { registry, runtime: cpuRuntime(), samples: calibration() })).rejects.toThrow(/no option "bitz"/);
  });
});

/** The weights of the node named `name`, as the model now holds them. */
function constantOfNode(model: Model, name: string): Tensor {
  const node = [...model.graph].find((n) => n.name === name)!;
  return node.inputs[1]!.const!;
}

/** max |w| of each output channel (axis 0). */
function channelRanges(w: Tensor): number[] {
  const data = w.data<'float32'>();
  const per = data.length / w.shape[0]!;
  return Array.from({ length: w.shape[0]! }, (_, c) => Math.max(...Array.from(data.subarray(c * per, (c + 1) * per), Math.abs)));
}

/** Every stored integer tensor and weight scale, by name: what weight quantization wrote. */
function quantizedWeights(model: Model): Record<string, string> {
  const stored = model.graph.constants().filter((v) => v.const!.dtype !== 'float32' || v.name.endsWith('_scale'));
  return Object.fromEntries(stored.map((v) => [v.name, Buffer.from(v.const!.bytes()).toString('hex')]));
}
