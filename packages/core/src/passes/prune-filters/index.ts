import { CondenseError } from '../../errors.js';
import type { Graph } from '../../ir/graph.js';
import { graphMacs } from '../../cost/macs.js';
import { inferShapes } from '../../shape-inference/index.js';
import { summarizeModel } from '../../summary.js';
import { definePass } from '../framework/define-pass.js';
import { analyzeChannels } from './analyze.js';
import type { ChannelGraph, Consumer } from './channel-graph.js';
import { measureGrams, type Gram } from './gram.js';
import { channelGroups, type ChannelGroup } from './groups.js';
import { rankChannels } from './importance.js';
import { MacModel } from './macs-model.js';
import { DEFAULT_RATIO, checkTargets, options } from './options.js';
import { keptChannels, removeChannels } from './rewrite.js';
import { selectByMacs, selectByRatio, type RankedGroup } from './select.js';

/** One pruned group, as the report lists it. */
export interface PrunedGroup {
  /** The names of the layers whose output channels the group ties together. */
  layers: string[];
  /** Channels in the group before pruning. */
  channelsBefore: number;
  /** Channels left after pruning. */
  channelsAfter: number;
}

type Warn = (message: string, where: { node?: string }) => void;

/** Warns once per group that keeps its channels because of how they are read. */
function warnBlocked(groups: readonly ChannelGroup[], warn: Warn): void {
  for (const group of groups) {
    if (!group.blocked || !group.producers.length || group.channels.length < 2) continue;
    const layers = group.producers.map((p) => `${p.node.op} "${p.node.name}"`).join(', ');
    warn(`${layers} keep${group.producers.length > 1 ? '' : 's'} all ${group.channels.length} channels: ${group.blocked}.`, { node: group.layers[0] });
  }
}

/** The greedy selection down to `macsTarget` of the MACs, warning when the groups run out first. */
function selectForMacs(graph: Graph, g: ChannelGraph, ranked: RankedGroup[], macsBefore: number | undefined, macsTarget: number, multiple: number, warn: Warn): Map<ChannelGroup, number[]> {
  const model = new MacModel(graph, g);
  if (macsBefore === undefined || model.unknown.length) {
    throw new CondenseError('E_BAD_OPTION', `prune-filters with macsTarget needs every layer's shapes; unknown at ${model.unknown.slice(0, 3).join(', ')}. Pin the input shapes (compress's inputShapes, or the CLI's --input-shape).`, { context: { pass: 'prune-filters' } });
  }
  const selection = selectByMacs(ranked, g, model, macsBefore * (1 - macsTarget), multiple);
  if (!selection.reached) warn(`The MACs target (${macsTarget} of ${macsBefore}) could not be reached: every prunable group is down to its last ${multiple} channels or fewer.`, {});
  return selection.removed;
}

