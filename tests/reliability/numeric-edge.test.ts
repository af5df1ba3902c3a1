/**
 * Numeric edge cases in the weights (NaN and infinities, constant layers,
 * all-zero channels and layers, denormals, an empty convolution): each lossy
 * pass must still produce a valid model that onnxruntime-node runs, with
 * finite positive scales, no NaN it did not inherit, no output made
 * non-finite that was finite before, and a warning where it met non-finite weights.
 */
import { compress, createRegistry, type CompressResult } from '@condense/core';
import { cpuRuntime } from '@condense/adapter-cpu';
import { describe, expect, it } from 'vitest';
import { inputBatches, outputsOf, sampleSource } from './passes/compare.js';
import { badQuantParams, constantsOf, newlyNonFinite } from './numeric/checks.js';
import { EDGE_KINDS, INPUT, edgeModel } from './numeric/edge-models.js';

const registry = createRegistry();
const runtime = cpuRuntime({ threads: 1 });
const calibration = inputBatches(INPUT.slice(1), 3, 2, 11);
const evaluation = inputBatches(INPUT.slice(1), 1, 2, 12);

/** The passes that compute scales, codebooks, norms or ranges from weight values; options that let them act on a model this small. */
const PASSES: Array<{ pass: string; options?: Record<string, unknown> }> = [
  { pass: 'quantize-weights', options: { minElements: 1 } },
  { pass: 'quantize-weights', options: { minElements: 1, bits: 4 } },
  { pass: 'quantize-static' },
  { pass: 'correct-bias', options: { minElements: 1 } },
  { pass: 'cluster-weights', options: { minElements: 1 } },
  { pass: 'dct-quantize', options: { minElements: 1 } },
  { pass: 'share-filters', options: { outputLayers: true, minShare: 0 } },
  { pass: 'merge-filters' },
  { pass: 'convert-float16' },
  { pass: 'convert-float16', options: { activations: true } },
  { pass: 'prune-filters', options: { channelMultiple: 2 } },
  { pass: 'prune-magnitude', options: { minElements: 1 } },
  { pass: 'equalize-cross-layer' },
  { pass: 'decouple', options: { rank: 1, outputLayers: true } },
];

describe('passes on numeric edge cases in the weights', () => {
  for (const kind of EDGE_KINDS) {
    for (const step of PASSES) {
      const label = `${step.pass}${step.options ? ` ${JSON.stringify(step.options)}` : ''}`;
      it(`${kind}: ${label}`, async () => {
        const model = edgeModel(kind);
        const before = constantsOf(model);
        const reference = await outputsOf(runtime, model, evaluation);
        let result: CompressResult;
        try {
          result = await compress(model, { passes: [step] }, { registry, runtime, samples: sampleSource(calibration) });
        } catch (e) {
          throw new Error(`${label} failed on ${kind} weights: ${(e as Error).message}`, { cause: e });
        }
        const warnings = result.passes.flatMap((p) => p.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.message));
        console.log(`${kind} / ${label}: changed ${result.passes[0]!.changed}; warnings: ${warnings.join(' | ') || 'none'}`);
        if (kind === 'nan-inf') expect(warnings.length, 'a warning about the NaN and infinite weights').toBeGreaterThan(0);
        expect(badQuantParams(model, before)).toEqual([]);
        const outputs = await outputsOf(runtime, model, evaluation);
        expect(newlyNonFinite(reference[0]!, outputs[0]!), 'outputs finite before and not after').toBe(0);
      });
    }
  }
});
