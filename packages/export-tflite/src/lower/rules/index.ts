import type { OpRule } from '../rule.js';
import { clip, hardSigmoid, hardSwish, leakyRelu, relu, sigmoid, tanh } from './activation.js';
import { batchNorm } from './batch-norm.js';
import { conv, convTranspose } from './conv.js';
import { dense } from './dense.js';
import { ARITHMETIC_OPS, MIN_MAX_OPS, arithmetic, minMax } from './elementwise.js';
import { pad } from './pad.js';
import { dequantizeLinear, quantizeLinear } from './quantize.js';
import { globalPool, pool } from './pool.js';
import { reduce } from './reduce.js';
import { resize } from './resize.js';
import { concat, passThrough, reshape, transpose } from './shape.js';
import { softmax } from './softmax.js';

/** ONNX op (default domain) -> how it becomes TFLite. Ops not here are reported by check(). */
export const RULES: ReadonlyMap<string, OpRule> = new Map<string, OpRule>([
  ['Conv', conv],
  ['ConvTranspose', convTranspose],
  ['BatchNormalization', batchNorm],
  ['Gemm', dense],
  ['MatMul', dense],
  ...ARITHMETIC_OPS.map((op) => [op, arithmetic] as const),
  ...MIN_MAX_OPS.map((op) => [op, minMax] as const),
  ['Relu', relu],
  ['Clip', clip],
  ['Sigmoid', sigmoid],
  ['Tanh', tanh],
  ['LeakyRelu', leakyRelu],
  ['HardSwish', hardSwish],
  ['HardSigmoid', hardSigmoid],
  ['MaxPool', pool],
  ['AveragePool', pool],
  ['GlobalAveragePool', globalPool],
  ['GlobalMaxPool', globalPool],
  ['ReduceMean', reduce],
  ['ReduceMax', reduce],
  ['Reshape', reshape],
  ['Flatten', reshape],
  ['Squeeze', reshape],
  ['Unsqueeze', reshape],
  ['Transpose', transpose],
  ['Concat', concat],
  ['Pad', pad],
  ['Softmax', softmax],
  ['Resize', resize],
  ['QuantizeLinear', quantizeLinear],
  ['DequantizeLinear', dequantizeLinear],
  ['Identity', passThrough],
  ['Dropout', passThrough],
]);

/** Why ops condense knows but does not export yet are refused, when there is more to say than "no mapping". */
export const NOT_YET: ReadonlyMap<string, string> = new Map([
  ['Cast', 'only Casts of float16 constants to float32 (float16 weights) are exported'],
  ['QLinearConv', "QOperator form is not exported; quantize in QDQ form (quantize-static's default format), which exports to int8 kernels"],
  ['Constant', 'only Constant nodes holding a tensor (the value attribute) are exported'],
]);
