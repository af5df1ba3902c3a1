import { CondenseError } from '../errors.js';
import { getInt, getTensor } from '../ir/attr.js';
import type { Dim, TensorType } from '../ir/value.js';
import { dtypeFromCode, type DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { broadcastShapes } from './broadcast.js';
import { MAX_KNOWN, normalizeAxis, product, type InferContext } from './context.js';
import type { ShapeRule } from './rule.js';

const typed = (dtype: DType | undefined, shape?: Dim[]): TensorType | undefined => dtype && { dtype, shape };

export const matMul: ShapeRule = (ctx) => [typed(ctx.dtype(0), matMulShape(ctx, ctx.shape(0), ctx.shape(1)))];

export const qLinearMatMul: ShapeRule = (ctx) => [typed(ctx.dtype(7) ?? 'uint8', matMulShape(ctx, ctx.shape(0), ctx.shape(3)))];

function matMulShape(ctx: InferContext, a: Dim[] | undefined, b: Dim[] | undefined): Dim[] | undefined {
  if (!a || !b) return undefined;
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)], () => ctx.fresh());
  const out = [...batch, a2[a2.length - 2]!, b2[b2.length - 1]!];
  if (a.length === 1) out.splice(out.length - 2, 1);
  if (b.length === 1) out.pop();
  return out;
}

export const gemm: ShapeRule = (ctx) => {
  const a = ctx.shape(0);
  const b = ctx.shape(1);
  const m = a && (ctx.int('transA', 0) ? a[1] : a[0]);
  const n = b && (ctx.int('transB', 0) ? b[0] : b[1]);
  return [typed(ctx.dtype(0), m !== undefined && n !== undefined ? [m, n] : undefined)];
};

export const reduce: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const keep = ctx.int('keepdims', 1) === 1;
  // Axes moved from an attribute to the second input (ReduceSum at 13, the rest at 18).
  const fromInput = ctx.hasInput(1);
  const axes = fromInput ? ctx.numbers(1) : ctx.ints('axes');
  const dtype = ctx.node.op === 'ArgMax' || ctx.node.op === 'ArgMin' ? 'int64' : ctx.dtype(0);
  if (!x || (fromInput && !axes)) return [typed(dtype)];
  const list = ctx.node.op.startsWith('Arg') ? [ctx.int('axis', 0)] : axes ?? [];
  if (list.length === 0 && ctx.int('noop_with_empty_axes', 0) === 1) return [typed(dtype, [...x])];
  const set = new Set((list.length ? list : x.map((_, i) => i)).map((a) => normalizeAxis(a, x.length)));
  const shape = x.flatMap((d, i) => (set.has(i) ? (keep ? [1] : []) : [d]));
  return [typed(dtype, shape)];
};

export const reshape: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const target = ctx.values(1) ?? (ctx.ints('shape') as Dim[] | undefined);
  if (!target) return [typed(ctx.dtype(0))];
  const allowZero = ctx.int('allowzero', 0) === 1;
  const out = target.map((d, i) => (d === 0 && !allowZero ? (x?.[i] ?? ctx.fresh()) : d));
  const inferred = out.indexOf(-1);
  if (inferred >= 0) {
    const rest = out.filter((_, i) => i !== inferred);
    const total = x && product(x);
    const known = product(rest);
    out[inferred] = typeof total === 'number' && typeof known === 'number' && known > 0 ? total / known : equalOrFresh(ctx, total, known);
  }
  propagateSame(ctx);
  return [typed(ctx.dtype(0), out)];
};

/** total/known when symbolic: the one remaining symbol if the others cancel, else a fresh one. */
function equalOrFresh(ctx: InferContext, total: Dim | undefined, known: Dim): Dim {
  if (typeof total === 'string' && typeof known === 'number' && known === 1) return total;
  if (typeof total === 'string' && typeof known === 'string' && total.startsWith(`${known}*`)) return total.slice(known.length + 1);
  return ctx.fresh();
}

function propagateSame(ctx: InferContext): void {
  const v = ctx.values(0);
  if (v) ctx.setKnown(0, v);
}

export const flatten: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  if (!x) return [typed(ctx.dtype(0))];
  const axis = normalizeAxis(ctx.int('axis', 1), x.length);
  return [typed(ctx.dtype(0), [product(x.slice(0, axis)), product(x.slice(axis))])];
};

export const transpose: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  if (!x) return [typed(ctx.dtype(0))];
  const perm = ctx.ints('perm') ?? x.map((_, i) => x.length - 1 - i);
  return [typed(ctx.dtype(0), perm.map((p) => x[p]!))];
};

