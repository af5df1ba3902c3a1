import { getInt } from '../../ir/attr.js';
import { constantOf } from '../../ir/constant.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import { countMacs } from '../../macs.js';
import { inferShapes } from '../../shape-inference/index.js';
import { readBias } from '../equalize-cross-layer/layer-constants.js';
import { findPairs, type LayerPair } from '../equalize-cross-layer/pairs.js';
import { definePass } from '../framework/define-pass.js';
import { clusterFilters } from './cluster.js';
import { findMerges, foldInputChannels, type Merge } from './merge.js';
import { addSharedWeight, floatConstant, setInput } from './storage.js';

/** One shared Conv, as the report lists it. */
export interface SharedLayer {
  conv: string;
  filters: number;
  centroids: number;
  sqnrDb: number;
  channelsRemoved: number;
}

/** Conv MACs per sample (O·I/g·kh·kw·Hout·Wout), or undefined where shapes cannot be inferred. */
function convMacs(graph: Graph): number | undefined {
  try {
    inferShapes(graph);
  } catch {
    return undefined;
  }
  const count = countMacs(graph);
  return count.unknown.length ? undefined : (count.byOp['Conv'] ?? 0);
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

/** Removes the merged output channels of the pair's first Conv (its bias too) and folds them into the second layer. */
function applyMerges(graph: Graph, pair: LayerPair, merges: Merge[], bias: Float64Array | null, kept: number[], axis: number): void {
  const { first, second } = pair;
  const folded = foldInputChannels(second, merges, axis);
  setInput(graph, second.node, 1, floatConstant(graph, `${second.node.inputs[1]!.name}_merged`, folded.shape, folded.weights));
  if (bias) setInput(graph, first.node, 2, floatConstant(graph, `${first.node.inputs[2]!.name}_merged`, [kept.length], kept.map((c) => bias[c]!)));
  // The Conv's output and, when there is one, the activation between it and the second layer.
  const out = first.node.outputs[0];
  setChannels(out, kept.length);
  const between = out?.uses()[0]?.node;
  if (between && between !== second.node) setChannels(between.outputs[0], kept.length);
}

export const shareFilters = definePass({
  name: 'share-filters',
  description:
    'Filter sharing: the output filters of each Conv (group 1) are clustered by direction (spherical k-means with least-squares per-filter scales), with the fewest clusters that keep the weight SQNR at or above minSqnrDb (bisection). Stored as Mul(Gather(centroids, indices), scales), folded by runtimes at load. With merge, channels that become exact positive multiples of another (same centroid, same bias-to-scale ratio) before a Relu/LeakyRelu and a Conv/Gemm are removed and folded into the next layer, which lowers MACs.',
  options: {
    minSqnrDb: { type: 'number', min: 0, default: 20, description: "Smallest weight reconstruction SQNR (dB) allowed per layer; the number of shared filters is the fewest that keeps it." },
    merge: { type: 'boolean', default: true, description: 'Remove output channels that sharing made proportional to another one, folding them into the next layer (exact: outputs stay those of the shared model).' },
    dense: { type: 'boolean', default: false, description: 'Store each shared weight as a plain constant instead of Gather/Mul: for a weight quantizer to follow (per-channel int8 then makes filters sharing a centroid identical rows).' },
    iterations: { type: 'number', integer: true, min: 0, default: 30, description: 'Most k-means iterations per trial cluster count; stops once no filter changes cluster.' },
  },
  run(graph, ctx) {
    const o = ctx.options;
    const macsBefore = convMacs(graph);
    // Pairs are found first: they need the Conv weights as constants, which sharing replaces.
    const pairs = new Map(findPairs(graph).map((p) => [p.first.node, p]));
    const layers: SharedLayer[] = [];
    for (const node of [...graph]) {
      if (node.domain !== '' || node.op !== 'Conv' || getInt(node.attrs, 'group', 1) !== 1) continue;
      const weight = node.inputs[1];
      const w = constantOf(weight);
      // A weight another node also reads would be stored twice.
      if (!weight || !w || w.dtype !== 'float32' || w.rank < 3 || weight.useCount !== 1) continue;
      const data = w.data<'float32'>();
      if (!data.every(Number.isFinite)) {
        ctx.warn(`${weight.name} has non-finite values; left as is.`, { node: node.name });
        continue;
      }
      const [count, ...kernel] = w.shape as number[];
      const shared = clusterFilters(data, count!, w.size / count!, o.minSqnrDb, o.iterations);
      if (!shared) continue;
      const bias = readBias(node, count!);
      const pair = pairs.get(node);
      const axis = pair && channelAxis(pair.second.node);
      const merges = o.merge && pair && axis !== undefined && bias !== undefined ? findMerges(shared, bias) : [];
      const gone = new Set(merges.map((m) => m.from));
      const kept = [...Array(count).keys()].filter((c) => !gone.has(c));
      if (merges.length) applyMerges(graph, pair!, merges, bias ?? null, kept, axis!);
      setInput(graph, node, 1, addSharedWeight(graph, node, weight.name, shared, kept, kernel, o.dense));
      layers.push({ conv: node.name, filters: count!, centroids: shared.k, sqnrDb: Math.round(100 * shared.sqnrDb) / 100, channelsRemoved: merges.length });
    }
    const macsAfter = convMacs(graph);
    ctx.report('layers', layers);
    ctx.report('shared', layers.length);
    ctx.report('channelsRemoved', layers.reduce((s, l) => s + l.channelsRemoved, 0));
    if (macsBefore !== undefined) ctx.report('macsBefore', macsBefore);
    if (macsAfter !== undefined) ctx.report('macsAfter', macsAfter);
    if (macsBefore !== undefined && macsAfter !== undefined) ctx.info(`Conv MACs per sample: ${macsBefore} before, ${macsAfter} after.`);
    return layers.length > 0;
  },
});
