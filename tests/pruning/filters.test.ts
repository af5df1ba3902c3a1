/**
 * Structured filter pruning (prune-filters). Built models with planted
 * zero-importance channels (filters and bias exactly zero, or BatchNorm
 * gamma and beta zero) prove the channel-dependency analysis: residual Add,
 * depthwise Conv, Concat, per-channel Mul and Flatten into Gemm all lose the
 * same channels, and onnxruntime gives the same outputs before and after,
 * with or without the least-squares refit. The reference CNN
 * (tools/fixtures/fashion-cnn.onnx) measures MACs removed against accuracy
 * on the 10,000 Fashion-MNIST test images.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpuRuntime } from '@condense/adapter-cpu';
import { CondenseError, Graph, Tensor, attr, compress, createModel, createRegistry, getInt, inferShapes, type Diagnostic, type Model, type PrunedGroup, type SampleSource, type Value } from '@condense/core';
import { decodeModel, encodeModelBytes } from '@condense/onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { FASHION, FASHION_CNN, calibration, fashionInWasm, testAccuracy } from '../helpers/fashion.js';
import { noiseInput, runOnce } from '../helpers/models.js';
import { compareOutputs, ort } from '../helpers/ort.js';

const INPUT = [4, 3, 8, 8];
/** Planted channels: zero filters and bias in every producer of a group, so they contribute nothing anywhere. */
const DEAD = [1, 2, 4, 7, 9, 10, 12, 15];

const uniform = (shape: number[], seed: number, lo = -1, hi = 1) => Float32Array.from(noiseInput(shape, seed).data as Float32Array, (v) => lo + (hi - lo) * v);

/** A tensor of `shape` whose slices `dead` along axis 0 are zero. */
function planted(shape: number[], seed: number, dead: readonly number[] = DEAD): Float32Array {
  const data = uniform(shape, seed, -0.5, 0.5);
  const per = data.length / shape[0]!;
  for (const c of dead) data.fill(0, c * per, (c + 1) * per);
  return data;
}

function builder(opset = 13) {
  const g = new Graph({ opset: { '': opset } });
  const x = g.input('x', { dtype: 'float32', shape: ['N', ...INPUT.slice(1)] });
  const c = (name: string, shape: number[], values: Float32Array) => g.constant(name, Tensor.from('float32', shape, values));
  const conv = (name: string, input: Value, weight: Float32Array, shape: number[], bias: Float32Array, attrs: Record<string, ReturnType<typeof attr.int>> = {}) =>
    g.add('Conv', [input, c(`${name}.w`, shape, weight), c(`${name}.b`, [shape[0]!], bias)], { pads: attr.ints(shape[2] === 3 ? [1, 1, 1, 1] : [0, 0, 0, 0]), ...attrs }, { name }).output;
  return { g, x, c, conv };
}

/**
 * x → stem (16) → Relu → [depthwise → Relu → 1×1 Conv] + residual Add → Relu
 *   → { Conv a (16) → Relu, Conv b (16) → HardSwish → AveragePool → Resize ×2 } → Concat
 *   → Mul (per-channel) → MaxPool → Flatten → Gemm (10).
 * Channels DEAD are zero in the stem, the depthwise's bias, the 1×1 Conv, a and b.
 */
function branchyModel(): Model {
  const { g, x, c, conv } = builder(14);
  const stem = g.add('Relu', [conv('stem', x, planted([16, 3, 3, 3], 1), [16, 3, 3, 3], planted([16], 2))]).output;
  const dw = g.add('Relu', [conv('dw', stem, uniform([16, 1, 3, 3], 3), [16, 1, 3, 3], planted([16], 4), { group: attr.int(16) })]).output;
  const pw = conv('pw', dw, planted([16, 16, 1, 1], 5), [16, 16, 1, 1], planted([16], 6));
  const res = g.add('Relu', [g.add('Add', [stem, pw], {}, { name: 'residual' }).output]).output;
  const a = g.add('Relu', [conv('a', res, planted([16, 16, 3, 3], 7), [16, 16, 3, 3], planted([16], 8))]).output;
  const b0 = g.add('HardSwish', [conv('b', res, planted([16, 16, 1, 1], 9), [16, 16, 1, 1], planted([16], 10))]).output;
  const half = g.add('AveragePool', [b0], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }).output;
  const b = g.add('Resize', [half, null, c('scales', [4], Float32Array.from([1, 1, 2, 2]))], { mode: attr.string('nearest') }).output;
  const cat = g.add('Concat', [a, b], { axis: attr.int(1) }, { name: 'cat' }).output;
  const scaled = g.add('Mul', [cat, c('scale', [1, 32, 1, 1], uniform([32], 11, 0.5, 1.5))]).output;
  const pooled = g.add('MaxPool', [scaled], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }).output;
  const flat = g.add('Flatten', [pooled], {}, { name: 'flatten' }).output;
  g.outputs = [g.add('Gemm', [flat, c('fc.w', [10, 512], uniform([10, 512], 12, -0.2, 0.2)), c('fc.b', [10], uniform([10], 13))], { transB: attr.int(1) }, { name: 'fc' }).output];
  return createModel(g);
}

