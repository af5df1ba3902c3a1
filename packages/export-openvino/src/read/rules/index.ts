import { CONV_RAISE } from './conv.js';
import { DENSE_RAISE } from './dense.js';
import { ELEMENTWISE_RAISE } from './elementwise.js';
import { POOL_RAISE } from './pool.js';
import { QUANTIZE_RAISE } from './quantize.js';
import type { RaiseRule } from './rule.js';
import { SHAPE_RAISE } from './shape.js';

/** Every OpenVINO layer type the reader maps to ONNX nodes (Parameter, Const and Result are handled by the reader itself). */
export const RAISE_RULES: Readonly<Record<string, RaiseRule>> = {
  ...CONV_RAISE,
  ...DENSE_RAISE,
  ...ELEMENTWISE_RAISE,
  ...POOL_RAISE,
  ...SHAPE_RAISE,
  ...QUANTIZE_RAISE,
};
