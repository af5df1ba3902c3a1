/**
 * Filter merging (merge-filters): channels whose filter and bias are a
 * positive multiple of another's are computed once. The built model with
 * duplicated filters loses exactly its mergeable copies and keeps its
 * outputs; near-duplicates beyond the tolerance and trained filters stay.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpuRuntime } from '@condense/adapter-cpu';
import { compress, constantOf, createRegistry, Tensor, type Model } from '@condense/core';
import { decodeModel, encodeModelBytes } from '@condense/onnx';
import { describe, expect, it } from 'vitest';
import { INPUT, MERGEABLE, duplicatedFilters } from '../helpers/duplicated-filters.js';
import { FASHION, FASHION_CNN, testAccuracy } from '../helpers/fashion.js';
import { runOnce, uniform } from '../helpers/models.js';
import { compareOutputs, ort } from '../helpers/ort.js';

const input = uniform(INPUT, 99, 0, 1);
const run = async (model: Model) => runOnce(encodeModelBytes(model), { x: new ort.Tensor('float32', input, INPUT) });

const merge = async (model: Model, options: Record<string, unknown> = {}) => {
  const result = await compress(model, { preset: 'cleanup', passes: [{ pass: 'merge-filters', options }] }, { registry: createRegistry() });
  return result.passes.find((p) => p.pass === 'merge-filters')!.facts;
};

describe('merge-filters', () => {
  it('removes the copies that are positive multiples with the same bias ratio, and the outputs stay', async () => {
    const reference = await run(duplicatedFilters());
    const model = duplicatedFilters();
    const facts = await merge(model);
    console.log(`merge-filters on the duplicated-filter model: ${JSON.stringify(facts)}`);
    // The negative copy and the one whose bias ratio differs are not duplicates.
    expect(facts['channelsRemoved']).toBe(MERGEABLE);
    expect(facts['macsAfter'] as number).toBeLessThan(facts['macsBefore'] as number);
    const c1 = [...model.graph].find((n) => n.name === 'c1')!;
    expect(constantOf(c1.inputs[1])!.shape[0]).toBe(12 - MERGEABLE);
    const cmp = compareOutputs(await run(model), reference, 0, 1e-4);
    console.log(`merged vs original: max abs difference ${cmp.maxAbs.toExponential(2)}`);
    expect(cmp.ok).toBe(true);
  });

  it('leaves a copy alone once it is further than the tolerance from its original', async () => {
    const model = duplicatedFilters();
    // Channel 1 is 2x channel 0; move one of its weights by 1% of the filter's norm.
    const c1 = [...model.graph].find((n) => n.name === 'c1')!;
    const w = Float32Array.from(constantOf(c1.inputs[1])!.data<'float32'>());
    const norm = Math.hypot(...w.subarray(27, 54));
    w[27] += 0.01 * norm;
    c1.replaceInput(1, model.graph.constant('c1.w.moved', Tensor.from('float32', [12, 3, 3, 3], w)));
    expect((await merge(model))['channelsRemoved']).toBe(MERGEABLE - 1);
    expect((await merge(duplicatedFilters(), { tolerance: 0.02 }))['channelsRemoved']).toBe(MERGEABLE);
  });

  it.skipIf(!existsSync(FASHION))('finds no duplicates among trained filters: the Fashion CNN keeps every channel and its accuracy', async () => {
    const model = decodeModel(readFileSync(FASHION_CNN));
    const facts = await merge(model);
    expect(facts['channelsRemoved']).toBe(0);
    expect(await testAccuracy(model, cpuRuntime())).toBeCloseTo(await testAccuracy(decodeModel(readFileSync(FASHION_CNN)), cpuRuntime()), 2);
  }, 60_000);
});