/** x → Conv (16) → BatchNormalization → Relu → Conv (8) → Relu → GlobalAveragePool → Flatten → Gemm: channels DEAD have gamma = beta = 0. */
function batchNormModel(): Model {
  const { g, x, c, conv } = builder();
  const bn = (name: string, values: number[] | Float32Array) => c(`bn.${name}`, [16], Float32Array.from(values));
  const gamma = uniform([16], 21, 0.5, 1.5);
  const beta = uniform([16], 22, -0.2, 0.2);
  for (const d of DEAD) gamma[d] = beta[d] = 0;
  const y = g.add('BatchNormalization', [conv('c1', x, uniform([16, 3, 3, 3], 23), [16, 3, 3, 3], uniform([16], 24)), bn('gamma', gamma), bn('beta', beta), bn('mean', uniform([16], 25)), bn('var', uniform([16], 26, 0.5, 1))], {}, { name: 'bn' }).output;
  const z = g.add('Relu', [conv('c2', g.add('Relu', [y]).output, uniform([8, 16, 3, 3], 27, -0.3, 0.3), [8, 16, 3, 3], uniform([8], 28))]).output;
  const flat = g.add('Flatten', [g.add('GlobalAveragePool', [z]).output]).output;
  g.outputs = [g.add('Gemm', [flat, c('fc.w', [8, 5], uniform([8, 5], 29))], {}, { name: 'fc' }).output];
  return createModel(g);
}

interface Facts {
  groups: PrunedGroup[];
  macsBefore: number;
  macsAfter: number;
  paramsBefore: number;
  paramsAfter: number;
  refitted: string[];
  [fact: string]: unknown;
}

const samplesOf = (seeds: number[]): SampleSource =>
  (async function* () {
    for (const seed of seeds) yield { x: Tensor.from('float32', INPUT, uniform(INPUT, seed, 0, 1)) };
  })();

async function prune(model: Model, options: Record<string, unknown>, withData = false) {
  const data = withData ? { runtime: cpuRuntime(), samples: samplesOf([31, 32, 33, 34]) } : {};
  const result = await compress(model, { passes: [{ pass: 'prune-filters', options }] }, { registry: createRegistry(), ...data });
  const record = result.passes[0]!;
  return { facts: record.facts as Facts, changed: record.changed, diagnostics: record.diagnostics };
}

const run = (model: Model, seed = 99) => runOnce(encodeModelBytes(model), { x: new ort.Tensor('float32', uniform(INPUT, seed, 0, 1), INPUT) });
const nodeNamed = (model: Model, name: string) => [...model.graph].find((n) => n.name === name)!;
const shapeOf = (model: Model, name: string) => nodeNamed(model, name).inputs[1]!.const!.shape;

