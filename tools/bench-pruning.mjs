// Pruning and decomposition measured on the Fashion-MNIST CNN (accuracy) and
// PaddleOCR's classifier (fidelity to float on real images): sizes raw and
// brotli against float, MACs per sample, and latency against float on
// adapter-cpu, alternating runs in one process (tools/lib/bench.mjs).
// Calibration data (for prune's activation ranking and refit) comes from the
// training images, or the real images for PaddleOCR.
// Usage: node tools/bench-pruning.mjs [--runs N]
import { parseArgs } from 'node:util';
import { clsRows, fashionRows, printTable } from './lib/bench.mjs';

const { values } = parseArgs({ options: { runs: { type: 'string' } } });
const RUNS = Number(values.runs ?? 20);
const magnitude = (options) => ({ preset: 'cleanup', passes: [{ pass: 'prune-magnitude', options }] });
const variants = [
  ['prune (30% of MACs)', { preset: 'prune' }],
  ['prune-filters, ratio 0.3', { preset: 'cleanup', passes: [{ pass: 'prune-filters', options: { criterion: 'activation', ratio: 0.3 } }] }],
  ['decouple', { preset: 'decouple' }],
  ['decouple, 6 dB Convs / 7 dB dense', { preset: 'decouple', options: { decouple: { minSqnrDb: 6, denseMinSqnrDb: 7 } } }],
  ['prune-magnitude 50%', magnitude({ sparsity: 0.5 })],
  ['prune-magnitude 2:4', magnitude({ pattern: 'n:m' })],
  ['deep', { preset: 'deep' }],
];
const rows = [...(await fashionRows(variants, RUNS)), ...(await clsRows(variants, RUNS))];
printTable(rows, RUNS);
