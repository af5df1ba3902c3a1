export { CondenseError, isCondenseError, type Diagnostic, type ErrorCode, type ErrorContext } from './errors.js';
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
export { validateGraph } from './ir/validate.js';
export { createModel, type Model } from './ir/model.js';
export { inferShapes, shapeInferenceOps, type InferShapesOptions } from './shape-inference/index.js';
export { summarizeModel, type ModelSummary } from './summary.js';
