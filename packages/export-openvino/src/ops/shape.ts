import { isFloatType, isIntegerType } from '../ir/element-type.js';
import { opFail } from './op-error.js';
import { broadcastDims, elementCount, formatDims, type PortType } from './port-type.js';
import { constantNumbers, type InferContext } from './spec.js';

function input(ctx: InferContext, i: number): PortType {
  const p = ctx.inputs[i];
  if (!p) opFail(`input ${i} is missing`);
  return p;
}

function integerInput(ctx: InferContext, i: number, what: string): number[] | undefined {
  const p = input(ctx, i);
  if (!isIntegerType(p.type)) opFail(`${what} is ${p.type}; an integer type is required`);
  return constantNumbers(ctx, i);
}

function normalizeAxis(axis: number, rank: number, what = 'axis'): number {
  if (axis < -rank || axis >= rank) opFail(`${what} ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/** Reshape-1: 0 copies the input dimension when special_zero is true; one -1 takes what is left. */
export function inferReshape(ctx: InferContext): PortType[] {
  const x = input(ctx, 0);
  const target = integerInput(ctx, 1, 'the target shape');
  if (!target) {
    const length = input(ctx, 1).dims?.[0];
    return [{ type: x.type, dims: length !== undefined && length >= 0 ? new Array<number>(length).fill(-1) : undefined }];
  }
  if (target.filter((d) => d === -1).length > 1) opFail(`target shape [${target.join(', ')}] has more than one -1`);
  const specialZero = ctx.attrs.bool('special_zero');
  const dims = target.map((d, i) => {
    if (d === 0 && specialZero) {
      if (!x.dims || i >= x.dims.length) opFail(`target dimension ${i} copies an input dimension that does not exist`);
      return x.dims[i]!;
    }
    if (d < -1) opFail(`target shape [${target.join(', ')}] has ${d}`);
    return d;
  });
  const inferAt = target.indexOf(-1);
  const others = dims.filter((_, i) => i !== inferAt);
  if (x.dims && x.dims.every((d) => d >= 0) && others.every((d) => d >= 0)) {
    const count = elementCount(x.dims);
    const rest = elementCount(others);
    if (inferAt >= 0) {
      if (rest === 0 || count % rest !== 0) opFail(`cannot reshape ${formatDims(x.dims)} to [${target.join(', ')}]`);
      dims[inferAt] = count / rest;
    } else if (rest !== count) opFail(`cannot reshape ${formatDims(x.dims)} (${count} elements) to ${formatDims(dims)}`);
  }
  return [{ type: x.type, dims }];
}

export function inferSqueeze(ctx: InferContext): PortType[] {
  const x = input(ctx, 0);
  if (!x.dims) return [{ type: x.type, dims: undefined }];
  const rank = x.dims.length;
  if (ctx.inputs.length < 2) return [{ type: x.type, dims: x.dims.filter((d) => d !== 1) }];
  const axes = integerInput(ctx, 1, 'axes');
  if (!axes) return [{ type: x.type, dims: undefined }];
  const drop = new Set(axes.map((a) => normalizeAxis(a, rank)));
  for (const a of drop) if (x.dims[a] !== 1 && x.dims[a] !== -1) opFail(`cannot squeeze axis ${a} of ${formatDims(x.dims)}: its size is not 1`);
  return [{ type: x.type, dims: x.dims.filter((_, i) => !drop.has(i)) }];
}

export function inferUnsqueeze(ctx: InferContext): PortType[] {
  const x = input(ctx, 0);
  const axes = integerInput(ctx, 1, 'axes');
  if (!x.dims || !axes) return [{ type: x.type, dims: undefined }];
  const rank = x.dims.length + axes.length;
  const added = new Set(axes.map((a) => normalizeAxis(a, rank)));
  if (added.size !== axes.length) opFail(`axes [${axes.join(', ')}] repeat an axis`);
  const rest = [...x.dims];
  return [{ type: x.type, dims: Array.from({ length: rank }, (_, i) => (added.has(i) ? 1 : rest.shift()!)) }];
}

export function inferConcat(ctx: InferContext): PortType[] {
  const first = input(ctx, 0);
  const axisAttr = ctx.attrs.int('axis');
  if (ctx.inputs.some((p) => p.type !== first.type)) opFail('inputs have different element types');
  const ranks = ctx.inputs.filter((p) => p.dims);
  if (!first.dims || ranks.length !== ctx.inputs.length) return [{ type: first.type, dims: undefined }];
  const rank = first.dims.length;
  const axis = normalizeAxis(axisAttr, rank);
  const dims = [...first.dims];
  for (const p of ctx.inputs.slice(1)) {
    if (p.dims!.length !== rank) opFail(`input ${formatDims(p.dims)} has rank ${p.dims!.length}, expected ${rank}`);
    p.dims!.forEach((d, i) => {
      if (i === axis) dims[i] = dims[i]! < 0 || d < 0 ? -1 : dims[i]! + d;
      else if (d >= 0 && dims[i]! >= 0 && d !== dims[i]) opFail(`inputs ${formatDims(first.dims)} and ${formatDims(p.dims)} differ outside axis ${axis}`);
    });
  }
  return [{ type: first.type, dims }];
}

export function inferTranspose(ctx: InferContext): PortType[] {
  const x = input(ctx, 0);
  const order = integerInput(ctx, 1, 'the order');
  if (!x.dims) return [{ type: x.type, dims: undefined }];
  if (!order) return [{ type: x.type, dims: x.dims.map(() => -1) }];
  const perm = order.length ? order : x.dims.map((_, i) => x.dims!.length - 1 - i);
  if (perm.length !== x.dims.length || new Set(perm).size !== perm.length || perm.some((p) => p < 0 || p >= perm.length)) opFail(`order [${order.join(', ')}] is not a permutation of ${x.dims.length} axes`);
  return [{ type: x.type, dims: perm.map((p) => x.dims![p]!) }];
}

/** Gather-8 with batch_dims 0: data[..., indices, ...] along a constant axis. */
export function inferGather(ctx: InferContext): PortType[] {
  const data = input(ctx, 0);
  const indices = input(ctx, 1);
  if (!isIntegerType(indices.type)) opFail(`indices are ${indices.type}; an integer type is required`);
  const axisValue = integerInput(ctx, 2, 'the axis');
  if (ctx.attrs.int('batch_dims', 0) !== 0) opFail('only batch_dims 0 is supported');
  if (!data.dims || !indices.dims || !axisValue) return [{ type: data.type, dims: undefined }];
  if (axisValue.length !== 1) opFail('the axis must be a single value');
  const axis = normalizeAxis(axisValue[0]!, data.dims.length);
  return [{ type: data.type, dims: [...data.dims.slice(0, axis), ...indices.dims, ...data.dims.slice(axis + 1)] }];
}

/** Pad-1 and Pad-12: pads_begin and pads_end inputs as long as the rank (Pad-12 allows negative pads). */
export function inferPad(ctx: InferContext, negative: boolean): PortType[] {
  const x = input(ctx, 0);
  const mode = ctx.attrs.oneOf('pad_mode', ['constant', 'edge', 'reflect', 'symmetric']);
  if (ctx.inputs.length > 3 && mode !== 'constant') opFail(`pad_value is given but pad_mode is "${mode}"`);
  if (ctx.inputs[3] && ctx.inputs[3].type !== x.type) opFail(`pad_value is ${ctx.inputs[3].type} but the data is ${x.type}`);
  const begin = integerInput(ctx, 1, 'pads_begin');
  const end = integerInput(ctx, 2, 'pads_end');
  if (!x.dims) return [{ type: x.type, dims: undefined }];
  if (!begin || !end) return [{ type: x.type, dims: x.dims.map(() => -1) }];
  if (begin.length !== x.dims.length || end.length !== x.dims.length) opFail(`pads have ${begin.length} and ${end.length} values for rank ${x.dims.length}`);
  if (!negative && [...begin, ...end].some((p) => p < 0)) opFail('Pad-1 pads must not be negative');
  return [{ type: x.type, dims: x.dims.map((d, i) => (d < 0 ? -1 : d + begin[i]! + end[i]!)) }];
}

/** Interpolate-11: sizes or scales for the listed axes (all axes when absent). */
export function inferInterpolate(ctx: InferContext): PortType[] {
  const x = input(ctx, 0);
  const mode = ctx.attrs.oneOf('shape_calculation_mode', ['sizes', 'scales']);
  ctx.attrs.oneOf('mode', ['nearest', 'linear', 'linear_onnx', 'cubic', 'bilinear_pillow', 'bicubic_pillow']);
  const values = constantNumbers(ctx, 1);
  const sizesType = input(ctx, 1).type;
  if (mode === 'sizes' ? !isIntegerType(sizesType) : !isFloatType(sizesType)) opFail(`${mode} are ${sizesType}`);
  if (!x.dims) return [{ type: x.type, dims: undefined }];
  const rank = x.dims.length;
  const axes = ctx.inputs.length > 2 ? constantNumbers(ctx, 2)?.map((a) => normalizeAxis(a, rank)) : x.dims.map((_, i) => i);
  const padsBegin = ctx.attrs.ints('pads_begin', [0]);
  const padsEnd = ctx.attrs.ints('pads_end', [0]);
  const padded = x.dims.map((d, i) => (d < 0 ? -1 : d + (padsBegin[i] ?? 0) + (padsEnd[i] ?? 0)));
  if (!values || !axes) return [{ type: x.type, dims: padded.map((d, i) => (axes && !axes.includes(i) ? d : -1)) }];
  if (values.length !== axes.length) opFail(`${values.length} ${mode} for ${axes.length} axes`);
  const dims = [...padded];
  axes.forEach((a, i) => {
    // A float32 scale like 1/3 times 3 lands just below the whole number it means: a small epsilon keeps floor() on it.
    dims[a] = mode === 'sizes' ? values[i]! : padded[a]! < 0 ? -1 : Math.floor(Math.fround(values[i]!) * padded[a]! + 1e-5);
  });
  return [{ type: x.type, dims }];
}

/** ReduceMean, ReduceMax, ReduceSum (version 1): constant axes, keep_dims. */
export function inferReduce(ctx: InferContext): PortType[] {
  const x = input(ctx, 0);
  const axes = integerInput(ctx, 1, 'axes');
  const keep = ctx.attrs.bool('keep_dims', false);
  if (!x.dims) return [{ type: x.type, dims: undefined }];
  if (!axes) return [{ type: x.type, dims: keep ? x.dims.map(() => -1) : undefined }];
  const reduced = new Set(axes.map((a) => normalizeAxis(a, x.dims!.length)));
  const dims = keep ? x.dims.map((d, i) => (reduced.has(i) ? 1 : d)) : x.dims.filter((_, i) => !reduced.has(i));
  return [{ type: x.type, dims }];
}

/** MatMul-1: numpy matmul after the optional transposes of the two innermost axes. */
export function inferMatMul(ctx: InferContext): PortType[] {
  const a = input(ctx, 0);
  const b = input(ctx, 1);
  if (a.type !== b.type) opFail(`inputs are ${a.type} and ${b.type}; both must have one element type`);
  if (!a.dims || !b.dims) return [{ type: a.type, dims: undefined }];
  if (!a.dims.length || !b.dims.length) opFail('MatMul inputs must have rank 1 or more');
  const swap = (d: number[], t: boolean) => (t && d.length >= 2 ? [...d.slice(0, -2), d[d.length - 1]!, d[d.length - 2]!] : d);
  const left = swap([...a.dims], ctx.attrs.bool('transpose_a', false));
  const right = swap([...b.dims], ctx.attrs.bool('transpose_b', false));
  const l = left.length === 1 ? [1, left[0]!] : left;
  const r = right.length === 1 ? [right[0]!, 1] : right;
  const k1 = l[l.length - 1]!;
  const k2 = r[r.length - 2]!;
  if (k1 >= 0 && k2 >= 0 && k1 !== k2) opFail(`inner dimensions differ: ${formatDims(a.dims)} x ${formatDims(b.dims)}`);
  const batch = broadcastDims(l.slice(0, -2), r.slice(0, -2));
  if (!batch) opFail(`batch dimensions of ${formatDims(a.dims)} and ${formatDims(b.dims)} do not broadcast`);
  const dims = [...batch, ...(left.length === 1 ? [] : [l[l.length - 2]!]), ...(right.length === 1 ? [] : [r[r.length - 1]!])];
  return [{ type: a.type, dims }];
}
