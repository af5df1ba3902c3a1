import { CONV_RULES } from './conv.js';
import { DENSE_RULES } from './dense.js';
import { ELEMENTWISE_RULES } from './elementwise.js';
import { POOL_RULES } from './pool.js';
import { QUANTIZE_RULES } from './quantize.js';
import { RESIZE_RULES } from './resize.js';
import type { LowerRule } from './rule.js';
import { SHAPE_RULES } from './shape.js';

/** Every ONNX op the OpenVINO export writes, by op name (default domain). */
export const RULES: Readonly<Record<string, LowerRule>> = {
  ...CONV_RULES,
  ...DENSE_RULES,
  ...ELEMENTWISE_RULES,
  ...POOL_RULES,
  ...SHAPE_RULES,
  ...RESIZE_RULES,
  ...QUANTIZE_RULES,
};

export function ruleOf(op: string, domain: string): LowerRule | undefined {
  return domain === '' && Object.hasOwn(RULES, op) ? RULES[op] : undefined;
}