export const concat: ShapeRule = (ctx) => {
  const shapes = ctx.node.inputs.map((_, i) => ctx.shape(i));
  const dtype = ctx.node.inputs.map((_, i) => ctx.dtype(i)).find((d) => d);
  const known = ctx.node.inputs.map((_, i) => ctx.values(i));
  if (known.every((k) => k) && ctx.rank(0) === 1) ctx.setKnown(0, known.flat() as Dim[]);
  if (shapes.length === 0) throw new CondenseError('E_SHAPE_INFERENCE', 'it has no inputs to concatenate.');
  if (shapes.some((s) => !s)) return [typed(dtype)];
  const first = shapes[0]!;
  const ranks = new Set(shapes.map((s) => s!.length));
  if (ranks.size > 1) throw new CondenseError('E_SHAPE_INFERENCE', `its inputs have different ranks (${[...ranks].join(' and ')}); Concat joins tensors of one rank.`);
  const axis = normalizeAxis(ctx.int('axis', 0), first.length);
  if (axis < 0 || axis >= first.length) throw new CondenseError('E_SHAPE_INFERENCE', `axis ${ctx.int('axis', 0)} is outside its inputs' rank ${first.length}.`);
  const out = [...first];
  const sizes = shapes.map((s) => s![axis]!);
  out[axis] = sizes.every((d) => typeof d === 'number') ? (sizes as number[]).reduce((a, b) => a + b, 0) : ctx.fresh();
  return [typed(dtype, out)];
};

export const split: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const n = ctx.node.outputs.length;
  if (!x) return Array.from({ length: n }, () => typed(ctx.dtype(0)));
  const axis = normalizeAxis(ctx.int('axis', 0), x.length);
  const given = ctx.hasInput(1) || ctx.node.attrs['split'] !== undefined;
  // Sizes given but unknown here stay symbolic; only an absent split means equal parts.
  const sizes = given ? (ctx.hasInput(1) ? ctx.numbers(1) : ctx.ints('split')) : evenSplit(x[axis]!, n);
  return Array.from({ length: n }, (_, i) => {
    const shape = [...x];
    shape[axis] = sizes?.[i] ?? ctx.fresh();
    return typed(ctx.dtype(0), shape);
  });
};

function evenSplit(dim: Dim, n: number): number[] | undefined {
  if (typeof dim !== 'number') return undefined;
  const chunk = Math.ceil(dim / n);
  return Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
}

export const slice: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const fromInputs = ctx.opsetVersion >= 10;
  const starts = fromInputs ? ctx.numbers(1) : ctx.ints('starts');
  const ends = fromInputs ? ctx.numbers(2) : ctx.ints('ends');
  if (!x || !starts || !ends) return [typed(ctx.dtype(0), x && x.map(() => ctx.fresh()))];
  const axes = (fromInputs && ctx.hasInput(3) ? ctx.numbers(3) : fromInputs ? undefined : ctx.ints('axes')) ?? starts.map((_, i) => i);
  const steps = (fromInputs && ctx.hasInput(4) ? ctx.numbers(4) : undefined) ?? starts.map(() => 1);
  if (fromInputs && ((ctx.hasInput(3) && !ctx.numbers(3)) || (ctx.hasInput(4) && !ctx.numbers(4)))) {
    return [typed(ctx.dtype(0), x.map(() => ctx.fresh()))];
  }
  const out = [...x];
  const values = ctx.values(0);
  let sliced = values;
  axes.forEach((a, i) => {
    const axis = normalizeAxis(a, x.length);
    const dim = x[axis]!;
    const [s, e, step] = [starts[i]!, ends[i]!, steps[i]!];
    if (typeof dim !== 'number') {
      out[axis] = s === 0 && step === 1 && e >= 2 ** 31 - 1 ? dim : ctx.fresh();
      sliced = undefined;
      return;
    }
    // Only known values need the indices; a size is counted, since a declared dimension can be 2^50.
    if (sliced && axis === 0) {
      const range = sliceRange(dim, s, e, step);
      out[axis] = range.length;
      sliced = range.map((j) => sliced![j]!);
    } else {
      out[axis] = sliceLength(dim, s, e, step);
    }
  });
  if (sliced && x.length === 1) ctx.setKnown(0, sliced);
  return [typed(ctx.dtype(0), out)];
};

/** Start and end of a Slice along one axis, clamped as the spec does. */
function sliceBounds(dim: number, start: number, end: number, step: number): [number, number] {
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  const s = start < 0 ? start + dim : start;
  const e = end < 0 ? end + dim : end;
  // Negative steps: ONNX clamps starts to [0, dim-1] and ends to [-1, dim-1].
  return step > 0 ? [clamp(s, 0, dim), clamp(e, 0, dim)] : [clamp(s, 0, dim - 1), clamp(e, -1, dim - 1)];
}

