import { definePass } from '../framework/define-pass.js';
import { clusterFilters } from './cluster.js';
import { shareLayers, type LayerRole } from './share-layers.js';

export type { SharedLayer } from './share-layers.js';

/** The share-filters pass: each layer's filters become scaled copies of fewer shared filters, as few as the weight SQNR budget allows. */
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
    // Progress counts clustered layers against every Conv and Gemm (some are skipped, so the count may jump at the end).
    const total = [...graph].filter((n) => n.domain === '' && (n.op === 'Conv' || n.op === 'Gemm')).length;
    let done = 0;
    // Hidden fully connected layers take their own floor.
    const cluster = (rows: Float64Array, count: number, size: number, layer: LayerRole) => {
      ctx.progress(done++, total, 'clustering filters');
      return clusterFilters(rows, count, size, layer.op === 'Gemm' && layer.hidden ? o.denseMinSqnrDb : o.minSqnrDb, o.iterations);
    };
    const changed = shareLayers(graph, ctx, { ...o, mergeableOnly: false }, cluster);
    ctx.progress(total, total, 'clustering filters');
    return changed;
  },
});
