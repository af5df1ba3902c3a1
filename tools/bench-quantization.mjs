// Quantization presets measured on the Fashion-MNIST CNN (accuracy) and PaddleOCR's
// classifier (fidelity to float on real images): sizes raw and brotli, and latency
// against float on adapter-cpu (tools/lib/bench.mjs); then int8 against cleaned
// float on a conv-heavy ResNet-50-sized model. Prints a markdown table.
// Usage: node tools/bench-quantization.mjs [--runs N]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Tensor, compress, createRegistry } from '@condense/core';
import { encodeModelBytes } from '@condense/onnx';
import { loadModel } from '@condense/onnx/node';
import { brotliSize, clsRows, fashionRows, latencies, printTable, runtime } from './lib/bench.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { runs: { type: 'string' } } });
const RUNS = Number(values.runs ?? 30);
const presets = ['fp16', 'int8-weights', 'int4-weights', 'int8'].map((preset) => [preset, { preset }]);
const rows = [...(await fashionRows(presets, RUNS)), ...(await clsRows(presets, RUNS))];

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
const [f, q] = await latencies([clean, int8], { image: noise() }, RUNS);
const resnet = [['float32 (cleaned)', clean, f], ['int8', int8, q]].map(([preset, model, t]) => {
  const bytes = encodeModelBytes(model);
  return { model: 'ResNet-50 layers (generated weights)', preset, quality: '-', bytes: bytes.byteLength, brotli: brotliSize(bytes), p50: t, ratio: t / f };
});
for (const r of resnet) Object.assign(r, { sizeRatio: resnet[0].bytes / r.bytes, brotliRatio: resnet[0].brotli / r.brotli });
printTable([...rows, ...resnet], RUNS);
