import { getFloat, getInt } from '@condense/core';
import { ActivationFunctionType, BuiltinOperator } from '../../generated/tflite_generated.js';
import { NCHW_TO_NHWC, permute } from '../layout.js';
import { FIRST_INPUT, type OpRule } from '../rule.js';
import { dims, staticFloats } from '../static-values.js';

/**
 * Inference-mode BatchNormalization with constant statistics, as one MUL and
 * one ADD per channel. (condense's fold-batch-norm pass, in the cleanup
 * preset, removes it entirely by folding it into the Conv before it.)
 */
export const batchNorm: OpRule = {
  operands: FIRST_INPUT,
  check(node) {
    if (getInt(node.attrs, 'training_mode', 0) !== 0) return 'training-mode BatchNormalization is not supported';
    if (node.outputs.slice(1).some((v) => v && (v.useCount > 0 || v.isGraphOutput()))) return 'running mean/variance outputs are not supported';
    if (dims(node.inputs[0]!).length < 2) return 'the input needs a channel axis';
    return [1, 2, 3, 4].every((i) => staticFloats(node.inputs[i])) ? undefined : 'scale, bias, mean and variance must be constants';
  },
  lower(node, ctx) {
    const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => staticFloats(node.inputs[i])!.data);
    const epsilon = getFloat(node.attrs, 'epsilon', 1e-5);
    const channels = scale!.length;
    const factor = Float32Array.from(scale!, (s, c) => s / Math.sqrt(variance![c]! + epsilon));
    const shift = Float32Array.from(bias!, (b, c) => b - mean![c]! * factor[c]!);
    const x = node.inputs[0]!;
    const rank = dims(x).length;
    // Per-channel constants along ONNX axis 1, shaped to broadcast against the stored tensor.
    const onnxShape = [1, channels, ...new Array<number>(rank - 2).fill(1)];
    const nhwc = ctx.layoutOf(x).kind === 'nhwc';
    const shape = nhwc ? permute(onnxShape, NCHW_TO_NHWC) : onnxShape;
    const input = nhwc ? ctx.input(x) : ctx.plainInput(x);
    const out = ctx.output(node);
    const scaled = ctx.temp(`${node.name}/scaled`, ctx.shapeOf(out.index));
    const none = { kind: 'arithmetic' as const, activation: ActivationFunctionType.NONE };
    ctx.emit(BuiltinOperator.MUL, [input, ctx.float32(`${node.name}/factor`, factor, shape)], [scaled], none);
    ctx.emit(BuiltinOperator.ADD, [scaled, ctx.float32(`${node.name}/shift`, shift, shape)], [out.index], none);
  },
};
