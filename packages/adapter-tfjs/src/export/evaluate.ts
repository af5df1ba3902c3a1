import { CondenseError, constantOf, dtypeFromCode, elementCount, float16BitsToNumber, float32ToFloat16Bits, getInt, getInts, getString, isFloatDType, type DType, type Node, type Value } from '@condense/core';
import { identity, padRank, permute, stridesOf, transposeData } from '../layout.js';

/**
 * A constant computed at export: the weights condense's passes store in
 * compressed form (int8 + DequantizeLinear, packed 4-bit indices + BitShift +
 * Gather over a codebook, float16 + Cast) are decoded exactly as ONNX would at
 * load, so the exporter can choose how tfjs stores the result. Elements are
 * float64 numbers holding values of `dtype` exactly.
 */
export interface Evaluated {
  dtype: DType;
  shape: number[];
  data: Float64Array;
}

type Kernel = (node: Node, inputs: Evaluated[]) => Evaluated;

/** Rounds a number to what `dtype` holds. */
function storeAs(dtype: DType, v: number): number {
  switch (dtype) {
    case 'float32':
      return Math.fround(v);
    case 'float16':
      return float16BitsToNumber(float32ToFloat16Bits(v));
    case 'bool':
      return v ? 1 : 0;
    default:
      return isFloatDType(dtype) ? v : Math.trunc(v);
  }
}

function make(dtype: DType, shape: number[], fill: (i: number) => number): Evaluated {
  const data = new Float64Array(elementCount(shape));
  for (let i = 0; i < data.length; i++) data[i] = storeAs(dtype, fill(i));
  return { dtype, shape, data };
}

/** Numpy broadcasting of several inputs: the output shape and, per input, its element index for each output index. */
function broadcast(inputs: Evaluated[]): { shape: number[]; index: Array<(i: number) => number> } {
  const rank = Math.max(...inputs.map((t) => t.shape.length));
  const padded = inputs.map((t) => padRank(t.shape, rank));
  const shape = identity(rank).map((a) => Math.max(...padded.map((s) => s[a]!)));
  const outStrides = stridesOf(shape);
  const index = padded.map((s) => {
    const strides = stridesOf(s);
    return (i: number) => {
      let at = 0;
      for (let a = 0; a < rank; a++) if (s[a] !== 1) at += (Math.floor(i / outStrides[a]!) % shape[a]!) * strides[a]!;
      return at;
    };
  });
  return { shape, index };
}

function binary(f: (a: number, b: number, dtype: DType) => number): Kernel {
  return (_n, [a, b]) => {
    const { shape, index } = broadcast([a!, b!]);
    return make(a!.dtype, shape, (i) => f(a!.data[index[0]!(i)]!, b!.data[index[1]!(i)]!, a!.dtype));
  };
}

const axesOf = (node: Node, inputs: Evaluated[], at: number): number[] | undefined => (inputs[at] ? Array.from(inputs[at]!.data) : getInts(node.attrs, 'axes'));
const normalize = (a: number, rank: number) => (a < 0 ? a + rank : a);
const reshaped = (t: Evaluated, shape: number[]): Evaluated => ({ ...t, shape });

