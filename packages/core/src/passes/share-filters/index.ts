import { getInt } from '../../ir/attr.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import { countMacs } from '../../macs.js';
import { inferShapes } from '../../shape-inference/index.js';
import { readBias } from '../equalize-cross-layer/layer-constants.js';
import { findPairs, type LayerPair } from '../equalize-cross-layer/pairs.js';
import { definePass } from '../framework/define-pass.js';
import { clusterFilters } from './cluster.js';
import { isOutputLayer, markTransposed, readFilters, splitBias, withBias } from './filters.js';
import { alignMerges, findMerges, foldInputChannels, type Merge } from './merge.js';
import { addSharedWeight, floatConstant, setInput } from './storage.js';

/** One shared layer, as the report lists it. */
export interface SharedLayer {
  layer: string;
  op: string;
  filters: number;
  centroids: number;
  sqnrDb: number;
  channelsRemoved: number;
}

/** MACs per sample of the whole graph, or undefined where shapes cannot be inferred. */
function graphMacs(graph: Graph): number | undefined {
  try {
    inferShapes(graph);
  } catch {
    return undefined;
  }
  const count = countMacs(graph);
  return count.unknown.length ? undefined : count.macs;
}

/** The second layer's input-channel axis, when its input channels can be folded (Gemm, or a Conv of group 1). */
function channelAxis(second: Node): number | undefined {
  if (second.op === 'Gemm') return getInt(second.attrs, 'transB', 0) ? 1 : 0;
  return getInt(second.attrs, 'group', 1) === 1 ? 1 : undefined;
}

/** A value whose channel count (axis 1) changed: its declared shape must follow, or runtimes reject the model. */
function setChannels(v: Value | null | undefined, channels: number): void {
  const shape = v?.type?.shape;
  if (v?.type && shape && shape.length > 1) v.type = { ...v.type, shape: shape.map((d, i) => (i === 1 ? channels : d)) };
}

/** Removes the merged output channels of the pair's first layer and folds them into the second layer. */
function applyMerges(graph: Graph, pair: LayerPair, merges: Merge[], channels: number, axis: number): void {
  const { first, second } = pair;
  const folded = foldInputChannels(second, merges, axis);
  setInput(graph, second.node, 1, floatConstant(graph, `${second.node.inputs[1]!.name}_merged`, folded.shape, folded.weights));
  // The layer's output and, when there is one, the activation between it and the second layer.
  const out = first.node.outputs[0];
  setChannels(out, channels);
  const between = out?.uses()[0]?.node;
  if (between && between !== second.node) setChannels(between.outputs[0], channels);
}

