import { definePass } from '../framework/define-pass.js';
import { shareLayers } from '../share-filters/share-layers.js';
import { duplicateFilters } from './duplicates.js';

/** The merge-filters pass: output channels whose filter and bias are a positive multiple of another's computed once, their copy folded into the next layer. */
export const mergeFilters = definePass({
  name: 'merge-filters',
  description:
    'Filter merging: where a Conv (group 1) or Gemm feeds a Relu/LeakyRelu and then a Conv or Gemm, output channels whose filter and bias are a positive multiple of another channel\'s (within a relative tolerance) are computed once: the copy is removed and its weights in the next layer are folded into the kept channel\'s. Run it after BatchNorm folding (the cleanup preset), which is when duplicated filters show. No other weight changes by more than the tolerance.',
  options: {
    tolerance: { type: 'number', min: 0, max: 0.5, default: 1e-3, description: 'Largest distance between a filter (bias included) and a multiple of another one, relative to its norm, for the two to count as duplicates.' },
    channelMultiple: {
      type: 'number',
      integer: true,
      min: 1,
      default: 8,
      description: 'A layer with a multiple of this many channels keeps a multiple of it: kernels work on blocks of channels, and an odd count runs slower than the original.',
    },
  },
  run(graph, ctx) {
    const { tolerance, channelMultiple } = ctx.options;
    const settings = { merge: true, minShare: 0, channelMultiple, outputLayers: false, dense: true, mergeableOnly: true };
    return shareLayers(graph, ctx, settings, (rows, count, size) => duplicateFilters(rows, count, size, tolerance));
  },
});