describe('prune-filters on built models with planted dead channels', () => {
  it.each([
    ['sliced (no samples)', false],
    ['refitted by least squares', true],
  ])('residual Add, depthwise, Concat, per-channel Mul and Flatten→Gemm lose the dead channels, %s: same outputs within 1e-4', async (_, withData) => {
    const reference = await run(branchyModel());
    const model = branchyModel();
    const { facts, changed } = await prune(model, { ratio: 0.5 }, withData as boolean);
    console.log(`branchy model, ${withData ? 'refitted' : 'sliced'}: ${JSON.stringify(facts)}`);
    expect(changed).toBe(true);
    // The stem and the 1×1 Conv are one group (the residual Add), a and b one each.
    expect(facts.groups).toEqual([
      { layers: ['stem', 'pw'], channelsBefore: 16, channelsAfter: 8 },
      { layers: ['a'], channelsBefore: 16, channelsAfter: 8 },
      { layers: ['b'], channelsBefore: 16, channelsAfter: 8 },
    ]);
    expect(shapeOf(model, 'stem')).toEqual([8, 3, 3, 3]);
    expect(shapeOf(model, 'dw')).toEqual([8, 1, 3, 3]);
    expect(getInt(nodeNamed(model, 'dw').attrs, 'group')).toBe(8);
    expect(shapeOf(model, 'pw')).toEqual([8, 8, 1, 1]);
    expect(shapeOf(model, 'a')).toEqual([8, 8, 3, 3]);
    expect(shapeOf(model, 'fc')).toEqual([10, 16 * 16]);
    const scale = [...model.graph].find((n) => n.op === 'Mul')!.inputs[1]!.const!;
    expect(scale.shape).toEqual([1, 16, 1, 1]);
    expect(nodeNamed(model, 'cat').output.type?.shape).toEqual(['N', 16, 8, 8]);
    expect(nodeNamed(model, 'flatten').output.type?.shape).toEqual(['N', 256]);
    // stem 16·27·64, dw 16·9·64, pw 16·16·64, a 16·144·64, b 16·16·64, fc 512·10; every channel count halves.
    const macs = (s: number) => s * 27 * 64 + s * 9 * 64 + s * s * 64 + s * s * 9 * 64 + s * s * 64 + 2 * s * 16 * 10;
    expect(facts.macsBefore).toBe(macs(16));
    expect(facts.macsAfter).toBe(macs(8));
    expect(facts.paramsAfter).toBeLessThan(facts.paramsBefore / 2);
    if (withData) expect(facts.refitted.sort()).toEqual(['a', 'b', 'fc', 'pw']);
    expect(inferShapes(model.graph).filter((d: Diagnostic) => d.severity === 'error')).toEqual([]);
    const cmp = compareOutputs(await run(model), reference, 0, 1e-4);
    console.log(`pruned vs original: max abs difference ${cmp.maxAbs.toExponential(2)}`);
    expect(cmp.ok).toBe(true);
  });

  it('bn-gamma ranks by the BatchNormalization after each Conv; the BatchNorm is sliced with it', async () => {
    const reference = await run(batchNormModel());
    const model = batchNormModel();
    const { facts } = await prune(model, { criterion: 'bn-gamma', ratio: 0.5 });
    expect(facts.groups).toEqual([{ layers: ['c1'], channelsBefore: 16, channelsAfter: 8 }]);
    const bn = [...model.graph].find((n) => n.op === 'BatchNormalization')!;
    for (const input of bn.inputs.slice(1)) expect(input!.const!.shape).toEqual([8]);
    expect(compareOutputs(await run(model), reference, 0, 1e-4).ok).toBe(true);
  });

  it('bn-gamma after BatchNorm folding: the group is skipped with a diagnostic', async () => {
    const model = batchNormModel();
    const result = await compress(model, { passes: ['fold-batch-norm', { pass: 'prune-filters', options: { criterion: 'bn-gamma' } }] }, { registry: createRegistry() });
    const record = result.passes[1]!;
    expect(record.changed).toBe(false);
    const warning = record.diagnostics.find((d) => d.message.includes('no BatchNormalization follows'));
    expect(warning?.message).toContain('Conv "c1"');
  });

  it('the activation criterion and a MACs target prune the dead channels first', async () => {
    const reference = await run(branchyModel());
    const model = branchyModel();
    const { facts } = await prune(model, { criterion: 'activation', macsTarget: 0.5 }, true);
    console.log(`activation + macsTarget 0.5: ${JSON.stringify(facts.groups)}, MACs ${facts.macsBefore} -> ${facts.macsAfter}`);
    expect(facts.macsAfter).toBeLessThanOrEqual(facts.macsBefore / 2);
    for (const g of facts.groups) expect(g.channelsAfter).toBe(8);
    expect(compareOutputs(await run(model), reference, 0, 1e-4).ok).toBe(true);
  });

  it('a Concat with a graph input: the Conv\'s channels go, the input\'s stay', async () => {
    const build = () => {
      const { g, x, conv } = builder();
      const c1 = g.add('Relu', [conv('c1', x, planted([16, 3, 3, 3], 51), [16, 3, 3, 3], planted([16], 52))]).output;
      const cat = g.add('Concat', [x, c1], { axis: attr.int(1) }).output;
      g.outputs = [conv('c2', cat, uniform([4, 19, 3, 3], 53, -0.3, 0.3), [4, 19, 3, 3], uniform([4], 54))];
      return createModel(g);
    };
    const reference = await run(build());
    const model = build();
    const { facts } = await prune(model, { ratio: 0.5 });
    expect(facts.groups).toEqual([{ layers: ['c1'], channelsBefore: 16, channelsAfter: 8 }]);
    expect(shapeOf(model, 'c2')).toEqual([4, 3 + 8, 3, 3]);
    expect(compareOutputs(await run(model), reference, 0, 1e-4).ok).toBe(true);
  });

  it('channels read by a graph output or a Reshape stay, with a warning naming the layer and why', async () => {
    const { g, x, conv } = builder();
    const c1 = conv('c1', x, planted([16, 3, 3, 3], 41), [16, 3, 3, 3], planted([16], 42));
    const c2 = conv('c2', g.add('Relu', [c1]).output, planted([16, 16, 3, 3], 43), [16, 16, 3, 3], planted([16], 44));
    const flat = g.add('Reshape', [c2, g.constant('shape', Tensor.from('int64', [2], [0n, -1n]))], {}, { name: 'reshape' }).output;
    g.outputs = [flat, c1];
    const model = createModel(g);
    const nodes = model.graph.nodeCount;
    const { changed, diagnostics } = await prune(model, { ratio: 0.5 });
    expect(changed).toBe(false);
    expect(model.graph.nodeCount).toBe(nodes);
    expect(shapeOf(model, 'c1')).toEqual([16, 3, 3, 3]);
    expect(shapeOf(model, 'c2')).toEqual([16, 16, 3, 3]);
    const messages = diagnostics.filter((d) => d.severity === 'warning').map((d) => d.message);
    console.log(messages.join('\n'));
    expect(messages).toContainEqual(expect.stringMatching(/Conv "c1" keeps all 16 channels: .*graph output/));
    expect(messages).toContainEqual(expect.stringMatching(/Conv "c2" keeps all 16 channels: Reshape "reshape" reads them/));
  });
});

