import { CondenseError } from '../../errors.js';
import { CRITERIA } from './importance.js';

export const DEFAULT_RATIO = 0.3;

export const options = {
  criterion: {
    type: 'string',
    enum: CRITERIA,
    default: 'l1',
    description:
      'How channels are ranked: l1 or l2 (norm of the filters; summed over the branches of a residual group), bn-gamma (|gamma| of the BatchNormalization after each Conv: run before fold-batch-norm), activation (each channel\'s share of the energy of the next layers\' outputs, measured on the samples; needs a runtime and samples).',
  },
  ratio: { type: 'number', min: 0, max: 0.95, description: `Fraction of each prunable group's channels to remove, rounded down to whole steps of channelMultiple (${DEFAULT_RATIO} when neither ratio nor macsTarget is given).` },
  macsTarget: {
    type: 'number',
    min: 0,
    max: 0.95,
    description: 'Fraction of the whole model\'s MACs to remove instead of a per-group ratio: channels go greedily, least importance per MAC saved first, across all groups.',
  },
  channelMultiple: {
    type: 'number',
    integer: true,
    min: 1,
    default: 8,
    description: 'A group with a multiple of this many channels keeps a multiple of it (at least one): CPU convolution kernels work on blocks of 8 channels, and a Conv left with 31 of 32 ran 3x slower than with 32 in onnxruntime.',
  },
  reconstruct: {
    type: 'boolean',
    default: true,
    description: 'With a runtime and samples, refit each layer that loses input channels by least squares on its measured inputs (its removed channels predicted from the kept ones), which recovers most of the accuracy pruning costs without retraining.',
  },
  ridge: { type: 'number', min: 0, default: 1e-3, description: 'Ridge term of the refit, relative to the mean diagonal of the kept inputs\' Gram matrix; it pulls the refit toward the original weights where the samples say little.' },
  maxSamples: { type: 'number', integer: true, min: 1, default: 512, description: 'Samples the activations are measured on (batches are streamed).' },
  maxRefitColumns: {
    type: 'number',
    integer: true,
    min: 1,
    default: 4096,
    description: 'Largest layer (input channels × kernel positions, or a Gemm\'s inputs) measured and refitted: its Gram matrix has this many squared entries. Wider layers are pruned by slicing alone.',
  },
} as const;

export function checkTargets(o: { ratio?: number; macsTarget?: number }): void {
  if (o.ratio !== undefined && o.macsTarget !== undefined) {
    throw new CondenseError('E_BAD_OPTION', 'Pass "prune-filters" takes ratio or macsTarget, not both: ratio removes that fraction of every group, macsTarget that fraction of the model\'s MACs.', { context: { pass: 'prune-filters' } });
  }
}