/** How many indices ONNX Slice selects along one axis. */
export function sliceLength(dim: number, start: number, end: number, step: number): number {
  if (step === 0) return 0;
  const [s, e] = sliceBounds(dim, start, end, step);
  return Math.max(0, Math.ceil((e - s) / step));
}

/** The indices ONNX Slice selects along one axis (clamping as the spec does). */
export function sliceRange(dim: number, start: number, end: number, step: number): number[] {
  const [s, e] = sliceBounds(dim, start, end, step);
  const idx: number[] = [];
  if (step === 0) return idx;
  for (let i = s; step > 0 ? i < e : i > e; i += step) {
    idx.push(i);
    if (idx.length > MAX_KNOWN && dim > MAX_KNOWN) return Array.from({ length: Math.max(0, Math.ceil((e - s) / step)) }, (_, j) => s + j * step);
  }
  return idx;
}

function axesOf(ctx: InferContext): number[] | undefined {
  return ctx.opsetVersion >= 13 ? (ctx.hasInput(1) ? ctx.numbers(1) : []) : (ctx.ints('axes') ?? []);
}

export const squeeze: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const axes = axesOf(ctx);
  propagateSame(ctx);
  if (!x || !axes) return [typed(ctx.dtype(0))];
  const drop = new Set(axes.length ? axes.map((a) => normalizeAxis(a, x.length)) : x.flatMap((d, i) => (d === 1 ? [i] : [])));
  return [typed(ctx.dtype(0), x.filter((_, i) => !drop.has(i)))];
};

export const unsqueeze: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const axes = axesOf(ctx);
  propagateSame(ctx);
  if (!x || !axes) return [typed(ctx.dtype(0))];
  const rank = x.length + axes.length;
  const set = new Set(axes.map((a) => normalizeAxis(a, rank)));
  const rest = [...x];
  return [typed(ctx.dtype(0), Array.from({ length: rank }, (_, i) => (set.has(i) ? 1 : rest.shift()!)))];
};

export const resize: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  if (!x) return [typed(ctx.dtype(0))];
  // Opset 10 Resize and Upsample: (X, scales). Opset 11+: (X, roi, scales, sizes).
  const legacy = ctx.node.op === 'Upsample' || ctx.opsetVersion < 11;
  const sizes = legacy ? undefined : ctx.hasInput(3) ? ctx.numbers(3) : undefined;
  const scales = legacy ? (ctx.hasInput(1) ? constFloats(ctx.constTensor(1)) : undefined) ?? undefined : ctx.hasInput(2) ? constFloats(ctx.constTensor(2)) : undefined;
  const attrScales = ctx.node.attrs['scales']?.type === 'floats' ? (ctx.node.attrs['scales'].value as number[]) : undefined;
  const axes = ctx.ints('axes')?.map((a) => normalizeAxis(a, x.length)) ?? x.map((_, i) => i);
  if (sizes && sizes.length === axes.length) {
    const out = [...x];
    axes.forEach((a, i) => (out[a] = sizes[i]!));
    return [typed(ctx.dtype(0), out)];
  }
  const s = scales && scales.length ? scales : attrScales;
  if (!s || s.length !== axes.length) return [typed(ctx.dtype(0), x.map(() => ctx.fresh()))];
  const out = [...x];
  axes.forEach((a, i) => {
    const d = x[a]!;
    out[a] = typeof d === 'number' ? Math.floor(d * s[i]!) : s[i] === 1 ? d : ctx.fresh();
  });
  return [typed(ctx.dtype(0), out)];
};

function constFloats(t: Tensor | undefined): number[] | undefined {
  return t && t.dtype !== 'string' ? t.toNumbers() : undefined;
}

export const pad: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const pads = ctx.opsetVersion >= 11 ? ctx.numbers(1) : ctx.ints('pads');
  if (!x) return [typed(ctx.dtype(0))];
  if (!pads) return [typed(ctx.dtype(0), x.map(() => ctx.fresh()))];
  const axes = ctx.hasInput(3) ? ctx.numbers(3)?.map((a) => normalizeAxis(a, x.length)) : x.map((_, i) => i);
  if (!axes) return [typed(ctx.dtype(0), x.map(() => ctx.fresh()))];
  const out = [...x];
  axes.forEach((a, i) => {
    const d = x[a]!;
    const add = pads[i]! + pads[i + axes.length]!;
    out[a] = typeof d === 'number' ? d + add : add === 0 ? d : ctx.fresh();
  });
  return [typed(ctx.dtype(0), out)];
};

export const shape: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  if (!x) return [{ dtype: 'int64' }];
  const start = normalizeAxis(ctx.int('start', 0), x.length);
  const endAttr = getInt(ctx.attrs, 'end');
  const end = endAttr === undefined ? x.length : normalizeAxis(endAttr, x.length);
  const dims = x.slice(Math.max(0, start), Math.min(x.length, end));
  ctx.setKnown(0, dims);
  return [{ dtype: 'int64', shape: [dims.length] }];
};

