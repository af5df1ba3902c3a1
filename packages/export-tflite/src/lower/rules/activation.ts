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

export const relu = simple(BuiltinOperator.RELU);
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
 * HardSigmoid(x) = clamp(alpha·x + beta, 0, 1) = relu6(6·alpha·x + 6·beta) / 6:
 * MUL, ADD with RELU6 fused, MUL; every TFLite runtime has these.
 */
export const hardSigmoid = unary((node, ctx, input, output) => {
  const alpha = getFloat(node.attrs, 'alpha', 0.2);
  const beta = getFloat(node.attrs, 'beta', 0.5);
  const shape = ctx.shapeOf(output);
  const scaled = ctx.temp(`${node.name}/scaled`, shape);
  ctx.emit(BuiltinOperator.MUL, [input, ctx.scalar(`${node.name}/6alpha`, 6 * alpha)], [scaled], { kind: 'arithmetic', activation: ActivationFunctionType.NONE });
  const clamped = ctx.temp(`${node.name}/relu6`, shape);
  ctx.emit(BuiltinOperator.ADD, [scaled, ctx.scalar(`${node.name}/6beta`, 6 * beta)], [clamped], { kind: 'arithmetic', activation: ActivationFunctionType.RELU6 });
  ctx.emit(BuiltinOperator.MUL, [clamped, ctx.scalar(`${node.name}/sixth`, 1 / 6)], [output], { kind: 'arithmetic', activation: ActivationFunctionType.NONE });
});
