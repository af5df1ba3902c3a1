import { CondenseError, Tensor, attr, dtypeCode, type Attr, type DType, type Dim, type Value } from '@condense/core';
import { NHWC_AS_NCHW, compose, dropAxes, identity, invert, type Perm } from '../layout.js';
import { quoted } from './check-json.js';
import { permuteTensor, rankOf, unsupported, type TfBuilder, type TfTensor } from './builder.js';

const valueOf = (value: Value, perm: Perm): TfTensor => ({ kind: 'value', value, perm });
const normalize = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

/** The layout an op over several inputs works in: that of the first input computed at run time with the most axes. */
function commonPerm(inputs: readonly TfTensor[]): Perm {
  const rank = Math.max(...inputs.map(rankOf));
  const lead = inputs.find((t) => t.kind === 'value' && t.perm.length === rank);
  return lead?.kind === 'value' ? lead.perm : identity(rank);
}

/** An elementwise op with broadcasting (Add, Mul, Maximum, ...), computed in its inputs' layout. */
export function elementwise(b: TfBuilder, name: string, op: string, inputs: readonly TfTensor[], attrs: Record<string, Attr> = {}): TfTensor {
  const perm = commonPerm(inputs);
  return valueOf(b.node(op, inputs.map((t) => b.in(t, perm)), attrs, name), perm);
}

/** A reduction over tfjs axes (Mean, Max, Sum...). A mean or max over an NHWC map's height and width is ONNX's global pool. */
export function reduce(b: TfBuilder, name: string, op: 'ReduceMean' | 'ReduceMax' | 'ReduceMin' | 'ReduceSum' | 'ReduceProd', x: TfTensor, axes: number[], keepDims: boolean): TfTensor {
  const rank = rankOf(x);
  const logical = [...new Set(axes.map((a) => normalize(a, rank)))].sort();
  const perm = x.kind === 'value' ? x.perm : identity(rank);
  const global = op === 'ReduceMean' ? 'GlobalAveragePool' : op === 'ReduceMax' ? 'GlobalMaxPool' : undefined;
  if (global && rank === 4 && logical.join() === '1,2') {
    const pooled = b.node(global, [b.in(x, NHWC_AS_NCHW)], {}, keepDims ? name : `${name}/pool`);
    return keepDims ? valueOf(pooled, NHWC_AS_NCHW) : valueOf(b.node('Flatten', [pooled], { axis: attr.int(1) }, name), [0, 1]);
  }
  const stored = logical.map((a) => perm.indexOf(a));
  const input = b.in(x, perm);
  const keep = attr.int(keepDims ? 1 : 0);
  // Opset 13 takes ReduceSum's axes as an input and the others' as an attribute.
  const value = op === 'ReduceSum' ? b.node(op, [input, b.int64s(`${name}/axes`, stored)], { keepdims: keep }, name) : b.node(op, [input], { axes: attr.ints(stored), keepdims: keep }, name);
  return valueOf(value, keepDims ? perm : dropAxes(perm, logical));
}

/**
 * A target shape whose entries are dimensions of the input (Keras's Flatten as
 * converted: [batch, -1]) as numbers and at most one -1: the -1 is worked out
 * from the input's known sizes, and the one symbol left (the batch) becomes -1.
 */
export function resolveShape(target: readonly Dim[], input: readonly Dim[] | undefined, what: string): number[] {
  const symbols = (dims: readonly Dim[]) => dims.filter((d): d is string => typeof d === 'string').sort().join();
  const product = (dims: readonly Dim[]) => dims.reduce<number>((p, d) => (typeof d === 'number' && d !== -1 ? p * d : p), 1);
  let dims = [...target];
  if (dims.includes(-1) && dims.some((d) => typeof d === 'string')) {
    if (!input || symbols(input) !== symbols(dims)) throw unsupported(`${what}: a reshape to [${target.join(', ')}] of a tensor of shape [${input?.join(', ') ?? 'unknown'}]`);
    dims = dims.map((d) => (d === -1 ? product(input) / product(dims) : d));
  }
  if (dims.filter((d) => typeof d === 'string').length > 1) throw unsupported(`${what}: a reshape to [${target.join(', ')}] with several unknown dimensions`);
  return dims.map((d) => (typeof d === 'string' ? -1 : d));
}

/** Reshape with tfjs's meaning: the elements in tfjs's (NHWC) order. */
export function reshape(b: TfBuilder, name: string, x: TfTensor, shape: number[]): TfTensor {
  if (x.kind === 'const') return b.constant(name, x.tensor.reshape(fillShape(x.tensor.size, shape)));
  return valueOf(b.node('Reshape', [b.in(x, identity(rankOf(x))), b.int64s(`${name}/shape`, shape)], {}, name), identity(shape.length));
}

function fillShape(size: number, shape: number[]): number[] {
  const known = shape.reduce((n, d) => (d === -1 ? n : n * d), 1);
  return shape.map((d) => (d === -1 ? size / known : d));
}

