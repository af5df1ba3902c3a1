import { conv } from './conv.js';
import { gemm, matMul } from './dense.js';
import { ELEMENTWISE } from './elementwise.js';
import { batchNorm, softmax } from './normalization.js';
import { globalPool, pool } from './pool.js';
import { dequantizeLinear, quantizeLinear } from './quantize.js';
import { reduce } from './reduce.js';
import type { Rule } from './rule.js';
import { SHAPE } from './shape.js';
import { convTranspose, resize } from './upsample.js';

/** Every ONNX op (default domain) the tfjs export knows. */
export const RULES: Record<string, Rule> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  Resize: resize,
  Upsample: resize,
  Gemm: gemm,
  MatMul: matMul,
  MaxPool: pool,
  AveragePool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  ReduceMean: reduce,
  ReduceMax: reduce,
  ReduceMin: reduce,
  ReduceSum: reduce,
  ReduceProd: reduce,
  BatchNormalization: batchNorm,
  Softmax: softmax,
  QuantizeLinear: quantizeLinear,
  DequantizeLinear: dequantizeLinear,
  ...ELEMENTWISE,
  ...SHAPE,
};

export type { Rule } from './rule.js';
