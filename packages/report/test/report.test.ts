/**
 * A real report: the bundled Fashion-MNIST CNN compressed with the
 * int8-weights preset, measured in onnxruntime-node on 500 Fashion-MNIST test
 * images, each figure checked against an independent measurement.
 */
import { brotliCompressSync, constants } from 'node:zlib';
import { compareModels, costModel, summarizeModel, top1Accuracy, type Tensor } from '@condense/core';
import { cpuRuntime } from '@condense/adapter-cpu';
import { encodeModelBytes } from '@condense/onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildReport, formatSummary, parseReport, renderJson, renderMarkdown, renderReport, reportFormat, type CompressionReport, type SizeFigures } from '../src/index.js';
import { FASHION, FASHION_CNN, compressed, hasFashion, testImages } from './fashion.js';

if (!hasFashion) console.log(`SKIP report on Fashion-MNIST: ${FASHION} is missing (apt-get install dataset-fashion-mnist).`);

const SAMPLES = 500;
const runtime = cpuRuntime();
const sizeOf = (bytes: Uint8Array): SizeFigures => ({ bytes: bytes.byteLength, brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } }).byteLength, source: 'file' });
const feedsOf = (batches: Tensor[]) => batches.map((image) => ({ image }));

describe.skipIf(!hasFashion)('buildReport on the Fashion-MNIST CNN (int8-weights, onnxruntime-node)', () => {
  let m: Awaited<ReturnType<typeof compressed>>;
  let images: ReturnType<typeof testImages>;
  let report: CompressionReport;
  let size: { before: SizeFigures; after: SizeFigures };
  const progress: string[] = [];

  beforeAll(async () => {
    m = await compressed(FASHION_CNN, 'int8-weights');
    images = testImages(SAMPLES);
    size = { before: sizeOf(m.bytes), after: sizeOf(encodeModelBytes(m.after)) };
    report = await buildReport({
      before: m.before,
      after: m.after,
      passes: m.result.passes,
      input: 'fashion-cnn.onnx',
      output: 'fashion-cnn.int8.onnx',
      recipe: 'preset int8-weights',
      size,
      runtime,
      // A one-shot generator: the builder must read the samples only once.
      samples: (function* () {
        yield* feedsOf(images.batches);
      })(),
      labels: images.labels,
      maxSamples: SAMPLES,
      latencyRuns: 3,
      onProgress: (done, total, message) => progress.push(`${message} ${done}/${total}`),
    });
    console.log(formatSummary(report));
  }, 120_000);

  it('has one row per Conv and Gemm of the original, in order, with what it reads', () => {
    const weighted = [...m.before.graph].filter((n) => n.op === 'Conv' || n.op === 'Gemm');
    expect(weighted).toHaveLength(7);
    expect(report.layers.map((l) => [l.name, l.op])).toEqual(weighted.map((n) => [n.name, n.op]));
    for (const l of report.layers) {
      expect(l.compressedNodes).toEqual([l.name]);
      // Quantization keeps the element count of each weight and bias.
      expect(l.parameters.after).toBe(l.parameters.before);
    }
    const head = report.layers.find((l) => l.name === '/head/head.1/Gemm')!;
    expect(head.parameters.before).toBe(128 * 3136 + 128);
  });

  it('splits the stored bytes among the layers: they add up to every constant of each model', () => {
    const sum = (k: 'before' | 'after') => report.layers.reduce((n, l) => n + l.bytes[k], 0);
    expect(sum('before')).toBe(summarizeModel(m.before).parameterBytes);
    expect(sum('after')).toBeCloseTo(summarizeModel(m.after).parameterBytes, 6);
    const quantized = report.layers.filter((l) => l.bytes.after < l.bytes.before);
    expect(quantized.length).toBe(m.result.passes.find((p) => p.pass === 'quantize-weights')!.facts['quantized']);
    for (const l of quantized) {
      // int8 weights (a quarter of float32) plus float32 biases and per-channel scales.
      const ratio = l.bytes.before / l.bytes.after;
      expect(ratio, l.name).toBeGreaterThan(3.4);
      expect(ratio, l.name).toBeLessThan(4);
    }
  });

  it('measures every layer\'s output SQNR as that value fetched alone finds it: above 20 dB, and identical before the first quantized layer', async () => {
    const [a, b] = [await runtime.createSession(m.before.graph), await runtime.createSession(m.after.graph)];
    try {
      // The stem Conv is too small to quantize and reads the input itself, so its output is untouched.
      expect(report.layers[0]!.bytes.after).toBe(report.layers[0]!.bytes.before);
      expect(report.layers[0]!.sqnrDb).toBe(Infinity);
      for (const l of report.layers.slice(1)) {
        expect(Number.isFinite(l.sqnrDb), l.name).toBe(true);
        expect(l.sqnrDb!, l.name).toBeGreaterThan(20);
        // The oracle, for three layers (each needs sessions of its own): that one value fetched alone from each model, over the same images.
        if (!['/down1/down1.0/Conv', '/block/block.3/Conv', '/head/head.3/Gemm'].includes(l.name)) continue;
        const output = [...m.before.graph].find((n) => n.name === l.name)!.outputs[0]!.name;
        let [signal, noise] = [0, 0];
        for (const image of images.batches) {
          const x = (await a.run({ image }, [output]))[output]!.data<'float32'>();
          const y = (await b.run({ image }, [output]))[output]!.data<'float32'>();
          for (let i = 0; i < x.length; i++) {
            signal += x[i]! ** 2;
            noise += (x[i]! - y[i]!) ** 2;
          }
        }
        const expected = 10 * Math.log10(signal / noise);
        console.log(`${l.name}: report ${l.sqnrDb!.toFixed(3)} dB, alone ${expected.toFixed(3)} dB`);
        expect(Math.abs(l.sqnrDb! - expected), l.name).toBeLessThan(0.01);
        // core's compareModels fetches an intermediate value by the same name from both models.
        const compared = await compareModels(runtime, m.before.graph, m.after.graph, toSource(feedsOf(images.batches)), { output });
        expect(compared.sqnrDb, l.name).toBeCloseTo(expected, 2);
      }
    } finally {
      await Promise.all([a.release(), b.release()]);
    }
  }, 60_000);

  it('reports accuracy as core\'s top1Accuracy counts it, within 0.5 points of float', async () => {
    const acc = report.summary.accuracy!;
    expect(acc.samples).toBe(SAMPLES);
    const before = await top1Accuracy(runtime, m.before.graph, 'image', images.batches, images.labels);
    const after = await top1Accuracy(runtime, m.after.graph, 'image', images.batches, images.labels);
    expect(acc.before).toBe(before.accuracy);
    expect(acc.after).toBe(after.accuracy);
    expect(acc.before).toBeGreaterThan(0.88);
    expect(Math.abs(acc.after - acc.before)).toBeLessThanOrEqual(0.005);
  });

  it('reports fidelity as compareModels measures it: at least 99% the same top-1', async () => {
    const f = report.summary.fidelity!;
    const reference = await compareModels(runtime, m.before.graph, m.after.graph, toSource(feedsOf(images.batches)), { maxSamples: SAMPLES });
    expect(f.samples).toBe(SAMPLES);
    expect(f.top1Agreement).toBe(reference.top1Agreement);
    expect(f.top1Agreement).toBeGreaterThanOrEqual(0.99);
    expect(f.sqnrDb).toBeCloseTo(reference.sqnrDb, 2);
    expect(f.minCosine).toBeGreaterThan(0.99);
  });

  it('passes the given sizes through and states their ratios in the terminal summary', () => {
    expect(report.summary.size).toEqual(size);
    const raw = size.before.bytes / size.after.bytes;
    const brotli = size.before.brotli! / size.after.brotli!;
    console.log(`file ${raw.toFixed(2)}x smaller, brotli ${brotli.toFixed(2)}x smaller`);
    expect(raw).toBeGreaterThan(3.5);
    const text = formatSummary(report);
    expect(text).toContain(`size        ${raw.toFixed(2)}x smaller`);
    expect(text).toContain(`brotli      ${brotli.toFixed(2)}x smaller`);
    expect(text).toMatch(/accuracy +\d+\.\d\d% top-1/);
    expect(text).toMatch(/speed +\d+\.\d\d(x|%) (faster|slower)/);
    expect(text).toContain('MACs        unchanged');
  });

  it('counts MACs per sample with the cost model, times both models alternately, logs every pass', () => {
    expect(report.summary.macs).toEqual({ before: costModel(m.before.graph).total.macs, after: costModel(m.after.graph).total.macs });
    expect(report.summary.macs!.before).toBeGreaterThan(1e6);
    const l = report.summary.latency!;
    expect(l.runs).toBe(3);
    expect(l.beforeMs).toBeGreaterThan(0);
    expect(l.ratio).toBeCloseTo(l.afterMs / l.beforeMs, 12);
    expect(progress).toContain(`evaluating ${SAMPLES}/${SAMPLES}`);
    expect(progress.at(-1)).toBe('timing 3/3');
    expect(report.passes.map((p) => p.pass)).toEqual(m.result.passes.map((p) => p.pass));
    expect(report.passes.find((p) => p.pass === 'quantize-weights')!.changed).toBe(true);
    expect(report.runtime).toBe('cpu');
    expect(report.warnings).toEqual([]);
  });

  it('ranks layers by SQNR, lowest first, when no pass ranked them', () => {
    const finite = report.layers.filter((l) => l.sqnrDb !== null).sort((a, b) => (a.sqnrDb! < b.sqnrDb! ? -1 : a.sqnrDb! > b.sqnrDb! ? 1 : 0));
    expect(report.sensitivity).toEqual(finite.map((l) => ({ layer: l.name, score: l.sqnrDb, unit: 'dB' })));
  });

  it('round-trips through JSON, identical layers (Infinity dB) included', () => {
    const json = renderJson(report);
    expect(json).toContain('"sqnrDb": "Infinity"');
    expect(parseReport(json)).toEqual(report);
    expect(renderReport(report, 'json')).toBe(json);
  });

  it('writes Markdown with the summary, layer, sensitivity and pass tables', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('## Layers (7)');
    expect(md).toContain('| layer | op | parameters before | parameters after | bytes before | bytes after | bytes ratio | SQNR |');
    for (const l of report.layers) expect(md).toMatch(new RegExp(`^\\| ${l.name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\| ${l.op} \\| `, 'm'));
    expect(md).toContain('| size | ');
    expect(md).toContain('| accuracy | ');
    expect(md).toContain('## Sensitivity ranking');
    expect(md.match(/^\| quantize-weights \| yes \|/m)).not.toBeNull();
    expect(renderReport(report, 'md')).toBe(md);
  });

  it('without file sizes, the stored weight bytes give the file ratio within 1%', async () => {
    const bare = await buildReport({ before: m.before, after: m.after, passes: m.result.passes });
    expect(bare.summary.size.before).toEqual({ bytes: summarizeModel(m.before).parameterBytes, source: 'weights' });
    const estimate = bare.summary.size.before.bytes / bare.summary.size.after.bytes;
    const file = size.before.bytes / size.after.bytes;
    expect(Math.abs(estimate / file - 1)).toBeLessThan(0.01);
    // Nothing was run: the report says so instead of showing figures.
    expect(bare.summary.fidelity).toBeUndefined();
    expect(bare.summary.latency).toBeUndefined();
    expect(bare.layers.every((l) => l.sqnrDb === null)).toBe(true);
    expect(bare.warnings.join(' ')).toMatch(/No runtime was given/);
    expect(bare.warnings.join(' ')).toMatch(/File sizes were not given/);
  });

  it('without samples, measures fidelity on 32 deterministic random inputs', async () => {
    const build = () => buildReport({ before: m.before, after: m.after, passes: m.result.passes, runtime, latencyRuns: 0 });
    const [a, b] = [await build(), await build()];
    expect(a.summary.fidelity!.samples).toBe(32);
    expect(a.summary.fidelity).toEqual(b.summary.fidelity);
    expect(a.summary.fidelity!.top1Agreement).toBeGreaterThanOrEqual(0.9);
    expect(a.summary.accuracy).toBeUndefined();
    expect(a.summary.latency).toBeUndefined();
    expect(a.warnings.join(' ')).toMatch(/32 random inputs/);
  });

  it('refuses bad options with a CondenseError', async () => {
    const base = { before: m.before, after: m.after, passes: m.result.passes };
    await expect(buildReport({ ...base, maxSamples: 0 })).rejects.toMatchObject({ code: 'E_BAD_OPTION', message: expect.stringContaining('maxSamples') });
    await expect(buildReport({ ...base, latencyRuns: 1.5 })).rejects.toMatchObject({ code: 'E_BAD_OPTION' });
    await expect(buildReport({ ...base, runtime, samples: feedsOf(images.batches.slice(0, 2)), labels: images.labels.slice(0, 150), latencyRuns: 0 })).rejects.toMatchObject({ code: 'E_BAD_OPTION', message: expect.stringContaining('labels') });
    expect(() => renderReport(report, 'pdf' as never)).toThrow(/Unknown report format "pdf"/);
  });
});

describe('reportFormat', () => {
  it('reads the format from the extension', () => {
    expect(['r.html', 'r.HTM', 'a/b.md', 'x.markdown', 'out.json', 'report', 'r.txt', '.json.gz'].map(reportFormat)).toEqual(['html', 'html', 'md', 'md', 'json', undefined, undefined, undefined]);
  });
});

function toSource<T>(items: T[]): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      yield* items;
    },
  };
}
