import type { Node } from '../../ir/node.js';

/**
 * Ops kept in float32 by default. Coordinate and index arithmetic (Resize,
 * Upsample, RoiAlign, Range, NonMaxSuppression, TopK) goes wrong with 11 bits of
 * mantissa: half-pixel offsets, box overlaps and ranks stop being exact. Running
 * sums (CumSum) lose small terms. Random generators are defined on float32 seeds
 * and streams. Quantization ops carry exact scales that must not be rounded.
 */
export const DEFAULT_BLOCK_LIST = [
  'Resize',
  'Upsample',
  'RoiAlign',
  'Range',
  'NonMaxSuppression',
  'TopK',
  'CumSum',
  'RandomNormal',
  'RandomNormalLike',
  'RandomUniform',
  'RandomUniformLike',
  'Multinomial',
  'Bernoulli',
  'QuantizeLinear',
  'DequantizeLinear',
  'DynamicQuantizeLinear',
];

/**
 * Inputs that hold sizes, scales, coordinates or indices rather than data.
 * A float value there must stay float32, and so must everything computing it
 * (Resize scales are float32 by the ONNX spec; a rounded Reshape size is wrong).
 */
const SHAPE_INPUTS: Record<string, readonly number[]> = {
  Reshape: [1],
  Expand: [1],
  Tile: [1],
  ConstantOfShape: [0],
  Slice: [1, 2, 3, 4],
  Pad: [1, 3],
  Squeeze: [1],
  Unsqueeze: [1],
  Split: [1],
  Resize: [1, 2, 3],
  Upsample: [1],
  Range: [0, 1, 2],
  TopK: [1],
  OneHot: [1],
  CumSum: [1],
  Trilu: [1],
  ReduceMean: [1],
  ReduceSum: [1],
  ReduceMax: [1],
  ReduceMin: [1],
  ReduceProd: [1],
  ReduceL1: [1],
  ReduceL2: [1],
  ReduceLogSumExp: [1],
  ReduceSumSquare: [1],
  NonMaxSuppression: [2, 3, 4],
  QuantizeLinear: [1, 2],
  DequantizeLinear: [1, 2],
};

export function isShapeInput(node: Node, index: number): boolean {
  return node.domain === '' && (SHAPE_INPUTS[node.op]?.includes(index) ?? false);
}

/** Ops that read only their input's type and shape (or convert it): they take float16 as well as float32, so they never need a Cast in front. */
const ANY_TYPE_INPUT = new Set(['Shape', 'Size', 'Cast']);

export function readsAnyType(node: Node, index: number): boolean {
  return index === 0 && node.domain === '' && ANY_TYPE_INPUT.has(node.op);
}

/** Ops whose float output type comes from an attribute, not an input: they stay as they are and their consumers get a Cast (Cast itself is rewritten). */
export const ATTRIBUTE_TYPED = new Set(['Constant', 'ConstantOfShape', 'EyeLike', 'RandomNormal', 'RandomNormalLike', 'RandomUniform', 'RandomUniformLike', 'Multinomial', 'Bernoulli']);
