import type { Node } from '@condense/core';
import { BuiltinOperator } from '../../generated/tflite_generated.js';
import { NHWC, PLAIN } from '../layout.js';
import type { LowerContext } from '../context.js';
import { ALL_INPUTS, type OpRule } from '../rule.js';
import { dims, isStatic, staticFloats } from '../static-values.js';

const ARITHMETIC: Record<string, BuiltinOperator> = {
  Add: BuiltinOperator.ADD,
  Sub: BuiltinOperator.SUB,
  Mul: BuiltinOperator.MUL,
  Div: BuiltinOperator.DIV,
};

const MIN_MAX: Record<string, BuiltinOperator> = {
  Max: BuiltinOperator.MAXIMUM,
  Min: BuiltinOperator.MINIMUM,
};

function check(node: Node): string | undefined {
  const present = node.inputs.filter((v) => v !== null);
  if (present.length !== 2) return `${present.length} inputs; exported with exactly 2`;
  const rank = dims(node.output).length;
  for (const v of present) {
    if (isStatic(v)) {
      if (!staticFloats(v)) return `constant input "${v.name}" is not a float tensor`;
    } else if (rank === 4 && dims(v).length !== 4) {
      return `broadcasting the computed ${dims(v).length}-D input "${v.name}" against a 4-D one is not supported`;
    }
  }
  return undefined;
}

/**
 * Two-input elementwise ops with ONNX broadcasting. Constants take the output's
 * rank and layout, so they broadcast the same way against NHWC tensors.
 */
function binary(ops: Record<string, BuiltinOperator>, fusesActivation: boolean, int8?: OpRule['int8']): OpRule {
  return { operands: ALL_INPUTS, fusesActivation, check, lower: (node, ctx) => lowerBinary(node, ctx, ops, false), ...(int8 ? { int8 } : {}) };
}

function lowerBinary(node: Node, ctx: LowerContext, ops: Record<string, BuiltinOperator>, quantized: boolean): void {
  const rank = dims(node.output).length;
  const layout = rank === 4 ? NHWC : PLAIN;
  const inputs = node.inputs.flatMap((v) => {
    if (!v) return [];
    if (isStatic(v)) return [ctx.broadcastConstant(v, rank, layout)];
    return [ctx.read(v, quantized, layout.kind !== 'nhwc')];
  });
  const out = ctx.output(node, { layout });
  const options = ARITHMETIC[node.op] !== undefined ? { kind: 'arithmetic' as const, activation: out.activation } : undefined;
  ctx.emit(ops[node.op]!, inputs, [out.index], options);
}

/** ADD, SUB and MUL have int8 kernels that rescale each input to the output's scale. DIV has none. */
const INT8_ARITHMETIC = new Set(['Add', 'Sub', 'Mul']);

/** Add, Sub, Mul, Div, with a following Relu or Relu6 folded in. */
export const arithmetic = binary(ARITHMETIC, true, {
  check(node) {
    if (!INT8_ARITHMETIC.has(node.op)) return `${node.op} has no int8 kernel`;
    const shape = dims(node.output).join(',');
    const same = node.inputs.every((v) => v && !isStatic(v) && dims(v).join(',') === shape);
    return same ? undefined : 'int8 kernels are used for two computed inputs of the same shape';
  },
  lower: (node, ctx) => lowerBinary(node, ctx, ARITHMETIC, true),
});
export const ARITHMETIC_OPS = Object.keys(ARITHMETIC);

/** Two-input Max and Min. */
export const minMax = binary(MIN_MAX, false);
export const MIN_MAX_OPS = Object.keys(MIN_MAX);
