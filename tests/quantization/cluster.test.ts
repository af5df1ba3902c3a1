/**
 * Weight clustering (cluster-weights, the `cluster` preset) on the reference CNN
 * (tools/fixtures/fashion-cnn.onnx), measured on the 10,000 Fashion-MNIST test
 * images. Size is compared after brotli, as a model is served over the wire:
 * clustered indices use few distinct values, which a general compressor exploits.
 * Per-group codebooks and bias correction are checked against what the runtime
 * actually decodes and computes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Graph, Tensor, attr, compress, createModel, createRegistry, idxSamples, type Model, type SampleSource } from '@condense/core';
import { cpuRuntime } from '@condense/adapter-cpu';
import { decodeModel, encodeModelBytes } from '@condense/onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { FASHION, FASHION_CNN, fashionInWasm, readIdx, testAccuracy } from '../helpers/fashion.js';
import { brotliBytes } from '../helpers/tensors.js';

/** What cluster-weights reports. */
interface ClusterFacts {
  layers: Array<{ value: string; op: string; count: number; bits: number; groups: number; floatBytes: number; storedBytes: number; sqnrDb: number }>;
  biasesCorrected?: number;
  samples?: number;
  largestShift?: number;
  [fact: string]: unknown;
}

const available = existsSync(FASHION);
if (!available) console.log(`SKIP weight clustering accuracy: ${FASHION} is missing (apt-get install dataset-fashion-mnist).`);


