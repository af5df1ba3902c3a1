import type { Node } from '../../ir/node.js';
import { definePass } from '../framework/define-pass.js';
import { isOutputLayer } from '../shared/layer-filters.js';
import { convCandidate } from './conv.js';
import { CONV_FORMS } from './conv-forms.js';
import { denseCandidate } from './dense.js';
import { inputLayers } from './input-layers.js';
import type { Candidate, Notes } from './layer.js';
import { graphMacs } from '../../cost/macs.js';
import { roundDb } from './rank.js';

/** One analysed layer, as the report lists it (decoupled or not). */
export interface DecoupledLayer {
  /** The node's name. */
  layer: string;
  /** Its op type (Conv, Gemm or MatMul). */
  op: string;
  /** The shape of its weight. */
  weight: readonly number[];
  /** The chosen rank: depthwise kernels per input channel for a Conv, the inner dimension for a dense layer. */
  rank: number;
  /** Weight reconstruction SQNR at `rank`, dB. */
  sqnrDb: number;
  /** Whether the layer was split (false where that would not have lowered its MACs enough). */
  decoupled: boolean;
  /** Per sample; absent where the layer's output shape is not known. */
  macsBefore?: number;
  /** MACs per sample after the pass (equal to macsBefore when not split); absent where the output shape is not known. */
  macsAfter?: number;
  /** Weight SQNR (dB) by rank: every rank of a Conv kernel, powers of two (and the chosen rank) for a dense layer. */
  sqnrByRank: Record<number, number>;
}

