import { CondenseError } from '../../errors.js';
import { constantOf } from '../../ir/constant.js';
import type { Value } from '../../ir/value.js';
import type { Tensor } from '../../tensor/tensor.js';
import { definePass } from '../framework/define-pass.js';
import type { PassContext } from '../framework/context.js';
import { PACKABLE_BITS } from '../quantize-weights/packed.js';
import { MAX_SAMPLES_OPTION, biasTarget, correctMeanShifts, type BiasTarget } from '../shared/bias-correction.js';
import { sqnrDb } from '../shared/sqnr.js';
import { BITSHIFT_OPSET, CAST_OPSET, addDecoded } from './decode.js';
import { clusterGroups, decodePalette, outputChannelAxis } from './groups.js';
import { KMEANS_INITS } from './kmeans.js';

/** One clustered weight, as the report lists it. */
export interface ClusteredLayer {
  value: string;
  op: string;
  count: number;
  bits: number;
  /** Codebooks: 1, or one per group of output channels. */
  groups: number;
  floatBytes: number;
  storedBytes: number;
  sqnrDb: number;
}

/** SQNR of the decoded weight against the original, in dB to two decimals. */
function weightSqnrDb(original: Float32Array, decoded: Float32Array): number {
  const db = sqnrDb(original, decoded);
  return Number.isFinite(db) ? Math.round(100 * db) / 100 : db;
}

/**
 * Pass requirements are static (definePass's `requires`), and this pass needs a
 * runtime and samples only with biasCorrection, so it checks for them itself,
 * before it changes anything.
 */
function checkBiasCorrectionInputs(ctx: PassContext<unknown>): void {
  const missing = [
    !ctx.runtime && "a runtime (compress's runtime option, or the CLI's --adapter)",
    !ctx.samples && "sample data (compress's samples option, or the CLI's --calib)",
  ].filter(Boolean);
  if (missing.length) throw new CondenseError('E_BAD_OPTION', `biasCorrection needs ${missing.join(' and ')} to measure the layers' input means; pass ${missing.length > 1 ? 'them' : 'it'}, or set biasCorrection to false.`);
}

