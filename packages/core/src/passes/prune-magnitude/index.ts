import { Tensor } from '../../tensor/tensor.js';
import { definePass } from '../framework/define-pass.js';
import { setInput } from '../shared/constant-input.js';
import { countZeros, keepNofM, zeroSmallest } from './masks.js';
import { PRUNE_OPTIONS, planOf, type PrunePlan } from './options.js';
import { findTargets, type PruneTarget } from './targets.js';

/** One pruned weight, as the report lists it. */
export interface PrunedLayer {
  /** The weight's value name. */
  value: string;
  /** The first node that reads it. */
  node: string;
  /** That node's op type. */
  op: string;
  /** Elements in the weight. */
  count: number;
  /** Elements that are zero after pruning. */
  zeros: number;
  /** zeros / count, to four decimals. */
  sparsity: number;
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** Prunes the targets' weights in place as planned; returns those pruned (n:m passes over layers it cannot group). */
function prune(targets: PruneTarget[], plan: PrunePlan, skip: (t: PruneTarget, why: string) => void): PruneTarget[] {
  if (plan.pattern === 'n:m') {
    const { n, m } = plan;
    return targets.filter((t) => {
      const axis = t.inputAxis;
      if (axis === undefined || t.tensor.shape[axis]! % m !== 0) {
        skip(t, axis === undefined ? `no input-channel axis for ${n}:${m} groups; left dense` : `${t.tensor.shape[axis]} input channels are not a multiple of ${m}; left dense`);
        return false;
      }
      keepNofM(t.weights, t.tensor.shape, axis, n, m);
      return true;
    });
  }
  const { sparsity } = plan;
  if (plan.scope === 'layer') for (const t of targets) zeroSmallest([t.weights], Math.round(sparsity * t.weights.length));
  else zeroSmallest(targets.map((t) => t.weights), Math.round(sparsity * targets.reduce((n, t) => n + t.weights.length, 0)));
  return targets;
}

/** The prune-magnitude pass: the smallest-magnitude weights set to zero, to a target sparsity or in an N:M pattern; weights stay dense float32. */
export const pruneMagnitude = definePass({
  name: 'prune-magnitude',
  description:
    'Magnitude pruning: sets the float32 weights of Conv, ConvTranspose, Gemm and MatMul with the smallest |w| to zero, either to a target sparsity (one threshold across all layers, or per layer) or in an N:M pattern along the input channels (2:4 by default, as sparse tensor cores need). Biases are never pruned and kept weights are not rescaled. ' +
    'Weights stay dense float32 with zeros, so the file keeps its size; it shrinks once entropy coded (brotli or gzip, as served), and sparse kernels or a later pass can use the zeros.',
  options: PRUNE_OPTIONS,
  run(graph, ctx) {
    const plan = planOf(ctx.options);
    const targets = findTargets(graph, ctx.options, (node, why, warning) => {
      const message = `${node.op} ${node.name}: ${why}.`;
      if (warning) ctx.warn(message, { node: node.name });
      else ctx.info(message, { node: node.name });
    });
    const zerosBefore = new Map(targets.map((t) => [t, countZeros(t.weights)]));
    const pruned = prune(targets, plan, (t, why) => ctx.info(`${t.value.name}: ${why}.`, { value: t.value.name }));

    const layers: PrunedLayer[] = [];
    let changed = false;
    for (const t of pruned) {
      const zeros = countZeros(t.weights);
      layers.push({ value: t.value.name, node: t.readers[0]!.name, op: t.readers[0]!.op, count: t.weights.length, zeros, sparsity: round4(zeros / t.weights.length) });
      if (zeros === zerosBefore.get(t)) continue;
      changed = true;
      // A new constant (the old one may be read elsewhere); the old one goes once nothing reads it.
      const value = graph.constant(`${t.value.name}_pruned`, Tensor.from('float32', t.tensor.shape, t.weights));
      for (const node of t.readers) setInput(graph, node, 1, value);
    }
    const count = layers.reduce((n, l) => n + l.count, 0);
    const zeros = layers.reduce((n, l) => n + l.zeros, 0);
    ctx.report('pruned', layers.length);
    ctx.report('weights', count);
    ctx.report('zeros', zeros);
    ctx.report('sparsity', count ? round4(zeros / count) : 0);
    ctx.report('layers', layers);
    ctx.report('storage', 'dense float32 with zeros: the file keeps its size and shrinks only once entropy coded (brotli, gzip: the size on the wire)');
    if (changed) ctx.info('Pruned weights are stored dense: the model file is as large as before; compare sizes after brotli or gzip.');
    return changed;
  },
});
