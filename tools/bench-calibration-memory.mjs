// Calibration memory against the number of samples: static int8 quantization of
// the Fashion-MNIST CNN calibrated on 100 and on 1,000 training images, each in a
// fresh process, reporting the peak resident memory and what stays allocated
// after garbage collection. Streaming calibration keeps both flat; keeping the
// activations would add about 0.5 MB per sample on this model (450 MB more at
// 1,000). The peak moves a little (tens of MB) as the runtime's arena and V8's
// heap reach their working size over the first batches; 3,000 shows it stops there.
// Usage: node tools/bench-calibration-memory.mjs [--json] [--observer minmax|entropy|...]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { compress, createRegistry, idxSamples, parseIdx } from '@condense/core';
import { cpuRuntime } from '@condense/adapter-cpu';
import { decodeModel } from '@condense/onnx';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { json: { type: 'boolean' }, observer: { type: 'string' }, child: { type: 'string' } } });
const observer = values.observer ?? 'minmax';

if (values.child) {
  // One measurement: calibrate on `child` samples, then report this process's peak RSS.
  const images = parseIdx(gunzipSync(readFileSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz')));
  const model = decodeModel(readFileSync(path.join(here, 'fixtures', 'fashion-cnn.onnx')));
  const recipe = { preset: 'int8', options: { 'quantize-static': { maxSamples: Number(values.child), observer, layerReport: 0 } } };
  // The pipeline's sample cache is off: this measures streaming itself (the cache adds at most its budget, 128 MiB by default).
  const result = await compress(model, recipe, { registry: createRegistry(), runtime: cpuRuntime(), samples: idxSamples(images, 'image', 50), sampleCacheBytes: 0 });
  const samples = result.passes.find((p) => p.pass === 'quantize-static').facts.samples;
  globalThis.gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  process.stdout.write(JSON.stringify({ samples, peakRssMb: process.resourceUsage().maxRSS / 1024, retainedMb: (heapUsed + arrayBuffers) / 2 ** 20 }));
} else {
  const measure = (n) => JSON.parse(execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', String(n), '--observer', observer], { encoding: 'utf8' }));
  const rows = [100, 1000, 3000].map(measure);
  const growth = { peakRss: rows[1].peakRssMb / rows[0].peakRssMb, retained: rows[1].retainedMb / rows[0].retainedMb };
  if (values.json) console.log(JSON.stringify({ observer, rows, growth }));
  else {
    console.log(`Calibration memory, observer ${observer}, each count in a fresh process:\n`);
    console.log('| samples | peak RSS (MB) | retained after GC (MB) |\n|---:|---:|---:|');
    for (const r of rows) console.log(`| ${r.samples} | ${r.peakRssMb.toFixed(1)} | ${r.retainedMb.toFixed(1)} |`);
    console.log(`\n1,000 samples against 100: peak RSS ${growth.peakRss.toFixed(2)}x, retained ${growth.retained.toFixed(2)}x.`);
  }
}