export const shareFilters = definePass({
  name: 'share-filters',
  description:
    'Filter sharing: the output filters of each Conv (group 1) and Gemm are clustered by direction (spherical k-means with least-squares per-filter scales), with the fewest clusters that keep the weight SQNR at or above the layer\'s budget (bisection). Stored as Mul(Gather(centroids, indices), scales), folded by runtimes at load. Where a Relu/LeakyRelu and a Conv/Gemm follow, biases are clustered with their filters and channels left exact positive multiples of another are removed and folded into the next layer, which makes the graph smaller and lowers MACs.',
  options: {
    minSqnrDb: { type: 'number', min: 0, default: 25, description: 'Smallest weight reconstruction SQNR (dB) allowed per Conv and per output Gemm; the number of shared filters is the fewest that keeps it.' },
    denseMinSqnrDb: {
      type: 'number',
      min: 0,
      default: 6,
      description: 'The same floor for hidden fully connected layers (a Gemm followed by an activation and another layer). Their neurons merge into fewer, so the graph shrinks; a wide fan-in averages the error out, so they take a far lower floor than filters.',
    },
    merge: { type: 'boolean', default: true, description: 'Remove output channels that sharing made proportional to another one, folding them into the next layer (exact: outputs stay those of the shared model).' },
    minShare: {
      type: 'number',
      min: 0,
      max: 1,
      default: 0.25,
      description: 'Smallest fraction of a layer\'s filters that sharing must remove for the layer to be shared: trained filters are rarely redundant, and a layer keeping 30 of 32 would add its error for a 6% saving.',
    },
    channelMultiple: {
      type: 'number',
      integer: true,
      min: 1,
      default: 8,
      description: 'A layer with a multiple of this many channels keeps a multiple of it when channels merge: kernels work on blocks of channels, and an odd count runs slower than the original.',
    },
    outputLayers: { type: 'boolean', default: false, description: 'Share the filters of the output layers too (those whose result reaches a graph output through activations and reshapes only), whose filters each stand for one class.' },
    dense: { type: 'boolean', default: false, description: 'Store each shared weight as a plain constant instead of Gather/Mul: for a weight quantizer to follow (per-channel int8 then makes filters sharing a centroid identical rows).' },
    iterations: { type: 'number', integer: true, min: 0, default: 30, description: 'Most k-means iterations per trial cluster count; stops once no filter changes cluster.' },
  },
  run(graph, ctx) {
    const o = ctx.options;
    const macsBefore = graphMacs(graph);
    // Pairs are found first: they need the weights as constants, which sharing replaces.
    const pairs = new Map(findPairs(graph).map((p) => [p.first.node, p]));
    const layers: SharedLayer[] = [];
    for (const node of [...graph]) {
      const filters = readFilters(node);
      if (!filters || (!o.outputLayers && isOutputLayer(node))) continue;
      const weight = node.inputs[1]!;
      if (!filters.rows.every(Number.isFinite)) {
        ctx.warn(`${weight.name} has non-finite values; left as is.`, { node: node.name });
        continue;
      }
      const { count, size } = filters;
      const bias = readBias(node, count);
      const pair = pairs.get(node);
      const axis = pair && channelAxis(pair.second.node);
      // Where channels can merge, the bias is clustered with its filter so that channels sharing a centroid become exactly proportional
      // (with merge off too, so that merging is the only difference it makes).
      const mergeable = pair !== undefined && axis !== undefined && bias !== undefined;
      const withBiases = mergeable && bias ? bias : undefined;
      const budget = node.op === 'Gemm' && pair ? o.denseMinSqnrDb : o.minSqnrDb;
      const clustered = withBiases
        ? clusterFilters(withBias(filters, withBiases), count, size + 1, budget, o.iterations)
        : clusterFilters(filters.rows, count, size, budget, o.iterations);
      // A layer that keeps nearly all its filters would pay the error for almost no saving.
      if (!clustered || clustered.k > (1 - o.minShare) * count) continue;
      const split = withBiases ? splitBias(clustered, size) : { shared: clustered, bias: bias ?? null };
      const merges = o.merge && mergeable ? alignMerges(findMerges(split.shared, split.bias), count, o.channelMultiple) : [];
      const gone = new Set(merges.map((m) => m.from));
      const kept = [...Array(count).keys()].filter((c) => !gone.has(c));
      if (merges.length) applyMerges(graph, pair!, merges, kept.length, axis!);
      if (split.bias && (withBiases || merges.length)) {
        setInput(graph, node, 2, floatConstant(graph, `${node.inputs[2]!.name}_shared`, [kept.length], kept.map((c) => split.bias![c]!)));
      }
      setInput(graph, node, 1, addSharedWeight(graph, node, weight.name, split.shared, kept, filters.kernel, o.dense));
      markTransposed(node, filters);
      layers.push({ layer: node.name, op: node.op, filters: count, centroids: clustered.k, sqnrDb: Math.round(100 * clustered.sqnrDb) / 100, channelsRemoved: merges.length });
    }
    const macsAfter = graphMacs(graph);
    ctx.report('layers', layers);
    ctx.report('shared', layers.length);
    ctx.report('channelsRemoved', layers.reduce((s, l) => s + l.channelsRemoved, 0));
    if (macsBefore !== undefined) ctx.report('macsBefore', macsBefore);
    if (macsAfter !== undefined) ctx.report('macsAfter', macsAfter);
    if (macsBefore !== undefined && macsAfter !== undefined) ctx.info(`MACs per sample: ${macsBefore} before, ${macsAfter} after.`);
    return layers.length > 0;
  },
});