export const size: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  if (x) ctx.setKnown(0, [product(x)]);
  return [{ dtype: 'int64', shape: [] }];
};

export const gather: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const idx = ctx.shape(1);
  if (!x || !idx) return [typed(ctx.dtype(0))];
  const axis = normalizeAxis(ctx.int('axis', 0), x.length);
  const values = ctx.values(0);
  const indices = ctx.numbers(1);
  if (values && indices && axis === 0 && x.length === 1) {
    ctx.setKnown(0, indices.map((i) => values[i < 0 ? i + values.length : i]!));
  }
  return [typed(ctx.dtype(0), [...x.slice(0, axis), ...idx, ...x.slice(axis + 1)])];
};

export const cast: ShapeRule = (ctx) => {
  propagateSame(ctx);
  const to = dtypeFromCode(ctx.int('to', 0));
  return [typed(to, ctx.shape(0) && [...ctx.shape(0)!])];
};

export const constant: ShapeRule = (ctx) => {
  const t = getTensor(ctx.attrs, 'value');
  const a = ctx.attrs;
  if (t) {
    if ((t.dtype === 'int64' || t.dtype === 'int32') && t.size <= MAX_KNOWN) ctx.setKnown(0, t.toNumbers());
    return [{ dtype: t.dtype, shape: [...t.shape] }];
  }
  if (a['value_int']?.type === 'int') {
    ctx.setKnown(0, [Number(a['value_int'].value)]);
    return [{ dtype: 'int64', shape: [] }];
  }
  if (a['value_ints']?.type === 'ints') {
    const v = a['value_ints'].value.map(Number);
    ctx.setKnown(0, v);
    return [{ dtype: 'int64', shape: [v.length] }];
  }
  if (a['value_float']) return [{ dtype: 'float32', shape: [] }];
  if (a['value_floats']?.type === 'floats') return [{ dtype: 'float32', shape: [a['value_floats'].value.length] }];
  if (a['value_string']) return [{ dtype: 'string', shape: [] }];
  if (a['value_strings']?.type === 'strings') return [{ dtype: 'string', shape: [a['value_strings'].value.length] }];
  return [undefined];
};

export const dropout: ShapeRule = (ctx) => {
  const t = ctx.type(0);
  return [t && { ...t, shape: t.shape && [...t.shape] }, t && { dtype: 'bool', shape: t.shape && [...t.shape] }];
};

export const quantizeLinear: ShapeRule = (ctx) => {
  const code = getInt(ctx.attrs, 'output_dtype');
  const dtype = (code ? dtypeFromCode(code) : undefined) ?? ctx.dtype(2) ?? 'uint8';
  return [typed(dtype, ctx.shape(0) && [...ctx.shape(0)!])];
};

export const dequantizeLinear: ShapeRule = (ctx) => {
  const code = getInt(ctx.attrs, 'output_dtype');
  const dtype = (code ? dtypeFromCode(code) : undefined) ?? ctx.dtype(1) ?? 'float32';
  return [typed(dtype, ctx.shape(0) && [...ctx.shape(0)!])];
};

export const expand: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const target = ctx.values(1);
  if (!x || !target) return [typed(ctx.dtype(0))];
  return [typed(ctx.dtype(0), broadcastShapes([x, target], () => ctx.fresh()))];
};

export const constantOfShape: ShapeRule = (ctx) => {
  const t = getTensor(ctx.attrs, 'value');
  const dims = ctx.values(0);
  // Without its values, the shape input's length is the rank: a declared length past any real rank is a hostile file, so the rank stays unknown.
  const rank = ctx.shape(0)?.[0];
  return [{ dtype: t?.dtype ?? 'float32', shape: dims ?? (typeof rank === 'number' && rank <= MAX_KNOWN ? Array.from({ length: rank }, () => ctx.fresh()) : undefined) }];
};

export const where: ShapeRule = (ctx) => {
  const shapes = [ctx.shape(0), ctx.shape(1), ctx.shape(2)];
  const dtype = ctx.dtype(1) ?? ctx.dtype(2);
  if (shapes.some((s) => !s)) return [typed(dtype)];
  return [typed(dtype, broadcastShapes(shapes as Dim[][], () => ctx.fresh()))];
};

export const tile: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const reps = ctx.numbers(1);
  if (!x || !reps) return [typed(ctx.dtype(0))];
  return [typed(ctx.dtype(0), x.map((d, i) => (typeof d === 'number' ? d * reps[i]! : reps[i] === 1 ? d : ctx.fresh())))];
};
