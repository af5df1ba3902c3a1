import { isElementType, isFloatType } from '../ir/element-type.js';
import { opFail } from './op-error.js';
import { broadcastDims, formatDims, type PortType } from './port-type.js';
import type { InferContext } from './spec.js';

function input(ctx: InferContext, i: number): PortType {
  const p = ctx.inputs[i];
  if (!p) opFail(`input ${i} is missing`);
  return p;
}

/** Add, Subtract, Multiply, ...: equal element types, numpy broadcasting (or none: equal shapes). */
export function inferBinary(ctx: InferContext): PortType[] {
  const a = input(ctx, 0);
  const b = input(ctx, 1);
  if (a.type !== b.type) opFail(`inputs are ${a.type} and ${b.type}; both must have one element type`);
  const mode = ctx.attrs.oneOf('auto_broadcast', ['numpy', 'none'], 'numpy');
  if (mode === 'none') {
    if (a.dims && b.dims && formatDims(a.dims) !== formatDims(b.dims)) opFail(`auto_broadcast="none" needs equal shapes, got ${formatDims(a.dims)} and ${formatDims(b.dims)}`);
    return [{ type: a.type, dims: a.dims && [...a.dims] }];
  }
  const dims = broadcastDims(a.dims, b.dims);
  if (!dims && a.dims && b.dims) opFail(`shapes ${formatDims(a.dims)} and ${formatDims(b.dims)} do not broadcast`);
  return [{ type: a.type, dims }];
}

/** Element-wise ops of one input: the output is the input's type and shape. */
export function inferUnary(ctx: InferContext): PortType[] {
  const x = input(ctx, 0);
  return [{ type: x.type, dims: x.dims && [...x.dims] }];
}

export function inferFloatUnary(ctx: InferContext): PortType[] {
  const x = input(ctx, 0);
  if (!isFloatType(x.type)) opFail(`input is ${x.type}; a floating-point type is required`);
  return inferUnary(ctx);
}

export function inferClamp(ctx: InferContext): PortType[] {
  const min = ctx.attrs.float('min');
  const max = ctx.attrs.float('max');
  if (min > max) opFail(`min ${min} is greater than max ${max}`);
  return inferUnary(ctx);
}

/** PReLU: a 1-D slope as long as the channel axis applies per channel; any other slope broadcasts numpy-style. */
export function inferPrelu(ctx: InferContext): PortType[] {
  const x = input(ctx, 0);
  const slope = input(ctx, 1);
  if (x.type !== slope.type) opFail(`data is ${x.type} but the slope is ${slope.type}`);
  if (x.dims && slope.dims) {
    const perChannel = slope.dims.length === 1 && x.dims.length >= 2 && slope.dims[0] === x.dims[1];
    const out = perChannel ? x.dims : broadcastDims(x.dims, slope.dims);
    if (!out || formatDims(out) !== formatDims(x.dims)) opFail(`slope ${formatDims(slope.dims)} does not broadcast to data ${formatDims(x.dims)}`);
  }
  return inferUnary(ctx);
}

/** HardSigmoid-1: alpha and beta are scalar inputs of the data's type. */
export function inferHardSigmoid(ctx: InferContext): PortType[] {
  const x = input(ctx, 0);
  for (const [i, what] of [[1, 'alpha'], [2, 'beta']] as const) {
    const p = input(ctx, i);
    if (p.type !== x.type) opFail(`${what} is ${p.type} but the data is ${x.type}`);
    if (p.dims && p.dims.reduce((a, b) => a * b, 1) !== 1) opFail(`${what} ${formatDims(p.dims)} must hold one value`);
  }
  return inferUnary(ctx);
}

export function inferConvert(ctx: InferContext): PortType[] {
  const x = input(ctx, 0);
  const to = ctx.attrs.string('destination_type');
  if (!isElementType(to)) opFail(`destination_type "${to}" is not an element type condense supports`);
  return [{ type: to, dims: x.dims && [...x.dims] }];
}

export function inferSoftmax(ctx: InferContext, negativeAxes: boolean): PortType[] {
  const x = input(ctx, 0);
  const axis = ctx.attrs.int('axis', 1);
  if (x.dims) {
    const rank = x.dims.length;
    if (axis >= rank || axis < (negativeAxes ? -rank : 0)) opFail(`axis ${axis} is out of range for rank ${rank}`);
  }
  return inferFloatUnary(ctx);
}

/** FakeQuantize: four range inputs broadcast to the data, which the output keeps. */
export function inferFakeQuantize(ctx: InferContext): PortType[] {
  const x = input(ctx, 0);
  const levels = ctx.attrs.int('levels');
  if (levels < 2) opFail(`levels ${levels} must be at least 2`);
  if (!isFloatType(x.type)) opFail(`data is ${x.type}; a floating-point type is required`);
  for (const [i, what] of [[1, 'input_low'], [2, 'input_high'], [3, 'output_low'], [4, 'output_high']] as const) {
    const p = input(ctx, i);
    if (p.type !== x.type) opFail(`${what} is ${p.type} but the data is ${x.type}`);
    const b = broadcastDims(x.dims, p.dims);
    if (x.dims && p.dims && (!b || formatDims(b) !== formatDims(x.dims))) opFail(`${what} ${formatDims(p.dims)} does not broadcast to data ${formatDims(x.dims)}`);
  }
  return inferUnary(ctx);
}

/** BatchNormInference-5: data, gamma, beta, mean, variance; the four parameters are [C]. */
export function inferBatchNorm(ctx: InferContext): PortType[] {
  const x = input(ctx, 0);
  const channels = x.dims?.[1];
  for (let i = 1; i < 5; i++) {
    const p = input(ctx, i);
    if (p.type !== x.type) opFail(`input ${i} is ${p.type} but the data is ${x.type}`);
    if (p.dims && (p.dims.length !== 1 || (channels !== undefined && channels >= 0 && p.dims[0] !== channels))) opFail(`input ${i} ${formatDims(p.dims)} must be [${channels ?? 'C'}]`);
  }
  if (ctx.attrs.float('epsilon') < 0) opFail('epsilon must not be negative');
  return inferUnary(ctx);
}