describe('prune-filters options', () => {
  const fails = async (options: Record<string, unknown>, message: RegExp) => {
    const error = await prune(branchyModel(), options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CondenseError);
    expect((error as CondenseError).code).toBe('E_BAD_OPTION');
    expect((error as CondenseError).message).toMatch(message);
  };

  it('reject a ratio or target out of range, both at once, an unknown criterion, and activation without data', async () => {
    await fails({ ratio: 1.5 }, /Option "ratio" of pass "prune-filters" must be at most 0.95/);
    await fails({ ratio: -0.1 }, /must be at least 0/);
    await fails({ macsTarget: 2 }, /Option "macsTarget"/);
    await fails({ ratio: 0.3, macsTarget: 0.3 }, /ratio or macsTarget, not both/);
    await fails({ criterion: 'taylor' }, /must be one of l1, l2, bn-gamma, activation/);
    await fails({ channelMultiple: 0 }, /Option "channelMultiple"/);
    await fails({ criterion: 'activation' }, /needs|give a runtime and samples/);
  });
});

const available = existsSync(FASHION);
if (!available) console.log(`SKIP filter pruning accuracy: ${FASHION} is missing (apt-get install dataset-fashion-mnist).`);

describe.skipIf(!available)('prune-filters on the Fashion-MNIST CNN', () => {
  const runtime = cpuRuntime();
  const load = (): Model => decodeModel(readFileSync(FASHION_CNN));
  let baseline = 0;
  beforeAll(async () => {
    baseline = await testAccuracy(load(), runtime);
  });

  const pruned = async (options: Record<string, unknown>) => {
    const model = load();
    const result = await compress(model, { passes: [{ pass: 'prune-filters', options }] }, { registry: createRegistry(), runtime, samples: calibration(64) });
    const facts = result.passes[0]!.facts as Facts;
    const accuracy = await testAccuracy(model, runtime);
    const removed = 1 - facts.macsAfter / facts.macsBefore;
    console.log(
      `prune-filters ${JSON.stringify(options)}: MACs ${facts.macsBefore} -> ${facts.macsAfter} (${(100 * removed).toFixed(1)}% removed), params ${facts.paramsBefore} -> ${facts.paramsAfter}, ` +
        `${accuracy.toFixed(2)}% top-1 (baseline ${baseline.toFixed(2)}%, ${(accuracy - baseline).toFixed(2)} points); groups ${JSON.stringify(facts.groups)}`,
    );
    return { model, facts, accuracy, removed };
  };

  it('removes at least 30% of the MACs within 1 point (activation criterion, refitted), and runs the same in onnxruntime-web', async () => {
    const { model, facts, accuracy, removed } = await pruned({ criterion: 'activation', macsTarget: 0.3 });
    expect(removed).toBeGreaterThanOrEqual(0.3);
    expect(baseline - accuracy).toBeLessThanOrEqual(1);
    expect(facts.refitted.length).toBeGreaterThan(0);
    for (const g of facts.groups) expect(g.channelsAfter % 8).toBe(0);
    const wasm = await fashionInWasm(model);
    console.log(`pruned model in onnxruntime-web: top-1 agreement with onnxruntime-node ${(100 * wasm.top1Agreement).toFixed(1)}%, SQNR ${wasm.sqnrDb.toFixed(1)} dB`);
    expect(wasm.top1Agreement).toBeGreaterThanOrEqual(0.99);
  }, 120_000);

  it('with filter norms the refit is what keeps the accuracy: the same channels without it lose far more', async () => {
    const refitted = await pruned({ criterion: 'l1', macsTarget: 0.3 });
    const sliced = await pruned({ criterion: 'l1', macsTarget: 0.3, reconstruct: false });
    expect(refitted.removed).toBeGreaterThanOrEqual(0.3);
    expect(sliced.facts.groups).toEqual(refitted.facts.groups);
    expect(baseline - refitted.accuracy).toBeLessThanOrEqual(1);
    expect(refitted.accuracy).toBeGreaterThan(sliced.accuracy + 1);
  }, 120_000);
});