/** The prune-filters pass: structured pruning of whole output channels with everything that depends on them, by ratio or to a MACs target, refitting the next layers on samples when given. */
export const pruneFilters = definePass({
  name: 'prune-filters',
  description:
    'Structured filter pruning: removes whole output channels of Conv (and Gemm) layers and everything that depends on them, so the model gets smaller and faster in any runtime. A channel-dependency analysis ties channels that must go together: BatchNormalization, element-wise activations and per-channel constants, depthwise Convs (their channels and group count shrink), residual Adds (all branches lose the same channels, ranked by their summed importance), Concat (by offset), pools, and Flatten into a Gemm (each channel\'s block of H·W columns). Values read any other way (graph outputs, Reshape, grouped Convs, unknown ops, shared weights) keep their channels, with a warning. Channels are ranked by filter norm, BatchNormalization gamma or measured contribution; removed per group (ratio) or greedily to a MACs target, in steps of channelMultiple. With samples, each layer that loses inputs is refitted by least squares on its measured inputs (He et al. 2017, ThiNet).',
  options,
  async run(graph, ctx) {
    const o = ctx.options;
    checkTargets(o);
    const data = ctx.runtime && ctx.samples ? { runtime: ctx.runtime, samples: ctx.samples } : undefined;
    if (o.criterion === 'activation' && !data) {
      throw new CondenseError('E_BAD_OPTION', 'prune-filters with criterion "activation" measures activations: give a runtime and samples (compress\'s runtime and samples options, or the CLI\'s --adapter and --calib).', { context: { pass: 'prune-filters' } });
    }
    try {
      inferShapes(graph);
    } catch (e) {
      ctx.warn(`Shapes could not be inferred, so channels cannot be followed through the graph; nothing pruned. (${e instanceof Error ? e.message : String(e)})`);
      return false;
    }
    const macsBefore = graphMacs(graph);
    const paramsBefore = summarizeModel(ctx.model, { largest: 0 }).parameters;
    const { channels: g, unsupported } = analyzeChannels(graph);
    for (const { node, reason } of unsupported) ctx.warn(`${node.op} "${node.name}" keeps its output channels: ${reason}.`, { node: node.name });
    const groups = channelGroups(g);
    warnBlocked(groups, ctx.warn);
    const candidates = groups.filter((group) => !group.blocked && group.producers.length && group.channels.length > 1);
    const measurable = (c: Consumer) => c.filters.size + 1 <= o.maxRefitColumns;
    // Four steps: analysed, activations measured, channels ranked and chosen, layers sliced and refitted.
    const step = (done: number) => ctx.progress(done, 4, 'pruning');
    step(1);

    let grams = new Map<Consumer, Gram>();
    let samples = 0;
    const measureFor = async (consumers: Consumer[]) => {
      const wanted = [...new Set(consumers)].filter((c) => measurable(c) && !grams.has(c));
      if (!wanted.length || !data) return;
      const m = await measureGrams(graph, wanted, data.runtime, data.samples, o.maxSamples);
      grams = new Map([...grams, ...m.grams]);
      samples = m.samples;
    };
    if (o.criterion === 'activation') await measureFor(candidates.flatMap((group) => group.consumers));
    step(2);

    const ranked: RankedGroup[] = [];
    for (const group of candidates) {
      const importance = rankChannels(group, o.criterion, grams);
      if (typeof importance === 'string') ctx.warn(`${group.layers.join(', ')}: channels kept: ${importance}.`, { node: group.layers[0] });
      else ranked.push({ group, importance });
    }
    const removed = o.macsTarget === undefined ? selectByRatio(ranked, o.ratio ?? DEFAULT_RATIO, o.channelMultiple) : selectForMacs(graph, g, ranked, macsBefore, o.macsTarget, o.channelMultiple, ctx.warn);
    const kept = keptChannels(removed);
    step(3);
    const reconstruct = o.reconstruct && data !== undefined;
    if (o.reconstruct && !data && kept.size) ctx.info('No runtime or samples: channels removed without refitting the layers after them.');
    if (reconstruct) await measureFor(g.consumers.filter((c) => kept.has(c.input)));
    const { refitted, failed } = removeChannels(graph, g, kept, reconstruct ? { grams, ridge: o.ridge } : undefined);
    for (const layer of failed) ctx.warn(`Refitting "${layer}" failed (its Gram matrix is singular; raise ridge); its weights were sliced instead.`, { node: layer });
    step(4);
    inferShapes(graph);

    const report: PrunedGroup[] = [...removed].map(([group, channels]) => ({ layers: group.layers, channelsBefore: group.channels.length, channelsAfter: group.channels.length - channels.length }));
    const macsAfter = graphMacs(graph);
    ctx.report('criterion', o.criterion);
    ctx.report('groups', report);
    ctx.report('prunableGroups', ranked.length);
    ctx.report('refitted', refitted);
    if (samples) ctx.report('samples', samples);
    if (macsBefore !== undefined) ctx.report('macsBefore', macsBefore);
    if (macsAfter !== undefined) ctx.report('macsAfter', macsAfter);
    ctx.report('paramsBefore', paramsBefore);
    ctx.report('paramsAfter', summarizeModel(ctx.model, { largest: 0 }).parameters);
    if (macsBefore !== undefined && macsAfter !== undefined) ctx.info(`MACs per sample: ${macsBefore} before, ${macsAfter} after (${((100 * (macsBefore - macsAfter)) / macsBefore).toFixed(1)}% removed).`);
    return kept.size > 0;
  },
});