/** The decouple pass: network decoupling, k×k Convs split into depthwise-separable blocks and dense weights into low-rank pairs, where that keeps the weight SQNR budget and lowers MACs. */
export const decouple = definePass({
  name: 'decouple',
  description:
    'Network decoupling (Guo et al. 2018, without retraining): each regular Conv with a k×k kernel becomes a depthwise k×k Conv with R kernels per input channel followed by a 1×1 Conv (the sum of R depthwise-separable blocks, from a per-input-channel SVD of the kernels), and each Gemm or MatMul with a constant 2-D weight becomes two products through a rank-r inner dimension (truncated SVD). The rank is the smallest that keeps the weight SQNR at or above the budget, or a fixed one; a layer is split only where that lowers its MACs by at least minMacsSaving. Reports each layer\'s SQNR for every rank.',
  options: {
    minSqnrDb: {
      type: 'number',
      min: 0,
      default: 10,
      description:
        'Smallest weight reconstruction SQNR (dB) allowed per Conv; its rank R is the smallest that keeps it. Trained 3×3 kernels are far from separable (rank 7 of 9 keeps about 11 dB), and inner layers with many input channels average their error out: on the Fashion-MNIST CNN (stem excluded) 10 dB costs 0.07 points of accuracy for 9% fewer MACs, 6 dB 0.23 points for 29% fewer.',
    },
    rank: { type: 'number', integer: true, min: 1, description: 'A fixed rank R for every Conv instead of the SQNR budget (minSqnrDb is then ignored for Convs).' },
    denseMinSqnrDb: {
      type: 'number',
      min: 0,
      default: 6,
      description: 'The same floor for Gemm and MatMul weights: a wide fan-in averages the error out, so they take a low floor (the Fashion-MNIST CNN\'s 3136→128 layer keeps rank 27 at 6 dB: 4.6x fewer weights and MACs for 0.33 points).',
    },
    denseRank: { type: 'number', integer: true, min: 1, description: 'A fixed inner dimension for every Gemm and MatMul instead of denseMinSqnrDb.' },
    form: {
      type: 'string',
      enum: CONV_FORMS,
      default: 'blocks',
      description:
        'How a decoupled Conv is written: "stacked" is one depthwise Conv with R kernels per channel (I·R outputs) and one 1×1 Conv over them (two nodes); "blocks" is R depthwise Convs with one kernel per channel and R 1×1 Convs summed by Adds. onnxruntime\'s CPU kernels treat a channel multiplier above 1 as a generic grouped conv (a tiny GEMM per channel) and fuse a 1×1 Conv with the Add after it, so there "blocks" runs about three times as fast as "stacked" (on the Fashion-MNIST CNN at 6 dB, batch 64: 1.04x the original\'s latency against 3.3x).',
    },
    minMacsSaving: {
      type: 'number',
      min: 0,
      max: 1,
      default: 0.25,
      description: 'Smallest fraction of a layer\'s MACs its split must save: each block adds nodes, and a split saving 10% ran 1.8x slower than the original on the Fashion-MNIST CNN in onnxruntime.',
    },
    targets: { type: 'string', enum: ['all', 'conv', 'dense'], default: 'all', description: 'Which layers to split: k×k Convs, Gemm/MatMul, or both.' },
    outputLayers: {
      type: 'boolean',
      default: false,
      description: 'Split the output layers too (those whose result reaches a graph output through activations and reshapes only): a classifier\'s last layer has one row per class and little to gain.',
    },
    inputLayers: {
      type: 'boolean',
      default: false,
      description:
        'Split the input layers too (those with no other layer between them and a graph input, a CNN\'s stem): they see raw pixels through few input channels, so nothing averages their error out and every later layer carries it. On the Fashion-MNIST CNN the stem at 17.6 dB costs 6 points of accuracy where each of the next layers at 7 dB costs 0.1 to 0.2.',
    },
    denseMaxSize: {
      type: 'number',
      integer: true,
      min: 1,
      default: 1024,
      description: 'Leave Gemm/MatMul weights alone when both sides are longer than this: the SVD works on a min(N, K)-wide Gram matrix at a cost of about 4·min(N, K)³ + N·K·min(N, K) (in Node, about 3 s for 512×3136, several times that for 1024).',
    },
  },
  run(graph, ctx) {
    const o = ctx.options;
    const macsBefore = graphMacs(graph);
    const layers: DecoupledLayer[] = [];
    const stems = o.inputLayers ? new Set<Node>() : inputLayers(graph);
    const nodes = [...graph];
    nodes.forEach((node, index) => {
      ctx.progress(index, nodes.length);
      if ((!o.outputLayers && isOutputLayer(node)) || stems.has(node)) return;
      const notes: Notes = { warn: (m) => ctx.warn(m, { node: node.name }), info: (m) => ctx.info(m, { node: node.name }) };
      const candidate = readCandidate(node, notes, o.targets, o.denseMaxSize);
      if (!candidate) return;
      const conv = candidate.kind === 'conv';
      const fixed = conv ? o.rank : o.denseRank;
      const rank = fixed !== undefined ? Math.min(fixed, candidate.profile.maxRank) : candidate.profile.smallestRank(conv ? o.minSqnrDb : o.denseMinSqnrDb);
      // A split that saves little adds nodes (and runtime overhead per node) for almost nothing.
      const decoupled = rank <= candidate.cheaperBelow && candidate.macs(rank) <= (1 - o.minMacsSaving) * candidate.macs();
      const layer = reportLayer(candidate, rank, decoupled);
      layers.push(layer);
      if (decoupled) candidate.apply(graph, rank, o.form);
      else notes.info(`${node.name}: rank ${rank} (${layer.sqnrDb} dB) would not lower its MACs by ${100 * o.minMacsSaving}% (ranks up to ${candidate.cheaperBelow} lower them at all); left as is.`);
    });
    const done = layers.filter((l) => l.decoupled);
    ctx.report('layers', layers);
    ctx.report('decoupled', done.length);
    // Every layer's output shape is known when the graph's MACs are, so the per-layer savings add up to the graph's.
    if (macsBefore !== undefined && done.every((l) => l.macsBefore !== undefined && l.macsAfter !== undefined)) {
      const macsAfter = macsBefore - done.reduce((s, l) => s + l.macsBefore! - l.macsAfter!, 0);
      ctx.report('macsBefore', macsBefore);
      ctx.report('macsAfter', macsAfter);
      ctx.info(`MACs per sample: ${macsBefore} before, ${macsAfter} after.`);
    }
    return done.length > 0;
  },
});

function readCandidate(node: Node, notes: Notes, targets: string, denseMaxSize: number): Candidate | undefined {
  if (targets !== 'dense') {
    const conv = convCandidate(node, notes);
    if (conv) return conv;
  }
  return targets !== 'conv' ? denseCandidate(node, notes, denseMaxSize) : undefined;
}

function reportLayer(candidate: Candidate, rank: number, decoupled: boolean): DecoupledLayer {
  const { node, positions } = candidate;
  const layer: DecoupledLayer = {
    layer: node.name,
    op: node.op,
    weight: candidate.shape,
    rank,
    sqnrDb: roundDb(candidate.profile.sqnrDb(rank)),
    decoupled,
    sqnrByRank: candidate.profile.curve(candidate.curveRanks(rank)),
  };
  if (positions !== undefined) {
    layer.macsBefore = positions * candidate.macs();
    layer.macsAfter = positions * (decoupled ? candidate.macs(rank) : candidate.macs());
  }
  return layer;
}
