import { getFloat, type Node } from '@condense/core';
import { ActivationFunctionType, BuiltinOperator } from '../../generated/tflite_generated.js';
import type { LowerContext } from '../context.js';
import { clipBounds } from '../plan.js';
import { FIRST_INPUT, type OpRule } from '../rule.js';

/**
 * Unary ops keep their input's layout (even a Flatten's NHWC column order):
 * they act on each element alone.
 */
function unary(emit: (node: Node, ctx: LowerContext, input: number, output: number) => void, check: (node: Node) => string | undefined = () => undefined): OpRule {
  return {
    operands: FIRST_INPUT,
    check,
    lower(node, ctx) {
      const x = node.inputs[0]!;
      const out = ctx.output(node, { layout: ctx.layoutOf(x) });
      emit(node, ctx, ctx.input(x), out.index);
    },
  };
}

const simple = (op: BuiltinOperator) => unary((_, ctx, input, output) => ctx.emit(op, [input], [output]));

/** RELU has an int8 kernel (rescaling to its output's parameters); a Relu after an op with a fused activation is folded into it instead. */
export const relu: OpRule = {
  ...simple(BuiltinOperator.RELU),
  int8: {
    check: () => undefined,
    lower(node, ctx) {
      const x = node.inputs[0]!;
      const out = ctx.output(node, { layout: ctx.layoutOf(x) });
      ctx.emit(BuiltinOperator.RELU, [ctx.quantizedInput(x)], [out.index]);
    },
  },
};
export const sigmoid = simple(BuiltinOperator.LOGISTIC);
export const tanh = simple(BuiltinOperator.TANH);
export const hardSwish = simple(BuiltinOperator.HARD_SWISH);

export const leakyRelu = unary((node, ctx, input, output) =>
  ctx.emit(BuiltinOperator.LEAKY_RELU, [input], [output], { kind: 'leakyRelu', alpha: getFloat(node.attrs, 'alpha', 0.01) }),
);

/** Clip to [0, 6], [0, ∞) or [-1, 1] is one activation op; any other range is MAXIMUM then MINIMUM. */
export const clip = unary(
  (node, ctx, input, output) => {
    const [min, max] = clipBounds(node)!;
    const single = min === 0 && max === 6 ? BuiltinOperator.RELU6 : min === 0 && max === Infinity ? BuiltinOperator.RELU : min === -1 && max === 1 ? BuiltinOperator.RELU_N1_TO_1 : undefined;
    if (single !== undefined) return ctx.emit(single, [input], [output]);
    const shape = ctx.shapeOf(output);
    let x = input;
    if (min !== -Infinity) {
      const floored = max === Infinity ? output : ctx.temp(`${node.name}/min`, shape);
      ctx.emit(BuiltinOperator.MAXIMUM, [x, ctx.scalar(`${node.name}/lo`, min)], [floored]);
      x = floored;
    }
    if (max !== Infinity) ctx.emit(BuiltinOperator.MINIMUM, [x, ctx.scalar(`${node.name}/hi`, max)], [output]);
    if (min === -Infinity && max === Infinity) ctx.reshapeInto(x, output);
  },
  (node) => (clipBounds(node) ? undefined : 'Clip bounds must be constants'),
);

/**
 * HardSigmoid(x) = min(max(alpha·x + beta, 0), 1): MUL, ADD with RELU fused,
 * MINIMUM, which round as onnxruntime does (one rounding for the product, one
 * for the sum); every TFLite runtime has these.
 */
export const hardSigmoid = unary((node, ctx, input, output) => {
  const alpha = getFloat(node.attrs, 'alpha', 0.2);
  const beta = getFloat(node.attrs, 'beta', 0.5);
  const shape = ctx.shapeOf(output);
  const scaled = ctx.temp(`${node.name}/scaled`, shape);
  ctx.emit(BuiltinOperator.MUL, [input, ctx.scalar(`${node.name}/alpha`, alpha)], [scaled], { kind: 'arithmetic', activation: ActivationFunctionType.NONE });
  const shifted = ctx.temp(`${node.name}/relu`, shape);
  ctx.emit(BuiltinOperator.ADD, [scaled, ctx.scalar(`${node.name}/beta`, beta)], [shifted], { kind: 'arithmetic', activation: ActivationFunctionType.RELU });
  ctx.emit(BuiltinOperator.MINIMUM, [shifted, ctx.scalar(`${node.name}/one`, 1)], [output]);
});
