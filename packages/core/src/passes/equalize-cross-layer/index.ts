import type { Graph } from '../../ir/graph.js';
import { definePass } from '../framework/define-pass.js';
import { replaceConstantInput } from './layer-constants.js';
import { findPairs, type Layer, type LayerPair } from './pairs.js';

/**
 * A sweep whose scales all lie within 0.1% of 1 (|log s| < 1e-3) is the end:
 * a weight range 0.1% off balance moves the quantization step by as much,
 * which no rounding can notice. Chains converge geometrically (each sweep
 * cuts the imbalance by 2-4x on the models tested), so this takes 8-12 sweeps.
 */
const CONVERGED = 1e-3;

/** max |w| over the weights `walk` visits; NaN if any is NaN (Math.max keeps it), so the caller can skip the channel. */
function maxAbs(weights: Float64Array, walk: (f: (index: number) => void) => void): number {
  let m = 0;
  walk((i) => (m = Math.max(m, Math.abs(weights[i]!))));
  return m;
}

/**
 * One sweep over every pair: output channel c of the first layer is divided
 * by s and input channel c of the second multiplied by it, with
 * s = sqrt(r1 / r2) from the channel's weight ranges, which makes both ranges
 * sqrt(r1 * r2). Returns the largest |log s| applied.
 */
function sweep(pairs: LayerPair[], equalized: Set<LayerPair>, nonFinite: Set<LayerPair>): number {
  let largest = 0;
  for (const pair of pairs) {
    const { first, second } = pair;
    for (let c = 0; c < first.layout.outChannels; c++) {
      const r1 = maxAbs(first.weights, (f) => first.layout.forOut(c, f));
      const r2 = maxAbs(second.weights, (f) => second.layout.forIn(c, f));
      if (!Number.isFinite(r1) || !Number.isFinite(r2)) nonFinite.add(pair);
      // A dead (all-zero) or non-finite channel has no range to balance; scaling it would only spread zeros or NaNs.
      if (!(r1 > 0 && r2 > 0 && Number.isFinite(r1) && Number.isFinite(r2))) continue;
      const s = Math.sqrt(r1 / r2);
      if (s === 1) continue;
      first.layout.forOut(c, (i) => (first.weights[i]! /= s));
      if (first.bias) first.bias[c]! /= s;
      second.layout.forIn(c, (i) => (second.weights[i]! *= s));
      first.changed = second.changed = true;
      equalized.add(pair);
      largest = Math.max(largest, Math.abs(Math.log(s)));
    }
  }
  return largest;
}

/** Writes a rescaled layer's weights and bias back as new float32 constants (rounded once, after all sweeps). */
function writeBack(graph: Graph, layer: Layer): void {
  replaceConstantInput(graph, layer.node, 1, layer.weights, layer.shape, 'equalized');
  if (layer.bias) replaceConstantInput(graph, layer.node, 2, layer.bias, [layer.bias.length], 'equalized');
}

/** The equalize-cross-layer pass: cross-layer equalization, per-channel scales moved between consecutive Conv/Gemm layers so per-tensor weight quantization loses less; the float function is unchanged. */
export const equalizeCrossLayer = definePass({
  name: 'equalize-cross-layer',
  description:
    'Cross-layer equalization (Nagel et al. 2019, data-free quantization): for consecutive Conv/Gemm pairs (optionally through Relu or LeakyRelu, never Clip/ReLU6, whose bound is not scale-invariant) it moves a per-channel scale from the first layer\'s output channels to the second\'s input channels so both have the same weight range: where BatchNorm folding left channel ranges orders of magnitude apart, per-tensor weight quantization becomes far more accurate. Grouped and depthwise convolutions included; the float function is unchanged. Run it after cleanup (BatchNormalization folded) and before quantizing.',
  options: {
    iterations: { type: 'number', integer: true, min: 1, max: 1000, default: 20, description: 'Sweeps over all pairs at most (a layer in two pairs is rebalanced by both, so ranges settle over several sweeps); stops early once converged.' },
  },
  run(graph, ctx) {
    const pairs = findPairs(graph);
    const equalized = new Set<LayerPair>();
    const nonFinite = new Set<LayerPair>();
    let sweeps = 0;
    let converged = pairs.length === 0;
    while (!converged && sweeps < ctx.options.iterations) {
      sweeps++;
      converged = sweep(pairs, equalized, nonFinite) < CONVERGED;
    }
    for (const { first, second } of nonFinite) ctx.warn(`${first.node.name} -> ${second.node.name}: channels with NaN or infinite weights were left as they are.`, { node: first.node.name });
    const layers = new Set(pairs.flatMap((p) => [p.first, p.second]).filter((l) => l.changed));
    for (const layer of layers) writeBack(graph, layer);
    ctx.report('pairs', equalized.size);
    ctx.report('layers', layers.size);
    ctx.report('iterations', sweeps);
    ctx.report('converged', converged);
    return layers.size > 0;
  },
});
