// Channel sharing, weight clustering and DCT-domain quantization measured, alone
// and combined with int8 weights, on the Fashion-MNIST CNN (accuracy) and
// PaddleOCR's classifier (fidelity to float on real images): sizes raw and
// brotli against float, and latency against float on adapter-cpu
// (tools/lib/bench.mjs). Prints a markdown table; presets this build lacks are
// skipped with a note.
// Usage: node tools/bench-compression.mjs [--runs N]
import { parseArgs } from 'node:util';
import { createRegistry } from '@condense/core';
import { clsRows, fashionRows, printTable } from './lib/bench.mjs';

const { values } = parseArgs({ options: { runs: { type: 'string' } } });
const RUNS = Number(values.runs ?? 20);
const known = new Set(createRegistry().presets().map((p) => p.name));
const variants = [];
for (const preset of ['share', 'cluster', 'dct']) {
  if (!known.has(preset)) {
    console.log(`(${preset} skipped: no such preset in this build)`);
    continue;
  }
  const steps = createRegistry().preset(preset);
  variants.push([preset, { preset }]);
  // Combined with int8 weights on whatever the technique left in float.
  // Sharing stores its weights as plain constants there (`dense`), so that the quantizer sees them.
  const options = preset === 'share' ? { 'share-filters': { dense: true } } : {};
  variants.push([`${preset} + int8-weights`, { passes: [...steps, { pass: 'upgrade-opset', options: { opset: 13 } }, 'quantize-weights'], options }]);
  // DCT codes only k×k kernels; the dense layers that dominate small CNNs need low-bit weights to reach 6x.
  if (preset === 'dct') variants.push([`${preset} + int4-weights`, { passes: [...steps, { pass: 'upgrade-opset', options: { opset: 13 } }, { pass: 'quantize-weights', options: { bits: 4 } }] }]);
}
const rows = [...(await fashionRows(variants, RUNS)), ...(await clsRows(variants, RUNS))];
printTable(rows, RUNS);