describe.skipIf(!available)('weight clustering on the Fashion-MNIST CNN', () => {
  const runtime = cpuRuntime();
  const load = (): Model => decodeModel(readFileSync(FASHION_CNN));
  let baseline = 0;
  let floatBrotli = 0;
  beforeAll(async () => {
    baseline = await testAccuracy(load(), runtime);
    floatBrotli = brotliBytes(readFileSync(FASHION_CNN));
  });

  /** The fixture after cleanup and cluster-weights, with the pass's report. */
  const clustered = async (options: Record<string, unknown>, { opset, samples }: { opset?: number; samples?: SampleSource } = {}) => {
    const model = load();
    // The fixture's ops (Conv, Relu, Add, Flatten, Gemm) read the same at opset 10 as at its 13.
    if (opset) model.graph.opset[''] = opset;
    const result = await compress(model, { preset: 'cleanup', passes: [{ pass: 'cluster-weights', options }] }, { registry: createRegistry(), runtime, samples });
    return { model, facts: result.passes.find((p) => p.pass === 'cluster-weights')!.facts as ClusterFacts };
  };

  const cluster = async (options: Record<string, unknown>, opset?: number) => {
    const { model, facts } = await clustered(options, { opset });
    const accuracy = await testAccuracy(model, runtime);
    const ratio = floatBrotli / brotliBytes(encodeModelBytes(model));
    console.log(`cluster ${JSON.stringify(options)}${opset ? ` at opset ${opset}` : ''}: ${accuracy.toFixed(2)}% top-1 (${(accuracy - baseline).toFixed(2)} points), brotli ${ratio.toFixed(2)}x smaller than float's ${floatBrotli} bytes`);
    return { model, facts, accuracy, ratio };
  };

  it('the cluster preset (4 bits) loses at most 1 point, reports every layer and is stored as Gather over packed indices', async () => {
    const model = load();
    const result = await compress(model, { preset: 'cluster' }, { registry: createRegistry(), runtime });
    const facts = result.passes.find((p) => p.pass === 'cluster-weights')!.facts;
    const layers = facts['layers'] as Array<{ value: string; count: number; bits: number; floatBytes: number; storedBytes: number; sqnrDb: number }>;
    console.table(layers);
    // The fixture's weights of 1024+ values: down1, block.3, down2 and both Gemms.
    expect(layers).toHaveLength(5);
    for (const l of layers) {
      expect(l.bits).toBe(4);
      // Half a byte per value plus a 16-float codebook.
      expect(l.storedBytes).toBe(Math.ceil(l.count / 2) + 64);
      expect(l.sqnrDb, l.value).toBeGreaterThan(15);
    }
    expect([...model.graph].filter((n) => n.op === 'Gather')).toHaveLength(5);
    const accuracy = await testAccuracy(model, runtime);
    console.log(`cluster preset: ${accuracy.toFixed(2)}% top-1 (baseline ${baseline.toFixed(2)}%)`);
    expect(baseline - accuracy).toBeLessThanOrEqual(1);
  }, 120_000);

  it('4 bits: brotli size at least 6x smaller than float brotli', async () => {
    const { ratio } = await cluster({ bits: 4 });
    expect(ratio).toBeGreaterThanOrEqual(6);
  }, 120_000);

  it('runs in onnxruntime-web with the same predictions as onnxruntime-node', async () => {
    const model = load();
    await compress(model, { preset: 'cluster' }, { registry: createRegistry(), runtime });
    const f = await fashionInWasm(model);
    console.log(`cluster in onnxruntime-web: top-1 agreement ${(100 * f.top1Agreement).toFixed(1)}%, SQNR ${f.sqnrDb.toFixed(1)} dB`);
    expect(f.samples).toBe(500);
    expect(f.top1Agreement).toBeGreaterThanOrEqual(0.99);
    expect(f.minCosine).toBeGreaterThan(0.99);
  }, 120_000);

  it('below opset 11 (no BitShift), indices take a byte each and decode the same', async () => {
    const { model, facts, accuracy } = await cluster({ bits: 4 }, 10);
    const layers = facts['layers'] as Array<{ count: number; storedBytes: number }>;
    expect(layers).toHaveLength(5);
    for (const l of layers) expect(l.storedBytes).toBe(l.count + 64);
    expect([...model.graph].filter((n) => n.op === 'BitShift')).toHaveLength(0);
    expect(baseline - accuracy).toBeLessThanOrEqual(1);
  }, 120_000);

  it('other inits and widths: 2, 3 and 8 bits, linear and density init', async () => {
    for (const options of [{ bits: 3 }, { bits: 8 }, { bits: 4, init: 'linear' }, { bits: 4, init: 'density' }]) {
      const { accuracy } = await cluster(options);
      expect(baseline - accuracy, JSON.stringify(options)).toBeLessThanOrEqual(1);
    }
    const { accuracy } = await cluster({ bits: 2 });
    expect(baseline - accuracy).toBeLessThanOrEqual(10);
  }, 240_000);

  describe('per-group codebooks (groupSize)', () => {
    const bitWidths = [2, 3, 4];
    const runs = new Map<string, ClusterFacts>();
    beforeAll(async () => {
      for (const bits of bitWidths) for (const groupSize of [0, 1, 8]) runs.set(`${bits}/${groupSize}`, (await clustered({ bits, groupSize })).facts);
    }, 60_000);

    it('raise weight SQNR over one codebook per tensor at the same bits: every layer with one codebook per channel, nearly every layer and on average with 8 channels per codebook', () => {
      for (const bits of bitWidths) {
        const perTensor = runs.get(`${bits}/0`)!.layers;
        for (const groupSize of [1, 8]) {
          const grouped = runs.get(`${bits}/${groupSize}`)!.layers;
          console.log(`${bits} bits, weight SQNR dB per tensor vs groupSize ${groupSize}: ${perTensor.map((l, i) => `${l.value} ${l.sqnrDb} -> ${grouped[i]!.sqnrDb}`).join(', ')}`);
          const mean = (layers: typeof grouped) => layers.reduce((s, l) => s + l.sqnrDb, 0) / layers.length;
          expect(mean(grouped), `${bits} bits, groupSize ${groupSize}`).toBeGreaterThan(mean(perTensor));
          // k-means finds local optima, so a group's codebook can land a little worse than the tensor's.
          const slack = groupSize === 1 ? 0 : 0.5;
          grouped.forEach((l, i) => expect(l.sqnrDb, `${l.value}, ${bits} bits, groupSize ${groupSize}`).toBeGreaterThanOrEqual(perTensor[i]!.sqnrDb - slack));
        }
      }
    });

    it('store 2^bits floats per group and an int32 offset per output channel next to the unchanged packed indices', () => {
      // Output channels: 64 for each Conv, 128 and 10 for the Gemms (head.3's 10 channels, with 8 per group, make a group of 8 and one of 2).
      const channels = [64, 64, 64, 128, 10];
      for (const bits of bitWidths) {
        for (const groupSize of [1, 8]) {
          runs.get(`${bits}/${groupSize}`)!.layers.forEach((l, i) => {
            const groups = Math.ceil(channels[i]! / groupSize);
            const indexBytes = bits === 3 ? l.count : Math.ceil((l.count * bits) / 8);
            expect(l.groups, l.value).toBe(groups);
            expect(l.storedBytes, l.value).toBe(indexBytes + 4 * groups * 2 ** bits + 4 * channels[i]!);
          });
        }
      }
    });

    it('decode in onnxruntime-node to the in-JS reconstruction: each weight is the nearest entry of its own group\'s codebook; accuracy within 1 point of float at 4 bits', async () => {
      // 12 channels per group leaves a smaller last group in every layer but head.3 (one group of 10).
      const { model, facts } = await clustered({ bits: 2, groupSize: 12 });
      expect([...model.graph].filter((n) => n.op === 'Add' && n.name.endsWith('_cluster_offset'))).toHaveLength(4);
      const feeds = { image: idxImageBatch(100) };
      const errors = await groupDecodingErrors(model, floatWeights(load()), () => 0, 12, 4, feeds);
      expect(Object.keys(errors)).toEqual(facts.layers.map((l) => l.value));
      expect(errors).toEqual(Object.fromEntries(facts.layers.map((l) => [l.value, 0])));
      const { model: four } = await clustered({ bits: 4, groupSize: 8 });
      const accuracy = await testAccuracy(four, runtime);
      console.log(`cluster 4 bits, groupSize 8: ${accuracy.toFixed(2)}% top-1 (baseline ${baseline.toFixed(2)}%)`);
      expect(baseline - accuracy).toBeLessThanOrEqual(1);
      const f = await fashionInWasm(four);
      console.log(`cluster 4 bits, groupSize 8 in onnxruntime-web: top-1 agreement ${(100 * f.top1Agreement).toFixed(1)}%, SQNR ${f.sqnrDb.toFixed(1)} dB`);
      expect(f.top1Agreement).toBeGreaterThanOrEqual(0.99);
      expect(f.minCosine).toBeGreaterThan(0.99);
    }, 60_000);

    it('keep accuracy within 1 point of float at 3 bits and 2.5 points at 2 bits', async () => {
      for (const [bits, tolerance] of [[3, 1], [2, 2.5]] as const) {
        const { model } = await clustered({ bits, groupSize: 8 });
        const accuracy = await testAccuracy(model, runtime);
        console.log(`cluster ${bits} bits, groupSize 8: ${accuracy.toFixed(2)}% top-1 (${(accuracy - baseline).toFixed(2)} points)`);
        expect(baseline - accuracy, `${bits} bits`).toBeLessThanOrEqual(tolerance);
      }
    }, 60_000);
  });

  describe('bias correction (biasCorrection)', () => {
    // down1 reads the stem's output, which clustering leaves alone (288 weights < minElements), so its input
    // is the float model's and the correction should cancel its mean shift up to the padding approximation.
    const DOWN1 = '/down1/down1.0/Conv_output_0';
    const LOGITS = 'logits';
    // 2,000 held-out test images: means of 64 channels over 2,000 x 196 positions are stable to well under the shifts measured.
    const images = readIdx('t10k-images-idx3-ubyte.gz');
    const means = (model: Model) => channelMeans(model, [DOWN1, LOGITS], idxSamples(images, 'image', 500), 2000);
    let reference: Map<string, Float64Array>;
    let train: Tensor;
    beforeAll(async () => {
      reference = await means(load());
      train = readIdx('train-images-idx3-ubyte.gz');
    });

    it('at 2 and 3 bits removes the mean shift of a corrected layer\'s own weights, and leaves the stored weights and accuracy (within 0.5 points) as they were', async () => {
      for (const bits of [2, 3]) {
        for (const groupSize of [0, 8]) {
          const plain = await clustered({ bits, groupSize });
          const corrected = await clustered({ bits, groupSize, biasCorrection: true }, { samples: idxSamples(train, 'image', 64) });
          expect(corrected.facts.biasesCorrected).toBe(5);
          expect(corrected.facts.samples).toBe(128);
          expect(corrected.facts.layers).toEqual(plain.facts.layers);
          const before = await means(plain.model);
          const after = await means(corrected.model);
          const shift = (m: Map<string, Float64Array>, name: string) => meanShiftError(m.get(name)!, reference.get(name)!);
          const accuracy = [await testAccuracy(plain.model, runtime), await testAccuracy(corrected.model, runtime)] as const;
          console.log(
            `${bits} bits, groupSize ${groupSize}: mean |channel mean - float's| of down1 ${shift(before, DOWN1).toFixed(4)} -> ${shift(after, DOWN1).toFixed(4)}, ` +
              `of the logits ${shift(before, LOGITS).toFixed(4)} -> ${shift(after, LOGITS).toFixed(4)}; top-1 ${accuracy[0].toFixed(2)}% -> ${accuracy[1].toFixed(2)}% (float ${baseline.toFixed(2)}%); largest shift ${corrected.facts.largestShift?.toFixed(4)}`,
          );
          expect(shift(after, DOWN1), `${bits} bits, groupSize ${groupSize}`).toBeLessThan(shift(before, DOWN1) / 4);
          expect(accuracy[1], `${bits} bits, groupSize ${groupSize}`).toBeGreaterThanOrEqual(accuracy[0] - 0.5);
        }
      }
    }, 60_000);

    it('without samples or a runtime, fails before changing the model and says what to pass', async () => {
      const noSamples = load();
      await expect(compress(noSamples, { passes: [{ pass: 'cluster-weights', options: { biasCorrection: true } }] }, { registry: createRegistry(), runtime })).rejects.toThrow(
        /biasCorrection needs sample data \(compress's samples option, or the CLI's --calib\)/,
      );
      expect([...noSamples.graph].filter((n) => n.op === 'Gather')).toHaveLength(0);
      await expect(compress(load(), { passes: [{ pass: 'cluster-weights', options: { biasCorrection: true } }] }, { registry: createRegistry() })).rejects.toThrow(/needs a runtime .* and sample data/);
    });
  });
});

