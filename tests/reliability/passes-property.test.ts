/**
 * Every built-in pass and preset keeps a model's meaning: on random small CNNs
 * (seeded), the compressed model still validates, onnxruntime-node runs it, and
 * its outputs stay within the bound passes/bounds.ts states for that pass.
 * The table must name every pass and preset of createRegistry().
 *
 * PROPERTY_MODELS (default 16) and PROPERTY_SEED (default 1) widen or move the run;
 * PROPERTY_REPORT=1 prints the worst distance seen per entry (to recalibrate).
 */
import { compress, createRegistry, type CompressResult, type Tensor } from '@condense/core';
import { cpuRuntime } from '@condense/adapter-cpu';
import { decodeModel, encodeModelBytes } from '@condense/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASS_BOUNDS, PRESET_BOUNDS, type Expectation } from './passes/bounds.js';
import { distance, inputBatches, outputsOf, sampleSource, type Distance } from './passes/compare.js';
import { randomCnn, type RandomCnn } from './passes/random-cnn.js';

const MODELS = Number(process.env.PROPERTY_MODELS ?? 16);
const SEED = Number(process.env.PROPERTY_SEED ?? 1);
const EVAL_BATCH = 8;
const registry = createRegistry();
// One thread: the numbers do not depend on how the work is split, and test files run side by side.
const runtime = cpuRuntime({ threads: 1 });

interface Fixture {
  cnn: RandomCnn;
  bytes: Uint8Array;
  calibration: Tensor[];
  evaluation: Tensor[];
  reference: Float32Array[];
}
const fixtures: Fixture[] = [];

beforeAll(async () => {
  for (let i = 0; i < MODELS; i++) {
    const cnn = randomCnn(SEED * 1000 + i);
    const evaluation = inputBatches(cnn.sample, 2, EVAL_BATCH, SEED * 1000 + i + 500);
    fixtures.push({ cnn, bytes: encodeModelBytes(cnn.model), calibration: inputBatches(cnn.sample, 4, 4, SEED * 1000 + i), evaluation, reference: await outputsOf(runtime, cnn.model, evaluation) });
  }
}, 120_000);

interface Entry {
  label: string;
  expectation: Expectation;
  recipe: object;
}
const entries: Entry[] = [
  ...Object.entries(PASS_BOUNDS).map(([name, e]) => ({ label: `pass ${name}`, expectation: e, recipe: { passes: [...(e.before ?? []), e.options ? { pass: name, options: e.options } : name] } })),
  ...Object.entries(PRESET_BOUNDS).map(([name, e]) => ({ label: `preset ${name}`, expectation: e, recipe: { preset: name } })),
];

const report: string[] = [];
afterAll(() => {
  if (process.env.PROPERTY_REPORT) console.log(['| entry | models changed | worst max relative | worst mean cosine | worst SQNR dB |', '| --- | --- | --- | --- | --- |', ...report].join('\n'));
});

describe('built-in passes keep semantics on random CNNs', () => {
  it('the bounds table names every built-in pass and preset, and nothing else', () => {
    expect(Object.keys(PASS_BOUNDS).sort()).toEqual(registry.names());
    expect(Object.keys(PRESET_BOUNDS).sort()).toEqual(registry.presetNames());
  });

  for (const entry of entries) {
    it(`${entry.label}: within ${JSON.stringify(entry.expectation.bound)}`, async () => {
      const failures: string[] = [];
      let changed = 0;
      const worst = { maxRelative: 0, cosine: 1, sqnrDb: Infinity };
      for (const [i, f] of fixtures.entries()) {
        const model = decodeModel(f.bytes);
        let result: CompressResult;
        try {
          result = await compress(model, entry.recipe, { registry, runtime, samples: sampleSource(f.calibration) });
        } catch (e) {
          failures.push(`model ${i} (${f.cnn.summary}): ${(e as Error).message}`);
          continue;
        }
        if (result.passes.some((p) => p.changed)) changed++;
        let outputs: Float32Array[];
        try {
          outputs = await outputsOf(runtime, model, f.evaluation);
        } catch (e) {
          failures.push(`model ${i} (${f.cnn.summary}): onnxruntime cannot run the result: ${(e as Error).message.split('\n')[0]}`);
          continue;
        }
        const d = distance(f.reference, outputs, EVAL_BATCH, f.cnn.classes);
        worst.maxRelative = Math.max(worst.maxRelative, d.maxRelative);
        worst.cosine = Math.min(worst.cosine, d.cosine);
        worst.sqnrDb = Math.min(worst.sqnrDb, d.sqnrDb);
        const why = violation(entry.expectation, d);
        if (why) failures.push(`model ${i} (${f.cnn.summary}): ${why}`);
      }
      report.push(`| ${entry.label} | ${changed}/${fixtures.length} | ${worst.maxRelative.toExponential(2)} | ${worst.cosine.toFixed(5)} | ${worst.sqnrDb.toFixed(1)} |`);
      expect(failures, failures.join('\n')).toEqual([]);
      // A bound on a pass that never acts proves nothing.
      expect(changed, `${entry.label} changed none of the ${fixtures.length} models`).toBeGreaterThan(0);
    }, 120_000);
  }
});

function violation(e: Expectation, d: Distance): string | undefined {
  const b = e.bound;
  if (b.kind === 'exact') return d.maxRelative <= b.maxRelative ? undefined : `outputs moved by ${d.maxRelative.toExponential(2)} of their range (bound ${b.maxRelative})`;
  if (!(d.cosine >= b.minCosine)) return `mean cosine ${d.cosine.toFixed(5)} (bound ${b.minCosine})`;
  if (!(d.sqnrDb >= b.minSqnrDb)) return `SQNR ${d.sqnrDb.toFixed(1)} dB (bound ${b.minSqnrDb})`;
  return undefined;
}
