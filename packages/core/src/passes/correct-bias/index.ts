import { CondenseError } from '../../errors.js';
import { attr, getFloat } from '../../ir/attr.js';
import { constantOf } from '../../ir/constant.js';
import type { Node } from '../../ir/node.js';
import type { Tensor } from '../../tensor/tensor.js';
import { readBias, replaceConstantInput } from '../equalize-cross-layer/layer-constants.js';
import { channelLayout, type ChannelLayout } from '../equalize-cross-layer/layout.js';
import { definePass } from '../framework/define-pass.js';
import { quantizeWeights } from '../quantize-weights/index.js';
import { measure } from './input-means.js';
import { meanShift } from './shift.js';

/** A layer whose bias can take a correction, with its float weights captured before quantization deletes them. */
interface Target {
  node: Node;
  layout: ChannelLayout;
  float: Tensor;
}

function correctable(node: Node): Target | undefined {
  if (node.domain !== '' || (node.op !== 'Conv' && node.op !== 'Gemm')) return undefined;
  const float = constantOf(node.inputs[1]);
  const layout = float?.dtype === 'float32' ? channelLayout(node, float) : undefined;
  if (!float || !layout || readBias(node, layout.outChannels) === undefined) return undefined;
  return { node, layout, float };
}

/**
 * Subtracts the mean shift from the bias: Conv's b - shift; Gemm adds beta*C
 * to alpha*A*B, so C takes -alpha*shift/beta (and a Gemm with no C, or beta 0,
 * gets C = -alpha*shift with beta 1).
 */
function applyCorrection(target: Target, shift: Float64Array): void {
  const { node } = target;
  const graph = node.graph!;
  const bias = readBias(node, shift.length) ?? new Float64Array(shift.length);
  let alpha = 1;
  let beta = 1;
  if (node.op === 'Gemm') {
    alpha = getFloat(node.attrs, 'alpha', 1);
    beta = node.inputs[2] ? getFloat(node.attrs, 'beta', 1) : 0;
    if (beta === 0) {
      bias.fill(0);
      beta = 1;
      node.setAttr('beta', attr.float(1));
    }
  }
  const corrected = bias.map((b, c) => b - (alpha * shift[c]!) / beta);
  replaceConstantInput(graph, node, 2, corrected, [shift.length], 'corrected');
}

export const correctBias = definePass({
  name: 'correct-bias',
  description:
    'Weight quantization with empirical bias correction (Nagel et al. 2019): runs quantize-weights (same options), then on the quantized model measures each Conv/Gemm input\'s per-channel mean on the samples and subtracts the mean output shift the rounded weights cause, (Wq - W)·E[x], from the float bias. ' +
    'It wraps quantize-weights instead of running after it because the correction needs the float weights, which quantization deletes: here they are captured first, so the correction always matches the weights actually stored, with no second set of quantizer options to keep in step. ' +
    'Conv windows use the input channel\'s mean at every kernel position (padding ignored).',
  requires: ['runtime', 'samples'],
  options: {
    ...quantizeWeights.options,
    maxSamples: { type: 'number', integer: true, min: 1, default: 128, description: 'Samples used to measure the input means (batches are streamed).' },
  },
  async run(graph, ctx) {
    const { maxSamples, ...quantizeOptions } = ctx.options;
    const targets: Target[] = [];
    for (const node of graph) {
      const t = correctable(node);
      if (t) targets.push(t);
    }
    // quantize-weights sees its own options and this pass's context (reports and warnings land here).
    const changed = await quantizeWeights.run(graph, Object.create(ctx, { options: { value: quantizeOptions } }) as Parameters<typeof quantizeWeights.run>[1]);
    const quantized = targets.filter((t) => t.node.inputs[1]?.producer()?.op === 'DequantizeLinear');
    ctx.report('biasesCorrected', quantized.length);
    if (quantized.length === 0) return changed;
    const m = await measure(ctx.runtime!, graph, quantized.map((t) => t.node.inputs[0]!.name), quantized.map((t) => t.node.inputs[1]!.name), ctx.samples!, maxSamples);
    if (m.samples === 0) throw new CondenseError('E_BAD_OPTION', 'The sample data held no samples; bias correction needs at least one.');
    let largest = 0;
    for (const t of quantized) {
      const shift = meanShift(t.layout, t.float.data<'float32'>(), m.weights.get(t.node.inputs[1]!.name)!, m.means.get(t.node.inputs[0]!.name)!);
      for (const s of shift) largest = Math.max(largest, Math.abs(s));
      applyCorrection(t, shift);
    }
    ctx.report('samples', m.samples);
    ctx.report('largestShift', largest);
    return true;
  },
});
