import { CondenseError } from '../../errors.js';
import { attr, getFloat } from '../../ir/attr.js';
import { constantOf } from '../../ir/constant.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Runtime, SampleSource } from '../../runtime.js';
import type { Tensor } from '../../tensor/tensor.js';
import { readBias, replaceConstantInput } from '../equalize-cross-layer/layer-constants.js';
import { channelLayout, type ChannelLayout } from '../equalize-cross-layer/layout.js';
import { measure } from './input-means.js';
import { meanShift } from './mean-shift.js';

/** The option every bias-correcting pass takes, declared once so they read the same. */
export const MAX_SAMPLES_OPTION = { type: 'number', integer: true, min: 1, default: 128, description: 'Samples used to measure the input means (batches are streamed).' } as const;

/**
 * A Conv or Gemm whose bias can take a per-output-channel correction, with its
 * float weights captured before a compressing pass replaces (and deletes) them.
 */
export interface BiasTarget {
  node: Node;
  layout: ChannelLayout;
  float: Tensor;
}

/**
 * `node` as a bias target, or undefined when its op, weight layout or bias
 * cannot take the correction. A layer with no bias qualifies: Conv's B and
 * Gemm's C are optional inputs, so a corrected one is simply added.
 */
export function biasTarget(node: Node): BiasTarget | undefined {
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
function applyCorrection(target: BiasTarget, shift: Float64Array): void {
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

export interface BiasCorrection {
  /** Samples the means were measured on. */
  samples: number;
  /** The largest |shift| subtracted from any channel. */
  largestShift: number;
}

/**
 * Empirical bias correction (Nagel et al. 2019) for `targets`, whose weight
 * input now reads the compressed weights (whatever nodes decode them). One run
 * of `graph` over the samples gives each target's per-channel input mean E[x]
 * and its weights as the runtime computes them, Wc; each bias then loses
 * (Wc - W)·E[x], the mean output shift the compression causes.
 */
export async function correctMeanShifts(graph: Graph, targets: readonly BiasTarget[], runtime: Runtime, samples: SampleSource, maxSamples: number): Promise<BiasCorrection> {
  const inputOf = (t: BiasTarget) => t.node.inputs[0]!.name;
  const weightOf = (t: BiasTarget) => t.node.inputs[1]!.name;
  const m = await measure(runtime, graph, targets.map(inputOf), targets.map(weightOf), samples, maxSamples);
  if (m.samples === 0) throw new CondenseError('E_BAD_OPTION', 'The sample data held no samples; bias correction needs at least one.');
  let largestShift = 0;
  for (const t of targets) {
    const shift = meanShift(t.layout, t.float.data<'float32'>(), m.weights.get(weightOf(t))!, m.means.get(inputOf(t))!);
    for (const s of shift) largestShift = Math.max(largestShift, Math.abs(s));
    applyCorrection(t, shift);
  }
  return { samples: m.samples, largestShift };
}
