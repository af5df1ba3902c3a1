/**
 * The condense SDK's core: the graph IR with ONNX semantics, tensors, shape
 * inference, the pass framework with the built-in passes and presets,
 * calibration data readers, metrics and the cost model. Pure JavaScript, so it
 * runs in Node and in browsers; runtimes and file formats live in other packages.
 *
 * @packageDocumentation
 */
export { CondenseError, isCondenseError, type Diagnostic, type ErrorCode, type ErrorContext } from './errors.js';
export { quoted, shapeText } from './message-text.js';
export { seededRandom } from './random.js';
export {
  DTYPE_CODES,
  arrayCtorOf,
  byteLengthOf,
  dtypeBits,
  dtypeCode,
  dtypeFromCode,
  isDType,
  isFloatDType,
  isIntegerDType,
  type DType,
  type TypedArray,
  type TypedArrayOf,
} from './tensor/dtype.js';
export { Tensor, elementCount, float16BitsToNumber, bfloat16BitsToNumber } from './tensor/tensor.js';
export { attr, getFloat, getFloats, getInt, getInts, getString, getTensor, type Attr, type AttrType } from './ir/attr.js';
export { Value, type Dim, type TensorType, type Use, type ValueKind } from './ir/value.js';
export { Node, DEFAULT_DOMAIN } from './ir/node.js';
export { Graph, type AddOptions } from './ir/graph.js';
export { exportWorkingCopy } from './ir/working-copy.js';
export { validateGraph } from './ir/validate.js';
export { createModel, type Model } from './ir/model.js';
export { inferShapes, shapeInferenceOps, type InferShapesOptions } from './shape-inference/index.js';
export { summarizeModel, type ModelSummary } from './summary.js';
export type { TensorSummary } from './summary.js';
export { constantOf } from './ir/constant.js';
export type { Runtime, Session, SampleSource } from './runtime.js';
export { definePass, checkPassShape, type Pass, type PassDefinition, type PassRequirement } from './passes/framework/define-pass.js';
export { resolveOptions, type OptionSpec, type OptionsSchema, type OptionsOf } from './passes/framework/options.js';
export type { PassContext, PipelineEvent } from './passes/framework/context.js';
export { PassRegistry } from './passes/framework/registry.js';
export { resolveRecipe, type Recipe, type RecipeStep, type ResolvedStep } from './passes/framework/recipe.js';
export { compress, type CompressOptions, type CompressResult, type PassRecord } from './passes/framework/pipeline.js';
export { builtinPasses, createRegistry, registerPass, getDefaultRegistry, CLEANUP } from './passes/index.js';
export { constantsToInitializers } from './passes/constants-to-initializers/index.js';
export { foldConstants } from './passes/fold-constants/index.js';
export { removeDeadCode } from './passes/remove-dead-code/index.js';
export { removeIdentity } from './passes/remove-identity/index.js';
export { foldBatchNorm } from './passes/fold-batch-norm/index.js';
export { foldConvAffine } from './passes/fold-conv-affine/index.js';
export { dedupeConstants } from './passes/dedupe-constants/index.js';
export { fuseHardSwish } from './passes/fuse-hard-swish/index.js';
export { parseIdx, idxImageBatches, idxSamples } from './data/idx.js';
export { quantizeWeights, quantizeTensor } from './passes/quantize-weights/index.js';
export { chooseParams, quantRange, quantize, roundHalfEven, type QuantRange } from './passes/quantize-weights/math.js';
export { quantizeStatic } from './passes/quantize-static/index.js';
export { dctQuantize } from './passes/dct-quantize/index.js';
export { clusterWeights } from './passes/cluster-weights/index.js';
export { shareFilters } from './passes/share-filters/index.js';
export { pruneFilters, type PrunedGroup } from './passes/prune-filters/index.js';
export { pruneMagnitude, type PrunedLayer } from './passes/prune-magnitude/index.js';
export { decouple, type DecoupledLayer } from './passes/decouple/index.js';
export { mergeFilters } from './passes/merge-filters/index.js';
export { upgradeOpset } from './passes/upgrade-opset/index.js';
export { equalizeCrossLayer } from './passes/equalize-cross-layer/index.js';
export { correctBias } from './passes/correct-bias/index.js';
export { convertFloat16 } from './passes/convert-float16/index.js';
export { float32ToFloat16Bits } from './passes/convert-float16/math.js';
export { top1Accuracy } from './data/accuracy.js';
export { FidelityMeter, compareModels, type Fidelity } from './data/fidelity.js';
export { cachedSamples } from './data/cache.js';
export { countMacs, type MacCount } from './cost/macs.js';
export { checkPreprocess, decodeImage, imageBatch, imageSamples, inputBatchSize, planImages, resizeImage, type ImageFile, type ImagePlan, type ModelInput, type PreprocessSpec, type RgbImage } from './data/image.js';
export { checkNpyLength, npyDataBytes, npyDataOffset, npyFeeder, parseNpy, parseNpyHeader, type NpyHeader } from './data/npy.js';
// Types the exported signatures above refer to.
export type { Attrs } from './ir/attr.js';
export type { ArrayCtor } from './tensor/dtype.js';
export type { ValueOf } from './passes/framework/options.js';
export type { ObserverKind } from './passes/quantize-static/observers.js';
export type { Normalization, Layout } from './data/image.js';
export { costModel, type CostModel, type CostTotals, type LayerCost } from './cost/model.js';
