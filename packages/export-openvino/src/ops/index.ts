import { inferBackpropData, inferConvolution, inferPool } from './conv.js';
import { inferBatchNorm, inferBinary, inferClamp, inferConvert, inferFakeQuantize, inferFloatUnary, inferHardSigmoid, inferPrelu, inferSoftmax, inferUnary } from './elementwise.js';
import { inferDeclared, inferNothing } from './io.js';
import { inferConcat, inferGather, inferInterpolate, inferMatMul, inferPad, inferReduce, inferReshape, inferSqueeze, inferTranspose, inferUnsqueeze } from './shape.js';
import type { OpSpec } from './spec.js';

const binary: OpSpec = { versions: [1], inputs: [2, 2], infer: inferBinary };
const unary: OpSpec = { versions: [1], inputs: [1, 1], infer: inferUnary };
const floatUnary = (version: number): OpSpec => ({ versions: [version], inputs: [1, 1], infer: inferFloatUnary });

/**
 * The OpenVINO layer types condense reads, writes and validates, by the IR's
 * type name. Versions are those of the op definitions (Gather-8, SoftMax-8...):
 * an IR names them as version="opsetN".
 */
export const OPS: Readonly<Record<string, OpSpec>> = {
  Parameter: { versions: [1], inputs: [0, 0], infer: inferDeclared },
  Const: { versions: [1], inputs: [0, 0], infer: inferDeclared },
  Result: { versions: [1], inputs: [1, 1], infer: inferNothing },
  Convert: { versions: [1], inputs: [1, 1], infer: inferConvert },
  Add: binary,
  Subtract: binary,
  Multiply: binary,
  Divide: binary,
  Maximum: binary,
  Minimum: binary,
  Power: binary,
  SquaredDifference: binary,
  ReLU: unary,
  Negative: unary,
  Abs: unary,
  Sigmoid: floatUnary(1),
  Tanh: floatUnary(1),
  Exp: floatUnary(1),
  Log: floatUnary(1),
  Sqrt: floatUnary(1),
  Floor: floatUnary(1),
  Ceiling: floatUnary(1),
  Erf: floatUnary(1),
  Elu: floatUnary(1),
  HSwish: floatUnary(4),
  HSigmoid: floatUnary(5),
  Clamp: { versions: [1], inputs: [1, 1], infer: inferClamp },
  PReLU: { versions: [1], inputs: [2, 2], infer: inferPrelu },
  HardSigmoid: { versions: [1], inputs: [3, 3], infer: inferHardSigmoid },
  SoftMax: { versions: [1, 8], inputs: [1, 1], infer: (ctx) => inferSoftmax(ctx, ctx.version >= 8) },
  Convolution: { versions: [1], inputs: [2, 2], infer: (ctx) => inferConvolution(ctx, false) },
  GroupConvolution: { versions: [1], inputs: [2, 2], infer: (ctx) => inferConvolution(ctx, true) },
  ConvolutionBackpropData: { versions: [1], inputs: [2, 3], infer: (ctx) => inferBackpropData(ctx, false) },
  GroupConvolutionBackpropData: { versions: [1], inputs: [2, 3], infer: (ctx) => inferBackpropData(ctx, true) },
  MaxPool: { versions: [1], inputs: [1, 1], infer: inferPool },
  AvgPool: { versions: [1], inputs: [1, 1], infer: inferPool },
  ReduceMean: { versions: [1], inputs: [2, 2], infer: inferReduce },
  ReduceMax: { versions: [1], inputs: [2, 2], infer: inferReduce },
  ReduceSum: { versions: [1], inputs: [2, 2], infer: inferReduce },
  MatMul: { versions: [1], inputs: [2, 2], infer: inferMatMul },
  Reshape: { versions: [1], inputs: [2, 2], infer: inferReshape },
  Squeeze: { versions: [1], inputs: [1, 2], infer: inferSqueeze },
  Unsqueeze: { versions: [1], inputs: [2, 2], infer: inferUnsqueeze },
  Concat: { versions: [1], inputs: [1, Infinity], infer: inferConcat },
  Transpose: { versions: [1], inputs: [2, 2], infer: inferTranspose },
  Gather: { versions: [8], inputs: [3, 3], infer: inferGather },
  Pad: { versions: [1, 12], inputs: [3, 4], infer: (ctx) => inferPad(ctx, ctx.version >= 12) },
  Interpolate: { versions: [11], inputs: [2, 3], infer: inferInterpolate },
  FakeQuantize: { versions: [1], inputs: [5, 5], infer: inferFakeQuantize },
  BatchNormInference: { versions: [5], inputs: [5, 5], infer: inferBatchNorm },
};

export function opSpec(type: string): OpSpec | undefined {
  return Object.hasOwn(OPS, type) ? OPS[type] : undefined;
}