describe('per-group codebooks along each op\'s output-channel axis', () => {
  /** ConvTranspose (axis 1), Gemm with B as [K, N] (axis 1) and MatMul (last axis), each on an input of its own. */
  function axesModel(): Model {
    const g = new Graph({ opset: { '': 13 } });
    const weight = (name: string, shape: number[], seed: number) => g.constant(name, Tensor.from('float32', shape, uniform(shape.reduce((a, b) => a * b, 1), seed)));
    const image = g.input('image', { dtype: 'float32', shape: [1, 4, 6, 6] });
    const rows = g.input('rows', { dtype: 'float32', shape: [2, 16] });
    g.outputs = [
      g.add('ConvTranspose', [image, weight('deconv.w', [4, 6, 3, 3], 1)], {}, { name: 'deconv' }).output,
      g.add('Gemm', [rows, weight('gemm.w', [16, 12], 2)], {}, { name: 'gemm' }).output,
      g.add('MatMul', [rows, weight('matmul.w', [16, 10], 3)], {}, { name: 'matmul' }).output,
    ];
    return createModel(g);
  }

  it('each weight decodes in onnxruntime-node from its own group\'s codebook, groups taken along that axis', async () => {
    const model = axesModel();
    const result = await compress(model, { passes: [{ pass: 'cluster-weights', options: { bits: 2, groupSize: 4, minElements: 1 } }] }, { registry: createRegistry() });
    const layers = (result.passes[0]!.facts as ClusterFacts).layers;
    // 6, 12 and 10 output channels in groups of 4.
    expect(layers.map((l) => [l.value, l.groups])).toEqual([['deconv.w', 2], ['gemm.w', 3], ['matmul.w', 3]]);
    const feeds = { image: Tensor.from('float32', [1, 4, 6, 6], uniform(144, 4)), rows: Tensor.from('float32', [2, 16], uniform(32, 5)) };
    const errors = await groupDecodingErrors(model, floatWeights(axesModel()), () => 1, 4, 4, feeds);
    expect(errors).toEqual({ 'deconv.w': 0, 'gemm.w': 0, 'matmul.w': 0 });
  });
});

