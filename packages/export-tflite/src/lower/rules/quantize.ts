import { BuiltinOperator } from '../../generated/tflite_generated.js';
import { activationParams, isQuantize, sameParams, type ActivationParams } from '../quantized.js';
import { FIRST_INPUT, type OpRule } from '../rule.js';
import { isStatic } from '../static-values.js';

/**
 * QuantizeLinear of a computed tensor: a QUANTIZE from float, or from int8
 * with other parameters (requantization); nothing when its input already is
 * an int8 tensor with these parameters. The integer kernel writing its input
 * absorbs it instead where it can (see planInt8).
 */
export const quantizeLinear: OpRule = {
  operands: FIRST_INPUT,
  check(node) {
    if (isStatic(node.inputs[0]!)) return 'quantizing a constant at run time; run the cleanup preset (fold-constants) first';
    const params = activationParams(node);
    return typeof params === 'string' ? params : undefined;
  },
  lower(node, ctx) {
    const x = node.inputs[0]!;
    const params = activationParams(node) as ActivationParams;
    const ref = ctx.ref(x);
    const held = ctx.paramsOf(ref.index);
    if (held) return ctx.bind(node.output, { index: ctx.requantized(ref.index, params), layout: ref.layout });
    const out = ctx.define(node.output, ref.layout, params);
    ctx.emit(BuiltinOperator.QUANTIZE, [ctx.input(x)], [out]);
  },
};

/**
 * DequantizeLinear of a QuantizeLinear's output: TFLite keeps the one int8
 * tensor, which integer kernels read as is and float kernels through a
 * DEQUANTIZE made when one first needs it (LowerContext.input).
 * DequantizeLinear of constants (weights, biases) is read by the ops using them.
 */
export const dequantizeLinear: OpRule = {
  operands: FIRST_INPUT,
  check(node) {
    const q = node.inputs[0]?.producer();
    if (!isQuantize(q)) return 'only DequantizeLinear of a QuantizeLinear output (an int8 activation) or of a constant (a weight) is exported';
    const read = activationParams(node);
    if (typeof read === 'string') return read;
    const written = activationParams(q);
    if (typeof written !== 'string' && !sameParams(read, written)) return "its scale and zero point differ from its QuantizeLinear's";
    return undefined;
  },
  lower(node, ctx) {
    ctx.bind(node.output, ctx.ref(node.inputs[0]!));
  },
};