const KERNELS: Record<string, Kernel> = {
  Identity: (_n, [x]) => x!,
  Cast: (node, [x]) => {
    const to = dtypeFromCode(getInt(node.attrs, 'to', 1));
    if (!to) throw new CondenseError('E_UNSUPPORTED_DTYPE', `Cast "${node.name}" to an unknown type.`);
    return make(to, x!.shape, (i) => x!.data[i]!);
  },
  Reshape: (_n, [x, shape]) => {
    const dims = Array.from(shape!.data).map((d, i) => (d === 0 ? x!.shape[i]! : d));
    const known = dims.reduce((p, d) => (d === -1 ? p : p * d), 1);
    return reshaped(x!, dims.map((d) => (d === -1 ? x!.data.length / known : d)));
  },
  Flatten: (node, [x]) => {
    const axis = normalize(getInt(node.attrs, 'axis', 1), x!.shape.length);
    const outer = elementCount(x!.shape.slice(0, axis));
    return reshaped(x!, [outer, x!.data.length / outer]);
  },
  Squeeze: (node, inputs) => {
    const x = inputs[0]!;
    const axes = axesOf(node, inputs, 1)?.map((a) => normalize(a, x.shape.length));
    return reshaped(x, x.shape.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)));
  },
  Unsqueeze: (node, inputs) => {
    const x = inputs[0]!;
    const rank = x.shape.length + (axesOf(node, inputs, 1)?.length ?? 0);
    const axes = new Set(axesOf(node, inputs, 1)?.map((a) => normalize(a, rank)));
    const rest = [...x.shape];
    return reshaped(x, identity(rank).map((a) => (axes.has(a) ? 1 : rest.shift()!)));
  },
  Transpose: (node, [x]) => {
    const perm = getInts(node.attrs, 'perm') ?? identity(x!.shape.length).reverse();
    return { dtype: x!.dtype, shape: permute(x!.shape, perm), data: transposeData(x!.data, x!.shape, perm, (n) => new Float64Array(n)) };
  },
  Concat: (node, inputs) => {
    const rank = inputs[0]!.shape.length;
    const axis = normalize(getInt(node.attrs, 'axis', 0), rank);
    const outer = elementCount(inputs[0]!.shape.slice(0, axis));
    const shape = [...inputs[0]!.shape];
    shape[axis] = inputs.reduce((n, t) => n + t.shape[axis]!, 0);
    const data = new Float64Array(elementCount(shape));
    let at = 0;
    for (let o = 0; o < outer; o++) {
      for (const t of inputs) {
        const block = t.data.length / outer;
        data.set(t.data.subarray(o * block, (o + 1) * block), at);
        at += block;
      }
    }
    return { dtype: inputs[0]!.dtype, shape, data };
  },
  Slice: (node, inputs) => {
    const x = inputs[0]!;
    const rank = x.shape.length;
    const starts = inputs[1] ? Array.from(inputs[1].data) : getInts(node.attrs, 'starts')!;
    const ends = inputs[2] ? Array.from(inputs[2].data) : getInts(node.attrs, 'ends')!;
    const axes = (inputs[3] ? Array.from(inputs[3].data) : getInts(node.attrs, 'axes') ?? identity(starts.length)).map((a) => normalize(a, rank));
    const steps = inputs[4] ? Array.from(inputs[4].data) : axes.map(() => 1);
    const begin = x.shape.map(() => 0);
    const step = x.shape.map(() => 1);
    const shape = [...x.shape];
    axes.forEach((a, k) => {
      const size = x.shape[a]!;
      const s = steps[k]!;
      if (s <= 0) throw new CondenseError('E_UNSUPPORTED_OP', `Slice "${node.name}" with a step of ${s} in a weight.`);
      const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
      begin[a] = clamp(starts[k]!);
      step[a] = s;
      shape[a] = Math.max(0, Math.ceil((clamp(ends[k]!) - begin[a]!) / s));
    });
    const inStrides = stridesOf(x.shape);
    const outStrides = stridesOf(shape);
    return make(x.dtype, shape, (i) => {
      let at = 0;
      for (let a = 0; a < rank; a++) at += (begin[a]! + (Math.floor(i / outStrides[a]!) % shape[a]!) * step[a]!) * inStrides[a]!;
      return x.data[at]!;
    });
  },
  Gather: (node, [data, indices]) => {
    const axis = normalize(getInt(node.attrs, 'axis', 0), data!.shape.length);
    const outer = elementCount(data!.shape.slice(0, axis));
    const size = data!.shape[axis]!;
    const inner = elementCount(data!.shape.slice(axis + 1));
    const count = indices!.data.length;
    const shape = [...data!.shape.slice(0, axis), ...indices!.shape, ...data!.shape.slice(axis + 1)];
    return make(data!.dtype, shape, (i) => {
      const o = Math.floor(i / (count * inner));
      const k = Math.floor(i / inner) % count;
      const idx = indices!.data[k]!;
      return data!.data[(o * size + (idx < 0 ? idx + size : idx)) * inner + (i % inner)]!;
    });
  },
  BitShift: (node, [x, y]) => {
    const left = getString(node.attrs, 'direction', 'RIGHT') === 'LEFT';
    const bits = x!.dtype === 'uint8' ? 8 : x!.dtype === 'uint16' ? 16 : 32;
    return binary((a, b) => (left ? (a * 2 ** b) % 2 ** bits : Math.floor(a / 2 ** b)))(node, [x!, y!]);
  },
  Add: binary((a, b) => a + b),
  Sub: binary((a, b) => a - b),
  Mul: binary((a, b) => a * b),
  Div: binary((a, b, dtype) => (isFloatDType(dtype) ? a / b : Math.trunc(a / b))),
  Neg: (_n, [x]) => make(x!.dtype, x!.shape, (i) => -x!.data[i]!),
  DequantizeLinear: (node, [x, scale, zero]) => {
    const rank = x!.shape.length;
    const axis = normalize(getInt(node.attrs, 'axis', 1), rank);
    // A per-axis scale runs along `axis`; a scalar one broadcasts.
    const along = (t: Evaluated | undefined) => (t && t.shape.length === 1 && rank > 1 ? { ...t, shape: x!.shape.map((d, a) => (a === axis ? d : 1)) } : t);
    const s = along(scale)!;
    const z = along(zero) ?? { dtype: x!.dtype, shape: [], data: new Float64Array([0]) };
    const { shape, index } = broadcast([x!, s, z]);
    return make(s.dtype, shape, (i) => (x!.data[index[0]!(i)]! - z.data[index[2]!(i)]!) * s.data[index[1]!(i)]!);
  },
  MatMul: (_n, [a, b]) => {
    if (a!.shape.length !== 2 || b!.shape.length !== 2) throw new CondenseError('E_UNSUPPORTED_OP', 'Only 2-D MatMul is evaluated in weights.');
    const [m, k] = a!.shape as [number, number];
    const n = b!.shape[1]!;
    return make(a!.dtype, [m, n], (i) => {
      const r = Math.floor(i / n);
      const c = i % n;
      let acc = 0;
      for (let j = 0; j < k; j++) acc = Math.fround(acc + Math.fround(a!.data[r * k + j]! * b!.data[j * n + c]!));
      return acc;
    });
  },
};

/** Ops whose outputs the exporter computes when all their inputs are constants. */
export const EVALUATED_OPS = new Set(Object.keys(KERNELS));

/** A constant's elements. */
export function constantData(v: Value): Evaluated | undefined {
  const t = v.const ?? constantOf(v);
  if (!t || t.dtype === 'string') return undefined;
  return { dtype: t.dtype, shape: [...t.shape], data: Float64Array.from(t.toNumbers()) };
}

/** The value of `v`, computed from constants only; undefined when it depends on a graph input. */
export function evaluate(v: Value, cache: Map<Value, Evaluated>): Evaluated {
  const hit = cache.get(v);
  if (hit) return hit;
  const leaf = constantData(v);
  let out: Evaluated;
  if (leaf) out = leaf;
  else {
    const node = v.producer();
    const kernel = node && node.domain === '' ? KERNELS[node.op] : undefined;
    if (!node || !kernel) throw new CondenseError('E_INTERNAL', `"${v.name}" is not a constant expression the exporter can compute.`);
    out = kernel(node, node.inputs.map((i) => (i ? evaluate(i, cache) : undefined)) as Evaluated[]);
  }
  cache.set(v, out);
  return out;
}