/** Deterministic values in [-1, 1). */
function uniform(count: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** The first `count` test images as one batch. */
function idxImageBatch(count: number): Tensor {
  const images = readIdx('t10k-images-idx3-ubyte.gz');
  const [, h, w] = images.shape as [number, number, number];
  return Tensor.from('float32', [count, 1, h, w], Float32Array.from(images.toNumbers().slice(0, count * h * w), (v) => v / 255));
}

/** Every float32 weight (input 1) of `model`'s nodes, by name. */
function floatWeights(model: Model): Map<string, Tensor> {
  return new Map([...model.graph].flatMap((n) => (n.inputs[1]?.const?.dtype === 'float32' ? [[n.inputs[1].name, n.inputs[1].const] as const] : [])));
}

/**
 * Fetches each clustered weight as onnxruntime-node decodes it (its Gather's
 * output) and counts, per weight, the values that are not the entry nearest the
 * float weight among the 2^bits entries of their own group's codebook: the
 * group of `groupSize` output channels along `axisOf(weight)`.
 */
async function groupDecodingErrors(model: Model, floats: Map<string, Tensor>, axisOf: (weight: string) => number, groupSize: number, k: number, feeds: Record<string, Tensor>): Promise<Record<string, number>> {
  const decoders = [...model.graph].filter((n) => n.op === 'Gather' && n.name.endsWith('_cluster_decode'));
  const session = await cpuRuntime().createSession(model.graph);
  const out = await session.run(feeds, decoders.map((n) => n.outputs[0]!.name));
  await session.release();
  const errors: Record<string, number> = {};
  for (const node of decoders) {
    const name = node.name.slice(0, -'_cluster_decode'.length);
    const float = floats.get(name)!;
    const w = float.data<'float32'>();
    const decoded = out[node.outputs[0]!.name]!.data<'float32'>();
    const codebook = node.inputs[0]!.const!.data<'float32'>();
    const axis = axisOf(name);
    const channels = float.shape[axis]!;
    const inner = float.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    expect(codebook.length, name).toBe(Math.ceil(channels / groupSize) * k);
    let bad = 0;
    for (let i = 0; i < w.length; i++) {
      const group = Math.floor((Math.floor(i / inner) % channels) / groupSize);
      const own = codebook.subarray(group * k, group * k + k);
      const nearest = Math.min(...Array.from(own, (c) => Math.abs(c - w[i]!)));
      if (!own.includes(decoded[i]!) || Math.abs(decoded[i]! - w[i]!) > nearest + 1e-6) bad++;
    }
    errors[name] = bad;
  }
  return errors;
}

/** Per-channel means (axis 1) of the named values of `model` over the first `maxRows` samples, run in onnxruntime-node. */
async function channelMeans(model: Model, names: string[], samples: SampleSource, maxRows: number): Promise<Map<string, Float64Array>> {
  const session = await cpuRuntime().createSession(model.graph);
  const sums = new Map<string, Float64Array>();
  let rows = 0;
  for await (const feeds of samples) {
    const out = await session.run(feeds, names);
    for (const name of names) {
      const t = out[name]!;
      const [batch, channels] = t.shape as [number, number];
      const inner = t.size / (batch * channels);
      const data = t.data<'float32'>();
      const sum = sums.get(name) ?? sums.set(name, new Float64Array(channels)).get(name)!;
      // Each sample's channel mean over its positions, summed over samples.
      for (let at = 0, block = 0; block < batch * channels; block++) {
        let s = 0;
        for (const end = at + inner; at < end; at++) s += data[at]!;
        sum[block % channels]! += s / inner;
      }
    }
    rows += Number(Object.values(feeds)[0]!.shape[0]);
    if (rows >= maxRows) break;
  }
  await session.release();
  return new Map([...sums].map(([name, sum]) => [name, sum.map((s) => s / rows)]));
}

/** Mean over channels of |candidate's channel mean - reference's|: the systematic shift bias correction targets. */
function meanShiftError(candidate: Float64Array, reference: Float64Array): number {
  return candidate.reduce((s, m, c) => s + Math.abs(m - reference[c]!), 0) / candidate.length;
}
