import { getInt } from '../../ir/attr.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import type { Value } from '../../ir/value.js';
import { graphMacs } from '../../cost/macs.js';
import { readBias } from '../equalize-cross-layer/layer-constants.js';
import { findPairs, type LayerPair } from '../equalize-cross-layer/pairs.js';
import type { PassContext } from '../framework/context.js';
import type { SharedFilters } from './cluster.js';
import { isOutputLayer, markTransposed, readFilters } from '../shared/layer-filters.js';
import { splitBias, withBias } from './bias.js';
import { alignMerges, findMerges, foldInputChannels, type Merge } from './merge.js';
import { floatConstant, setInput } from '../shared/constant-input.js';
import { addSharedWeight } from './storage.js';

/** One shared layer, as the report lists it. */
export interface SharedLayer {
  layer: string;
  op: string;
  filters: number;
  centroids: number;
  sqnrDb: number;
  channelsRemoved: number;
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

/** Where a layer sits, for choosing how finely to share it. */
export interface LayerRole {
  op: string;
  /** Followed by an activation and another layer (a hidden layer, whose channels can merge). */
  hidden: boolean;
}

/** Groups a layer's filters (rows of `size` values; with the bias appended where channels can merge), or undefined to leave the layer alone. */
export type FilterClusterer = (rows: Float64Array, count: number, size: number, layer: LayerRole) => SharedFilters | undefined;

export interface ShareSettings {
  merge: boolean;
  minShare: number;
  channelMultiple: number;
  outputLayers: boolean;
  dense: boolean;
  /** Only layers whose channels can merge (filter merging has nothing to gain elsewhere). */
  mergeableOnly: boolean;
}

/**
 * Shares the filters of every Conv (group 1) and Gemm as `cluster` groups
 * them, merges the channels that became exact positive multiples of another
 * into the next layer, and reports per layer and MACs before and after.
 * Returns whether any layer changed.
 */
export function shareLayers(graph: Graph, ctx: Pick<PassContext<unknown>, 'warn' | 'info' | 'report'>, o: ShareSettings, cluster: FilterClusterer): boolean {
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
    if (o.mergeableOnly && !mergeable) continue;
    const role = { op: node.op, hidden: pair !== undefined };
    const clustered = withBiases ? cluster(withBias(filters, withBiases), count, size + 1, role) : cluster(filters.rows, count, size, role);
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
}