/** Keras Flatten: [batch, everything else in tfjs's order]. */
export function flatten(b: TfBuilder, name: string, x: TfTensor): TfTensor {
  if (x.kind === 'const') throw unsupported(`${name}: Flatten of a constant`);
  return valueOf(b.node('Flatten', [b.in(x, identity(rankOf(x)))], { axis: attr.int(1) }, name), [0, 1]);
}

/** Squeeze of tfjs axes (all axes of size 1 when none are given), kept in the input's layout. */
export function squeeze(b: TfBuilder, name: string, x: TfTensor, axes: number[]): TfTensor {
  const rank = rankOf(x);
  let logical = axes.map((a) => normalize(a, rank));
  if (!logical.length) {
    const shape = b.shapeOf(x);
    if (!shape) throw unsupported(`${name}: Squeeze without axes of a tensor of unknown shape`);
    logical = shape.flatMap((d, i) => (d === 1 ? [i] : []));
  }
  if (x.kind === 'const') {
    const shape = x.tensor.shape.filter((_, i) => !logical.includes(i));
    return b.constant(name, x.tensor.reshape(shape));
  }
  const stored = logical.map((a) => x.perm.indexOf(a));
  return valueOf(b.node('Squeeze', [x.value, b.int64s(`${name}/axes`, stored)], {}, name), dropAxes(x.perm, logical));
}

/** ExpandDims: one new axis of size 1, in tfjs's order. */
export function expandDims(b: TfBuilder, name: string, x: TfTensor, axis: number): TfTensor {
  const rank = rankOf(x) + 1;
  const at = normalize(axis, rank);
  if (x.kind === 'const') {
    const shape = [...x.tensor.shape];
    shape.splice(at, 0, 1);
    return b.constant(name, x.tensor.reshape(shape));
  }
  return valueOf(b.node('Unsqueeze', [b.in(x, identity(rank - 1)), b.int64s(`${name}/axes`, [at])], {}, name), identity(rank));
}

export function concat(b: TfBuilder, name: string, inputs: readonly TfTensor[], axis: number): TfTensor {
  const perm = commonPerm(inputs);
  const stored = perm.indexOf(normalize(axis, perm.length));
  return valueOf(b.node('Concat', inputs.map((t) => b.in(t, perm)), { axis: attr.int(stored) }, name), perm);
}

/** Pad / PadV2 / MirrorPad: `paddings` is tfjs's [[before, after], ...] per axis. */
export function pad(b: TfBuilder, name: string, x: TfTensor, paddings: number[], mode: 'constant' | 'reflect' | 'symmetric', value = 0): TfTensor {
  if (mode === 'symmetric') throw unsupported(`${name}: MirrorPad in SYMMETRIC mode (ONNX has reflect and edge)`);
  if (x.kind === 'const') throw unsupported(`${name}: padding a constant`);
  const perm = x.perm;
  const begins = perm.map((p) => paddings[2 * p]!);
  const ends = perm.map((p) => paddings[2 * p + 1]!);
  const inputs = [x.value, b.int64s(`${name}/pads`, [...begins, ...ends])];
  if (mode === 'constant' && value !== 0) inputs.push(b.irConstant(`${name}/value`, Tensor.scalar('float32', value)));
  return valueOf(b.node('Pad', inputs, { mode: attr.string(mode) }, name), perm);
}

/** GatherV2 along a tfjs axis; the result is laid out as tfjs has it (a codebook lookup of stored weights, most often). */
export function gather(b: TfBuilder, name: string, data: TfTensor, indices: TfTensor, axis: number): TfTensor {
  const rank = rankOf(data);
  const value = b.node('Gather', [b.in(data, identity(rank)), b.in(indices, identity(rankOf(indices)))], { axis: attr.int(normalize(axis, rank)) }, name);
  return valueOf(value, identity(rank - 1 + rankOf(indices)));
}

/** A transpose costs nothing: the result is the same IR value, stored under another perm. */
export function transpose(b: TfBuilder, name: string, x: TfTensor, perm: number[]): TfTensor {
  // The layout bookkeeping inverts `perm`: it must order the input's axes, each once.
  const rank = rankOf(x);
  if (perm.length !== rank || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) {
    throw new CondenseError('E_MODEL_INVALID', `Node ${quoted(name)} transposes a tensor of ${rank} axes by ${quoted(perm.join(','))}, which is not an order of its axes.`, { context: { node: name } });
  }
  if (x.kind === 'const') return b.constant(name, permuteTensor(x.tensor, x.tensor.shape, perm));
  return valueOf(x.value, compose(invert(perm), x.perm));
}

export function cast(b: TfBuilder, name: string, x: TfTensor, to: DType): TfTensor {
  if (x.kind === 'const') return b.constant(name, Tensor.from(to, x.tensor.shape, x.tensor.toNumbers().map((v) => (to === 'int32' ? Math.trunc(v) : to === 'bool' ? Number(v !== 0) : v))));
  return valueOf(b.node('Cast', [x.value], { to: attr.int(dtypeCode(to)) }, name), x.perm);
}
