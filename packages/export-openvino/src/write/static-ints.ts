import { Tensor, dtypeBits, dtypeFromCode, getInt, getInts, getString, isIntegerDType, type DType, type Node } from '@condense/core';

/**
 * Evaluates the integer subgraphs condense builds over constants: the
 * BitShift/Concat/Reshape unpacking of 2- and 4-bit weights and cluster
 * indices, Cast to int32, Add of per-group codebook offsets. The export
 * stores their results as OpenVINO constants (packed again where OpenVINO
 * has a 4-bit type). Returns undefined for anything else, which then stays a
 * run-time op. (core's fold-constants has no BitShift and folds to float.)
 */
export function evaluateIntegerNode(node: Node, inputs: ReadonlyArray<Tensor | undefined>, outShape: readonly number[] | undefined): Tensor | undefined {
  if (node.domain !== '' || inputs.some((t) => t && !isIntegerDType(t.dtype))) return undefined;
  const [a, b] = inputs;
  switch (node.op) {
    case 'Identity':
      return a;
    case 'Reshape':
    case 'Flatten':
    case 'Squeeze':
    case 'Unsqueeze':
      return a && outShape ? a.reshape(outShape) : undefined;
    case 'Cast': {
      const to = dtypeFromCode(getInt(node.attrs, 'to', 0));
      return a && to && isIntegerDType(to) ? Tensor.from(to, a.shape, wrap(to, values(a))) : undefined;
    }
    case 'BitShift': {
      if (!a || !b || a.dtype !== 'uint8') return undefined;
      const left = getString(node.attrs, 'direction', '') === 'LEFT';
      return elementwise(a, b, (x, s) => (left ? (x << s) & 0xff : x >> s), 'uint8');
    }
    case 'Add':
      return a && b ? elementwise(a, b, (x, y) => x + y, a.dtype) : undefined;
    case 'Sub':
      return a && b ? elementwise(a, b, (x, y) => x - y, a.dtype) : undefined;
    case 'Mul':
      return a && b ? elementwise(a, b, (x, y) => x * y, a.dtype) : undefined;
    case 'Concat':
      return inputs.every((t): t is Tensor => t !== undefined) ? concat(inputs, getInt(node.attrs, 'axis', 0)) : undefined;
    case 'Slice':
      return a ? slice(node, inputs) : undefined;
    default:
      return undefined;
  }
}

function values(t: Tensor): number[] {
  return t.toNumbers();
}

/** Values as the target integer type stores them (two's complement wrap-around, as Cast does). */
function wrap(dtype: DType, v: number[]): number[] | bigint[] {
  if (dtype === 'int64' || dtype === 'uint64') return v.map((x) => BigInt(Math.trunc(x)));
  const bits = dtypeBits(dtype);
  const signed = dtype.startsWith('int');
  const span = 2 ** bits;
  return v.map((x) => {
    let r = ((Math.trunc(x) % span) + span) % span;
    if (signed && r >= span / 2) r -= span;
    return r;
  });
}

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

function elementwise(a: Tensor, b: Tensor, f: (x: number, y: number) => number, dtype: DType): Tensor | undefined {
  const rank = Math.max(a.rank, b.rank);
  const pad = (s: readonly number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const sa = pad(a.shape);
  const sb = pad(b.shape);
  const shape = sa.map((d, i) => (d === 1 ? sb[i]! : d));
  if (shape.some((d, i) => (sa[i] !== d && sa[i] !== 1) || (sb[i] !== d && sb[i] !== 1))) return undefined;
  const [va, vb] = [values(a), values(b)];
  const [ta, tb, to] = [stridesOf(sa), stridesOf(sb), stridesOf(shape)];
  const count = shape.reduce((x, y) => x * y, 1);
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < rank; d++) {
      const c = Math.floor(i / to[d]!) % shape[d]!;
      if (sa[d] !== 1) ia += c * ta[d]!;
      if (sb[d] !== 1) ib += c * tb[d]!;
    }
    out[i] = f(va[ia]!, vb[ib]!);
  }
  return Tensor.from(dtype, shape, wrap(dtype, out));
}

function concat(ts: readonly Tensor[], axisAttr: number): Tensor | undefined {
  const first = ts[0]!;
  const axis = axisAttr < 0 ? axisAttr + first.rank : axisAttr;
  if (ts.some((t) => t.dtype !== first.dtype || t.rank !== first.rank)) return undefined;
  const outer = first.shape.slice(0, axis).reduce((x, y) => x * y, 1);
  const shape = [...first.shape];
  shape[axis] = ts.reduce((n, t) => n + t.shape[axis]!, 0);
  const parts = ts.map((t) => ({ v: values(t), inner: t.shape.slice(axis).reduce((x, y) => x * y, 1) }));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) for (const p of parts) for (let k = 0; k < p.inner; k++) out.push(p.v[o * p.inner + k]!);
  return Tensor.from(first.dtype, shape, wrap(first.dtype, out));
}

/** Slice in both forms: starts/ends/axes attributes (opset < 10) or inputs. */
function slice(node: Node, inputs: ReadonlyArray<Tensor | undefined>): Tensor | undefined {
  const data = inputs[0]!;
  const fromInputs = node.inputs.length > 1;
  const list = (i: number, attr: string) => (fromInputs ? inputs[i]?.toNumbers() : getInts(node.attrs, attr));
  const starts = list(1, 'starts');
  const ends = list(2, 'ends');
  if (!starts || !ends || (fromInputs && node.inputs.slice(1).some((v, i) => v && !inputs[i + 1]))) return undefined;
  const axes = (list(3, 'axes') ?? starts.map((_, i) => i)).map((x) => (x < 0 ? x + data.rank : x));
  const steps = (fromInputs ? inputs[4]?.toNumbers() : undefined) ?? starts.map(() => 1);
  const ranges = data.shape.map((d) => Array.from({ length: d }, (_, i) => i));
  axes.forEach((axis, i) => {
    const size = data.shape[axis]!;
    const step = steps[i]!;
    if (step === 0) return;
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + size : v, lo), hi);
    const picked: number[] = [];
    if (step > 0) for (let k = clamp(starts[i]!, 0, size); k < clamp(ends[i]!, 0, size); k += step) picked.push(k);
    else for (let k = clamp(starts[i]!, -1, size - 1); k > clamp(ends[i]!, -1, size - 1); k += step) picked.push(k);
    ranges[axis] = picked;
  });
  const shape = ranges.map((r) => r.length);
  const src = values(data);
  const inStrides = stridesOf(data.shape);
  const outStrides = stridesOf(shape);
  const count = shape.reduce((x, y) => x * y, 1);
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    let idx = 0;
    for (let d = 0; d < shape.length; d++) idx += ranges[d]![Math.floor(i / outStrides[d]!) % shape[d]!]! * inStrides[d]!;
    out[i] = src[idx]!;
  }
  return Tensor.from(data.dtype, shape, wrap(data.dtype, out));
}
