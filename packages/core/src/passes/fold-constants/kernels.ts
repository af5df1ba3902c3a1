import { getInt, getInts } from '../../ir/attr.js';
import type { Node } from '../../ir/node.js';
import { dtypeFromCode, type DType } from '../../tensor/dtype.js';
import { Tensor, elementCount } from '../../tensor/tensor.js';
import { sliceRange } from '../../shape-inference/tensor-ops.js';

/** Element types the folding kernels compute in (others are left unfolded). */
const NUMERIC = new Set<DType>(['float32', 'float64', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool']);

type Values = ArrayLike<number | bigint>;

/** A kernel gets the node, its constant inputs and the output shapes inference found; returns the outputs or undefined to decline. */
type Kernel = (node: Node, inputs: Array<Tensor | undefined>, outShape: number[] | undefined) => Tensor | undefined;

const isBig = (d: DType) => d === 'int64' || d === 'uint64';

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Maps each output flat index to the flat index of an input broadcast to `out`. */
function broadcastIndexer(input: readonly number[], out: readonly number[]): (i: number) => number {
  const offset = out.length - input.length;
  const inStrides = strides(input);
  const outStrides = strides(out);
  return (i) => {
    let idx = 0;
    for (let d = 0; d < out.length; d++) {
      const coord = Math.floor(i / outStrides[d]!) % out[d]!;
      const id = d - offset;
      if (id >= 0 && input[id]! !== 1) idx += coord * inStrides[id]!;
    }
    return idx;
  };
}

function broadcastShape(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Rounds a result to its dtype the way a runtime storing it would. */
function store(dtype: DType, shape: number[], values: Array<number | bigint>): Tensor {
  if (dtype === 'bool') return Tensor.from('bool', shape, values.map((v) => (v ? 1 : 0)));
  return Tensor.from(dtype, shape, values as ArrayLike<number>);
}

function binary(numberOp: (a: number, b: number, int: boolean) => number, bigOp: (a: bigint, b: bigint) => bigint): Kernel {
  return (_node, [a, b]) => {
    if (!a || !b || a.dtype !== b.dtype || a.dtype === 'bool') return undefined;
    const shape = broadcastShape(a.shape, b.shape);
    if (!shape) return undefined;
    const [x, y] = [a.data() as Values, b.data() as Values];
    const [ia, ib] = [broadcastIndexer(a.shape, shape), broadcastIndexer(b.shape, shape)];
    const n = elementCount(shape);
    const out = new Array<number | bigint>(n);
    const int = !a.dtype.startsWith('float');
    for (let i = 0; i < n; i++) {
      out[i] = isBig(a.dtype) ? bigOp(x[ia(i)] as bigint, y[ib(i)] as bigint) : numberOp(x[ia(i)] as number, y[ib(i)] as number, int);
    }
    return store(a.dtype, shape, out);
  };
}

function unary(op: (a: number) => number): Kernel {
  return (_node, [a]) => {
    if (!a || !a.dtype.startsWith('float')) return undefined;
    return store(a.dtype, [...a.shape], Array.from(a.data() as ArrayLike<number>, op));
  };
}

/** Integer division truncates toward zero, as onnxruntime's does. */
const divide = (a: number, b: number, int: boolean) => (int ? Math.trunc(a / b) : a / b);

const KERNELS: Record<string, Kernel> = {
  Add: binary((a, b) => a + b, (a, b) => a + b),
  Sub: binary((a, b) => a - b, (a, b) => a - b),
  Mul: binary((a, b) => a * b, (a, b) => a * b),
  Div: binary(divide, (a, b) => (b === 0n ? 0n : a / b)),
  Pow: binary((a, b) => a ** b, (a, b) => {
    // Negative or huge integer exponents are left to the runtime (evaluate() declines on the throw).
    if (b < 0n || b > 64n) throw new RangeError('integer exponent out of range');
    return BigInt.asIntN(64, a ** b);
  }),
  Neg: (_n, [a]) => a && NUMERIC.has(a.dtype) && a.dtype !== 'bool' ? store(a.dtype, [...a.shape], Array.from(a.data() as Values, (v) => -v as never)) : undefined,
  Sqrt: unary(Math.sqrt),
  Reciprocal: unary((v) => 1 / v),
  Abs: unary(Math.abs),
  Exp: unary(Math.exp),
  Log: unary(Math.log),
  Floor: unary(Math.floor),
  Ceil: unary(Math.ceil),
  Identity: (_n, [a]) => a,
  Cast: (node, [a]) => {
    const to = dtypeFromCode(getInt(node.attrs, 'to', 0));
    if (!a || !to || !NUMERIC.has(to)) return undefined;
    const src = Array.from(a.data() as Values);
    // NaN and infinities have no integer value; such a Cast is left to the runtime.
    if (!to.startsWith('float') && to !== 'bool' && src.some((v) => typeof v === 'number' && !Number.isFinite(v))) return undefined;
    if (isBig(to)) return store(to, [...a.shape], src.map((v) => (typeof v === 'bigint' ? v : BigInt(Math.trunc(v)))));
    const numbers = src.map(Number);
    return store(to, [...a.shape], to.startsWith('float') || to === 'bool' ? numbers : numbers.map(Math.trunc));
  },
  Reshape: (_n, [a], outShape) => (a && outShape ? a.reshape(outShape) : undefined),
  Flatten: (_n, [a], outShape) => (a && outShape ? a.reshape(outShape) : undefined),
  Squeeze: (_n, [a], outShape) => (a && outShape ? a.reshape(outShape) : undefined),
  Unsqueeze: (_n, [a], outShape) => (a && outShape ? a.reshape(outShape) : undefined),
  Transpose: (node, [a]) => {
    if (!a) return undefined;
    const perm = getInts(node.attrs, 'perm') ?? a.shape.map((_, i) => a.rank - 1 - i);
    const shape = perm.map((p) => a.shape[p]!);
    const inStrides = strides(a.shape);
    const outStrides = strides(shape);
    const src = a.data() as Values;
    const out = new Array<number | bigint>(a.size);
    for (let i = 0; i < a.size; i++) {
      let idx = 0;
      for (let d = 0; d < shape.length; d++) idx += (Math.floor(i / outStrides[d]!) % shape[d]!) * inStrides[perm[d]!]!;
      out[i] = src[idx]!;
    }
    return store(a.dtype, shape, out);
  },
  Concat: (node, inputs) => {
    if (inputs.some((t) => !t) || !inputs.length) return undefined;
    const ts = inputs as Tensor[];
    const rank = ts[0]!.rank;
    const axis = (getInt(node.attrs, 'axis', 0) + rank) % rank;
    const outer = ts[0]!.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const shape = [...ts[0]!.shape];
    shape[axis] = ts.reduce((n, t) => n + t.shape[axis]!, 0);
    const out: Array<number | bigint> = [];
    const datas = ts.map((t) => t.data() as Values);
    for (let o = 0; o < outer; o++) {
      ts.forEach((t, k) => {
        const block = t.size / outer;
        for (let i = 0; i < block; i++) out.push(datas[k]![o * block + i]!);
      });
    }
    return store(ts[0]!.dtype, shape, out);
  },
  Gather: (node, [data, indices]) => {
    if (!data || !indices || (indices.dtype !== 'int64' && indices.dtype !== 'int32')) return undefined;
    const axis = (getInt(node.attrs, 'axis', 0) + data.rank) % data.rank;
    const dim = data.shape[axis]!;
    const idx = Array.from(indices.data() as Values, (v) => Number(v)).map((i) => (i < 0 ? i + dim : i));
    if (idx.some((i) => i < 0 || i >= dim)) return undefined;
    const outer = data.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const inner = data.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const src = data.data() as Values;
    const out: Array<number | bigint> = [];
    for (let o = 0; o < outer; o++) for (const i of idx) for (let k = 0; k < inner; k++) out.push(src[(o * dim + i) * inner + k]!);
    return store(data.dtype, [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)], out);
  },
  Slice: (node, [data, starts, ends, axes, steps]) => {
    if (!data || !starts || !ends || node.inputs.length < 3) return undefined;
    const nums = (t: Tensor | undefined) => t && Array.from(t.data() as Values, Number);
    const [s, e] = [nums(starts)!, nums(ends)!];
    const ax = (nums(axes) ?? s.map((_, i) => i)).map((a) => (a + data.rank) % data.rank);
    const st = nums(steps) ?? s.map(() => 1);
    const ranges = data.shape.map((d) => Array.from({ length: d }, (_, i) => i));
    ax.forEach((a, i) => (ranges[a] = sliceRange(data.shape[a]!, s[i]!, e[i]!, st[i]!)));
    const shape = ranges.map((r) => r.length);
    const inStrides = strides(data.shape);
    const outStrides = strides(shape);
    const src = data.data() as Values;
    const n = elementCount(shape);
    const out = new Array<number | bigint>(n);
    for (let i = 0; i < n; i++) {
      let idx = 0;
      for (let d = 0; d < shape.length; d++) idx += ranges[d]![Math.floor(i / outStrides[d]!) % shape[d]!]! * inStrides[d]!;
      out[i] = src[idx]!;
    }
    return store(data.dtype, shape, out);
  },
};

/** Ops fold-constants can evaluate. */
export const FOLDABLE_OPS = new Set(Object.keys(KERNELS));

/** Evaluates `node` on constant inputs, or returns undefined when it cannot (unknown op or dtype, bad input). */
export function evaluate(node: Node, inputs: Array<Tensor | undefined>, outShape: number[] | undefined): Tensor | undefined {
  const kernel = KERNELS[node.op];
  if (!kernel || node.domain !== '') return undefined;
  if (inputs.some((t) => t && !NUMERIC.has(t.dtype))) return undefined;
  try {
    return kernel(node, inputs, outShape);
  } catch {
    // A value a kernel cannot represent: leave the node for the runtime rather than fail the pass.
    return undefined;
  }
}
