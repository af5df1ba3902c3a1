import { DTYPE_CODES, Tensor, attr } from '@condense/core';
import { dtypeOf, isElementType } from '../../ir/element-type.js';
import type { RaiseRule } from './rule.js';

const BINARY: Record<string, string> = { Add: 'Add', Subtract: 'Sub', Multiply: 'Mul', Divide: 'Div', Maximum: 'Max', Minimum: 'Min', Power: 'Pow' };

const UNARY: Record<string, string> = {
  ReLU: 'Relu',
  Sigmoid: 'Sigmoid',
  Tanh: 'Tanh',
  Exp: 'Exp',
  Log: 'Log',
  Sqrt: 'Sqrt',
  Abs: 'Abs',
  Negative: 'Neg',
  Floor: 'Floor',
  Ceiling: 'Ceil',
  Erf: 'Erf',
  HSwish: 'HardSwish',
};

const binary = (op: string): RaiseRule => (layer, ctx) => {
  if (ctx.attrs(layer).string('auto_broadcast', 'numpy').toLowerCase() === 'pdpd') throw ctx.fail(layer, 'PaddlePaddle-style broadcasting is not supported');
  ctx.raise(layer, op, [ctx.input(layer, 0), ctx.input(layer, 1)]);
};

const unary = (op: string): RaiseRule => (layer, ctx) => void ctx.raise(layer, op, [ctx.input(layer, 0)]);

/** (a - b)^2 has no single ONNX op. */
const squaredDifference: RaiseRule = (layer, ctx) => {
  const d = ctx.node('Sub', [ctx.input(layer, 0), ctx.input(layer, 1)], {}, `${layer.name}_difference`);
  ctx.raise(layer, 'Mul', [d, d]);
};

const clamp: RaiseRule = (layer, ctx) => {
  const a = ctx.attrs(layer);
  const bound = (name: string, v: number) => ctx.graph.constant(`${layer.name}_${name}`, Tensor.scalar('float32', v));
  ctx.raise(layer, 'Clip', [ctx.input(layer, 0), bound('min', a.float('min')), bound('max', a.float('max'))]);
};

/** One slope is LeakyRelu; a 1-D per-channel slope is laid out [C, 1, ...] for ONNX's numpy broadcasting. */
const prelu: RaiseRule = (layer, ctx) => {
  const slope = layer.inputs[1]!.dims;
  const data = layer.inputs[0]!.dims;
  const value = ctx.static(layer, 1);
  if (value?.kind === 'tensor' && value.tensor.size === 1) {
    ctx.raise(layer, 'LeakyRelu', [ctx.input(layer, 0)], { alpha: attr.float(value.tensor.toNumbers()[0]!) });
    return;
  }
  const perChannel = slope.length === 1 && data.length >= 2 && slope[0] === data[1];
  const shape = perChannel ? [slope[0]!, ...new Array<number>(data.length - 2).fill(1)] : undefined;
  ctx.raise(layer, 'PRelu', [ctx.input(layer, 0), ctx.input(layer, 1, shape)]);
};

const hardSigmoid: RaiseRule = (layer, ctx) => {
  const [alpha, beta] = [ctx.numbers(layer, 1), ctx.numbers(layer, 2)];
  if (alpha?.length !== 1 || beta?.length !== 1) throw ctx.fail(layer, 'alpha and beta must be constants');
  ctx.raise(layer, 'HardSigmoid', [ctx.input(layer, 0)], { alpha: attr.float(alpha[0]!), beta: attr.float(beta[0]!) });
};

/** HSigmoid is relu6(x + 3) / 6: HardSigmoid with alpha 1/6 and beta 0.5. */
const hSigmoid: RaiseRule = (layer, ctx) => void ctx.raise(layer, 'HardSigmoid', [ctx.input(layer, 0)], { alpha: attr.float(1 / 6), beta: attr.float(0.5) });

const elu: RaiseRule = (layer, ctx) => void ctx.raise(layer, 'Elu', [ctx.input(layer, 0)], { alpha: attr.float(ctx.attrs(layer).float('alpha')) });

const softmax: RaiseRule = (layer, ctx) => void ctx.raise(layer, 'Softmax', [ctx.input(layer, 0)], { axis: attr.int(ctx.attrs(layer).int('axis', 1)) });

const convert: RaiseRule = (layer, ctx) => {
  const to = ctx.attrs(layer).string('destination_type');
  if (!isElementType(to)) throw ctx.fail(layer, `destination_type "${to}" has no ONNX type`);
  ctx.raise(layer, 'Cast', [ctx.input(layer, 0)], { to: attr.int(DTYPE_CODES[dtypeOf(to)]) });
};

const batchNorm: RaiseRule = (layer, ctx) => {
  const inputs = [0, 1, 2, 3, 4].map((i) => ctx.input(layer, i));
  ctx.raise(layer, 'BatchNormalization', inputs, { epsilon: attr.float(ctx.attrs(layer).float('epsilon')) });
};

export const ELEMENTWISE_RAISE: Record<string, RaiseRule> = {
  ...Object.fromEntries(Object.entries(BINARY).map(([type, op]) => [type, binary(op)])),
  ...Object.fromEntries(Object.entries(UNARY).map(([type, op]) => [type, unary(op)])),
  SquaredDifference: squaredDifference,
  Clamp: clamp,
  PReLU: prelu,
  HardSigmoid: hardSigmoid,
  HSigmoid: hSigmoid,
  Elu: elu,
  SoftMax: softmax,
  Convert: convert,
  BatchNormInference: batchNorm,
};
