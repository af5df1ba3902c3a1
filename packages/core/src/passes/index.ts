import { clusterWeights } from './cluster-weights/index.js';
import { constantsToInitializers } from './constants-to-initializers/index.js';
import { correctBias } from './correct-bias/index.js';
import { convertFloat16 } from './convert-float16/index.js';
import { dctQuantize } from './dct-quantize/index.js';
import { decouple } from './decouple/index.js';
import { dedupeConstants } from './dedupe-constants/index.js';
import { equalizeCrossLayer } from './equalize-cross-layer/index.js';
import { foldBatchNorm } from './fold-batch-norm/index.js';
import { foldConstants } from './fold-constants/index.js';
import { foldConvAffine } from './fold-conv-affine/index.js';
import type { Pass } from './framework/define-pass.js';
import { PassRegistry } from './framework/registry.js';
import { fuseHardSwish } from './fuse-hard-swish/index.js';
import { pruneFilters } from './prune-filters/index.js';
import { removeDeadCode } from './remove-dead-code/index.js';
import { quantizeStatic } from './quantize-static/index.js';
import { quantizeWeights } from './quantize-weights/index.js';
import { removeIdentity } from './remove-identity/index.js';
import { mergeFilters } from './merge-filters/index.js';
import { pruneMagnitude } from './prune-magnitude/index.js';
import { shareFilters } from './share-filters/index.js';
import { upgradeOpset } from './upgrade-opset/index.js';

/** Every pass that ships in core. */
export const builtinPasses: ReadonlyArray<Pass<never>> = [
  constantsToInitializers,
  removeIdentity,
  foldConstants,
  foldBatchNorm,
  foldConvAffine,
  fuseHardSwish,
  dedupeConstants,
  removeDeadCode,
  quantizeWeights,
  quantizeStatic,
  upgradeOpset,
  equalizeCrossLayer,
  correctBias,
  convertFloat16,
  clusterWeights,
  dctQuantize,
  shareFilters,
  pruneFilters,
  mergeFilters,
  decouple,
  pruneMagnitude,
] as ReadonlyArray<Pass<never>>;

/** The graph cleanup every compressor runs first; order matters (folding exposes more folding). */
export const CLEANUP = [
  'constants-to-initializers',
  'remove-identity',
  'fold-constants',
  'fold-batch-norm',
  'fold-conv-affine',
  'fuse-hard-swish',
  'dedupe-constants',
  'remove-dead-code',
];

/** Quantization needs opset 13 (per-channel DequantizeLinear); older models are raised to it first. */
const QUANTIZABLE = [...CLEANUP, { pass: 'upgrade-opset', options: { opset: 13 } }];

/** A registry holding the builtin passes and presets; add plugin passes with register(). */
export function createRegistry(): PassRegistry {
  const registry = new PassRegistry();
  for (const pass of builtinPasses) registry.register(pass, 'builtin');
  registry.definePreset('cleanup', 'Graph cleanup: constants to initializers, folding, BatchNorm and affine folding, dedupe, dead code.', CLEANUP);
  registry.definePreset('int8-weights', 'Cleanup, then int8 per-channel symmetric weights (weight-only; activations stay float).', [...QUANTIZABLE, 'quantize-weights']);
  registry.definePreset('int8', 'Cleanup, then static int8: uint8 activations calibrated at the 99.99th percentile, int8 per-channel weights, int32 biases corrected for the mean shift, in QDQ form (needs a runtime and --calib data).', [
    ...QUANTIZABLE,
    { pass: 'quantize-static', options: { observer: 'percentile', percentile: 99.99, biasCorrection: true } },
    'remove-dead-code',
  ]);
  registry.definePreset('int4-weights', 'Cleanup, then 4-bit per-channel symmetric weights (ONNX int4 at opset 21+; below, packed two to a byte with an unpacking subgraph that runtimes fold at load).', [...QUANTIZABLE, { pass: 'quantize-weights', options: { bits: 4 } }]);
  registry.definePreset('fp16', 'Cleanup, then float16 weights, each read through a Cast to float32 that runtimes fold at load (half the size; activations stay float32).', [...CLEANUP, 'convert-float16']);
  registry.definePreset('cluster', 'Cleanup, then weight clustering: each large weight becomes 4-bit indices into a 16-value float32 codebook, read through Gather that runtimes fold at load.', [...CLEANUP, { pass: 'cluster-weights', options: { bits: 4 } }]);
  registry.definePreset('dct', 'Cleanup, then DCT-domain quantization: k×k Conv kernels as int8 2-D DCT coefficients, 1×1 Conv, Gemm and MatMul weights as 1-D DCTs of runs of 8 input channels, coarser steps at high frequencies (JPEG-like), decoded by a MatMul that runtimes fold at load.', [...CLEANUP, { pass: 'dct-quantize', options: { dense: true } }]);
  registry.definePreset('share', 'Cleanup, then filter sharing: the filters of each Conv and Gemm become scaled copies of fewer shared filters (weight SQNR ≥ 25 dB per Conv, ≥ 6 dB per hidden fully connected layer; output layers untouched), read through Gather and Mul that runtimes fold at load; channels left exactly proportional before a Relu and the next layer are merged away, which shrinks the graph and lowers MACs.', [...CLEANUP, 'share-filters']);
  registry.definePreset(
    'prune',
    'Cleanup, then structured filter pruning to 30% fewer MACs: channels ranked by their measured contribution, removed in steps of 8 together with everything that reads them (residual branches, depthwise Convs, Concat, Flatten into a Gemm), and the layers after them refitted by least squares on the calibration data (needs --calib).',
    [...CLEANUP, { pass: 'prune-filters', options: { criterion: 'activation', macsTarget: 0.3 } }],
  );
  registry.definePreset('decouple', 'Cleanup, then network decoupling: inner k×k Convs become sums of depthwise-separable blocks and Gemm/MatMul weights low-rank factor pairs, each at the smallest rank that keeps its weight SQNR (10 dB for Convs, 6 dB for dense layers) and only where that lowers MACs.', [...CLEANUP, 'decouple']);
  registry.definePreset(
    'deep',
    'Deep Compression without retraining: cleanup, magnitude pruning (60% of the weights under one global threshold), 4-bit weight clustering that keeps the zeros on a codebook entry of their own, then int8 for the weights left in float. The zeros and repeated indices pay off once the file is entropy coded (brotli, gzip).',
    [...QUANTIZABLE, { pass: 'prune-magnitude', options: { sparsity: 0.6 } }, { pass: 'cluster-weights', options: { bits: 4, preserveZeros: true } }, 'quantize-weights'],
  );
  return registry;
}

const defaultRegistry = createRegistry();

/** Registers a pass in the default registry (the one compress uses unless given another). */
export function registerPass(pass: unknown): void {
  defaultRegistry.register(pass);
}

/** The default registry: the builtin passes and presets, plus any pass added with {@link registerPass}. */
export function getDefaultRegistry(): PassRegistry {
  return defaultRegistry;
}