/** The cluster-weights pass: weight clustering (palettization), 2^bits shared float32 values per tensor or per group of output channels, stored as packed indices read through Gather. */
export const clusterWeights = definePass({
  name: 'cluster-weights',
  description:
    'Clusters the float32 weights of Conv, ConvTranspose, Gemm and MatMul to 2^bits shared values (1-D k-means per tensor, or per group of output channels), stored as packed indices into a float32 codebook and read through Gather (palettization). ' +
    'Optionally corrects the Conv/Gemm biases for the mean output shift the clustered weights cause, measured on samples as correct-bias does.',
  options: {
    bits: { type: 'number', integer: true, min: 2, max: 8, default: 4, description: 'Bits per index: 2^bits clusters per codebook (2 and 4 are packed into bytes at opset 11+; other widths take a byte each).' },
    groupSize: {
      type: 'number',
      integer: true,
      min: 0,
      default: 0,
      description:
        'Output channels that share one codebook (per-grouped-channel palettization): 0 keeps one codebook per tensor, 1 gives every output channel its own; the last group may be smaller. ' +
        'The output-channel axis is 0 for Conv, 1 for ConvTranspose, 0 (transB=1) or 1 for Gemm, the last for MatMul. Each group stores 2^bits floats and each output channel an int32 offset into the concatenated codebook.',
    },
    preserveZeros: {
      type: 'boolean',
      default: false,
      description: 'Exact zeros (a pruned weight) keep a codebook entry of 0 to themselves and the other weights share the rest, so pruning survives clustering (Deep Compression\'s order: prune, then cluster).',
    },
    init: { type: 'string', enum: KMEANS_INITS, default: 'kmeans++', description: 'First centroids: kmeans++ (seeded, deterministic), linear (evenly spaced from min to max) or density (quantiles).' },
    iterations: { type: 'number', integer: true, min: 0, default: 30, description: 'Most Lloyd iterations; stops earlier once no weight changes cluster.' },
    minElements: { type: 'number', integer: true, min: 1, default: 1024, description: 'Weights with fewer elements stay float (biases, tiny layers).' },
    ops: { type: 'string[]', default: ['Conv', 'ConvTranspose', 'Gemm', 'MatMul'], description: 'Ops whose weights are clustered.' },
    biasCorrection: {
      type: 'boolean',
      default: false,
      description:
        "After clustering, subtracts each Conv/Gemm output channel's mean shift, (Wclustered - W)·E[x], from its bias (a layer without one gets one), with E[x] measured on the samples through the runtime, as correct-bias does; needs a runtime and samples. " +
        'MatMul (which has no bias input) and ConvTranspose (whose strided windows do not see the input mean uniformly) stay uncorrected.',
    },
    maxSamples: { ...MAX_SAMPLES_OPTION, description: 'With biasCorrection: samples used to measure the input means (batches are streamed).' },
  },
  async run(graph, ctx) {
    const o = ctx.options;
    if (o.biasCorrection) checkBiasCorrectionInputs(ctx);
    const opset = graph.root.opset[''] ?? 1;
    if (opset < CAST_OPSET) {
      ctx.warn(`opset ${opset} has no Cast with an integer target (added in ${CAST_OPSET}); weights left in float.`);
      return false;
    }
    if (PACKABLE_BITS.has(o.bits) && opset < BITSHIFT_OPSET) ctx.info(`opset ${opset} has no BitShift (added in ${BITSHIFT_OPSET}): indices are stored one per byte.`);
    const done = new Map<Tensor, Value>();
    const layers: ClusteredLayer[] = [];
    const targets: BiasTarget[] = [];
    // Progress counts the layers of the clustered ops, whether or not their weights qualify (k-means is the long part).
    const total = [...graph].filter((n) => n.domain === '' && o.ops.includes(n.op)).length;
    let seen = 0;
    for (const node of graph) {
      if (node.domain !== '' || !o.ops.includes(node.op)) continue;
      ctx.progress(seen++, total, 'clustering');
      await ctx.checkpoint();
      const weight = node.inputs[1];
      const w = constantOf(weight);
      if (!weight || !w || w.dtype !== 'float32' || w.size < o.minElements) continue;
      // A weight shared by several nodes is clustered once, grouped along the first reader's channel axis.
      let decoded = done.get(w);
      if (!decoded) {
        const data = w.data<'float32'>();
        if (!data.every(Number.isFinite)) {
          ctx.warn(`${weight.name} has non-finite values; left in float.`, { node: node.name });
          continue;
        }
        const axis = outputChannelAxis(node, w.rank);
        if (o.groupSize > 0 && axis === undefined) ctx.info(`${node.op} ${node.name}: no output-channel axis in a rank-${w.rank} weight; one codebook for the tensor.`, { node: node.name });
        const palette = clusterGroups(data, w.shape, axis, o.groupSize, 2 ** o.bits, { init: o.init, iterations: o.iterations, preserveZeros: o.preserveZeros });
        const { weight: out, storedBytes } = addDecoded(graph, weight.name, palette, w.shape, o.bits, node);
        decoded = out;
        done.set(w, decoded);
        const sqnr = weightSqnrDb(data, decodePalette(palette, w.shape));
        layers.push({ value: weight.name, op: node.op, count: w.size, bits: o.bits, groups: palette.groups, floatBytes: w.byteLength, storedBytes, sqnrDb: sqnr });
      }
      if (o.biasCorrection) {
        // Captured while the float weights are still the node's input.
        const target = biasTarget(node);
        if (target) targets.push(target);
        else ctx.info(`${node.op} ${node.name}: bias not corrected (only Conv and Gemm with a float32 per-channel bias, or none, take the correction).`, { node: node.name });
      }
      node.replaceInput(1, decoded);
      // The float weights are gone from the file once nothing else reads them.
      if (weight.useCount === 0 && weight.const && !graph.inputs.includes(weight)) graph.deleteValue(weight);
    }
    ctx.progress(total, total, 'clustering');
    ctx.report('clustered', layers.length);
    ctx.report('floatBytes', layers.reduce((s, l) => s + l.floatBytes, 0));
    ctx.report('storedBytes', layers.reduce((s, l) => s + l.storedBytes, 0));
    ctx.report('layers', layers);
    if (o.biasCorrection) {
      ctx.report('biasesCorrected', targets.length);
      if (targets.length) {
        const { samples, largestShift } = await correctMeanShifts(graph, targets, ctx.runtime!, ctx.samples!, o.maxSamples);
        ctx.report('samples', samples);
        ctx.report('largestShift', largestShift);
      }
    }
    return layers.length > 0;
  },
});
