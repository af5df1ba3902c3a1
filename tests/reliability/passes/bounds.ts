/**
 * How far each built-in pass and preset may move a float model's outputs, as
 * measured on random CNNs (passes-property.test.ts). A new pass or preset must
 * be added here: the test checks the table names every registry entry.
 *
 * Exact passes (cleanup, merging exact duplicates, rebalancing, raising the
 * opset) keep every output within 1e-4 of the largest output (measured: under 1e-6).
 *
 * Lossy bounds were calibrated by measuring first: PROPERTY_MODELS=48 with
 * PROPERTY_SEED=1 to 4 (192 random CNNs), then set with margin from the worst
 * model seen: SQNR 6 dB below it, and a mean cosine (over samples) four times
 * as far from 1 as the worst seen, where that was above 0.95; below, only the
 * SQNR bounds the pass (-1 for the cosine). A first calibration with half that
 * margin on 96 models failed on the next seed: on random nets the worst case
 * has a long tail. The worst single sample's cosine is not used at all: rows
 * with small outputs make it swing from model to model. Checked on seed 5.
 *
 * The models are untrained, random He-initialised nets, so lossy passes fare
 * worse than on trained ones (measured per pass: docs/reliability.md). Two
 * stated floors stand out: decouple's and share-filters' 6 dB weight SQNR for
 * hidden fully connected layers is far too low for narrow ones (16 neurons:
 * output SQNR down to -6 dB), which is why share-filters is checked alone at
 * 25 dB and the presets' bounds are loose.
 */
import type { RecipeStep } from '@condense/core';

export type Bound = { kind: 'exact'; maxRelative: number } | { kind: 'fidelity'; minCosine: number; minSqnrDb: number };

export interface Expectation {
  bound: Bound;
  /** Options that let the pass act on models this small (its defaults target real networks). */
  options?: Record<string, unknown>;
  /** Extra steps run first, when the pass needs another's output to act on. */
  before?: RecipeStep[];
}

const EXACT: Bound = { kind: 'exact', maxRelative: 1e-4 };
const fidelity = (minCosine: number, minSqnrDb: number): Bound => ({ kind: 'fidelity', minCosine, minSqnrDb });
/** The models' weights are mostly under quantize-weights' default minElements (1024). */
const SMALL = { minElements: 64 };

export const PASS_BOUNDS: Record<string, Expectation> = {
  'constants-to-initializers': { bound: EXACT },
  'remove-identity': { bound: EXACT },
  'fold-constants': { bound: EXACT },
  'fold-batch-norm': { bound: EXACT },
  'fold-conv-affine': { bound: EXACT },
  'fuse-hard-swish': { bound: EXACT },
  'dedupe-constants': { bound: EXACT },
  'remove-dead-code': { bound: EXACT },
  'upgrade-opset': { bound: EXACT, options: { opset: 17 } },
  'equalize-cross-layer': { bound: EXACT },
  'merge-filters': { bound: EXACT },
  // worst seen: mean cosine 0.99923, 28.6 dB
  'quantize-weights': { bound: fidelity(0.996, 22), options: SMALL },
  // 0.99611, 16.7 dB (models below opset 13 are left alone, with a warning)
  'quantize-static': { bound: fidelity(0.984, 10) },
  // 0.99950, 31.9 dB
  'correct-bias': { bound: fidelity(0.998, 25), options: SMALL },
  // 0.99999, 44.7 dB
  'convert-float16': { bound: fidelity(0.9999, 38) },
  // 0.86890, 6.2 dB: 16 shared values for layers of a few hundred weights
  'cluster-weights': { bound: fidelity(-1, 0), options: SMALL },
  // 0.97619, 17.1 dB
  'dct-quantize': { bound: fidelity(0.904, 11), options: SMALL },
  // 0.99239, 15.4 dB, with hidden layers held to 25 dB like the rest (25 dB per layer adds up)
  'share-filters': { bound: fidelity(0.969, 9), options: { denseMinSqnrDb: 25 } },
  // 0.68505, 1.3 dB: 30% of the channels of layers of 4 to 24
  'prune-filters': { bound: fidelity(-1, -5), options: { channelMultiple: 2 } },
  // 0.23183, -1.4 dB: half the weights, one global threshold
  'prune-magnitude': { bound: fidelity(-1, -8), options: SMALL },
  // -0.45832, -6.4 dB (a 16×16 hidden Gemm at its 6 dB floor)
  decouple: { bound: fidelity(-1, -13) },
};

export const PRESET_BOUNDS: Record<string, Expectation> = {
  cleanup: { bound: EXACT },
  // 0.99958, 33.2 dB
  'int8-weights': { bound: fidelity(0.998, 27) },
  // 0.99679, 16.7 dB
  int8: { bound: fidelity(0.987, 10) },
  // 0.92873, 6.9 dB
  'int4-weights': { bound: fidelity(-1, 0) },
  // 0.99999, 51.6 dB
  fp16: { bound: fidelity(0.9999, 45) },
  // 0.69108, 4.0 dB
  cluster: { bound: fidelity(-1, -2) },
  // 0.97577, 18.5 dB
  dct: { bound: fidelity(0.903, 12) },
  // 0.31045, -3.2 dB
  share: { bound: fidelity(-1, -10) },
  // 0.74401, 4.9 dB
  prune: { bound: fidelity(-1, -2) },
  // -0.45832, -6.4 dB
  decouple: { bound: fidelity(-1, -13) },
  // 0.06237, -1.5 dB
  deep: { bound: fidelity(-1, -8) },
};
