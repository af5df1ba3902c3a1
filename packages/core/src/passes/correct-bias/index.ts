import { definePass } from '../framework/define-pass.js';
import { quantizeWeights } from '../quantize-weights/index.js';
import { MAX_SAMPLES_OPTION, biasTarget, correctMeanShifts, type BiasTarget } from '../shared/bias-correction.js';

/** The correct-bias pass: quantize-weights, then each Conv/Gemm bias corrected for the mean output shift the rounded weights cause, measured on samples (needs a runtime and samples). */
export const correctBias = definePass({
  name: 'correct-bias',
  description:
    'Weight quantization with empirical bias correction (Nagel et al. 2019): runs quantize-weights (same options), then on the quantized model measures each Conv/Gemm input\'s per-channel mean on the samples and subtracts the mean output shift the rounded weights cause, (Wq - W)·E[x], from the float bias. ' +
    'It wraps quantize-weights instead of running after it because the correction needs the float weights, which quantization deletes: here they are captured first, so the correction always matches the weights actually stored, with no second set of quantizer options to keep in step. ' +
    'Conv windows use the input channel\'s mean at every kernel position (padding ignored).',
  requires: ['runtime', 'samples'],
  options: {
    ...quantizeWeights.options,
    maxSamples: MAX_SAMPLES_OPTION,
  },
  async run(graph, ctx) {
    const { maxSamples, ...quantizeOptions } = ctx.options;
    // Captured first: quantization deletes the float weights the correction is measured against.
    const targets: BiasTarget[] = [];
    for (const node of graph) {
      const t = biasTarget(node);
      if (t) targets.push(t);
    }
    // quantize-weights sees its own options and this pass's context (reports and warnings land here).
    const changed = await quantizeWeights.run(graph, Object.create(ctx, { options: { value: quantizeOptions } }) as Parameters<typeof quantizeWeights.run>[1]);
    const quantized = targets.filter((t) => t.node.inputs[1]?.producer()?.op === 'DequantizeLinear');
    ctx.report('biasesCorrected', quantized.length);
    if (quantized.length === 0) return changed;
    const { samples, largestShift } = await correctMeanShifts(graph, quantized, ctx.runtime!, ctx.samples!, maxSamples);
    ctx.report('samples', samples);
    ctx.report('largestShift', largestShift);
    return true;
  },
});
