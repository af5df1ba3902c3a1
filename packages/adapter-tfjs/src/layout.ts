/**
 * Axis permutations, shared by import and export. TensorFlow.js is NHWC and
 * condense's IR is ONNX (NCHW), so a tensor is often stored in one framework
 * with its axes in another order than its meaning in the other. A `perm`
 * says how: stored = transpose(logical, perm), in the ONNX Transpose sense
 * (stored axis i is logical axis perm[i]).
 */

export type Perm = readonly number[];

/** NHWC meaning stored NCHW (tfjs tensors imported into the IR). */
export const NHWC_AS_NCHW: Perm = [0, 3, 1, 2];
/** NCHW meaning stored NHWC (IR values exported to tfjs). */
export const NCHW_AS_NHWC: Perm = [0, 2, 3, 1];

export function identity(rank: number): number[] {
  return Array.from({ length: rank }, (_, i) => i);
}

export function isIdentity(perm: Perm): boolean {
  return perm.every((p, i) => p === i);
}

export function samePerm(a: Perm, b: Perm): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}

export function permute<T>(items: readonly T[], perm: Perm): T[] {
  return perm.map((p) => items[p]!);
}

export function invert(perm: Perm): number[] {
  const out = new Array<number>(perm.length);
  perm.forEach((p, i) => (out[p] = i));
  return out;
}

/** The one transpose equal to transposing by `first`, then by `second`. */
export function compose(first: Perm, second: Perm): number[] {
  return second.map((s) => first[s]!);
}

/** The transpose that turns a tensor stored by `from` into the same tensor stored by `to`. */
export function between(from: Perm, to: Perm): number[] {
  return compose(invert(from), to);
}

/** Where logical axis `axis` sits in the stored tensor. */
export function storedAxis(perm: Perm, axis: number): number {
  return perm.indexOf(axis);
}

/** The perm of what is left when logical axes `removed` are dropped (a reduction without keepdims, a squeeze). */
export function dropAxes(perm: Perm, removed: readonly number[]): number[] {
  const gone = new Set(removed);
  const renumber = (a: number) => a - removed.filter((r) => r < a).length;
  return perm.filter((p) => !gone.has(p)).map(renumber);
}

/**
 * The perm of a tensor of lower rank broadcast against one stored by `perm`:
 * broadcasting aligns trailing axes, so the small tensor is first given leading
 * axes of size 1 and then stored like the large one.
 */
export function padRank(shape: readonly number[], rank: number): number[] {
  return [...new Array<number>(rank - shape.length).fill(1), ...shape];
}

/** True when transposing `shape` by `perm` moves only axes of size 1 (symbols count as larger), so a reshape does the same without moving data. */
export function isReshapeOnly(shape: ReadonlyArray<number | string>, perm: Perm): boolean {
  const moved = perm.filter((p) => shape[p] !== 1);
  return moved.every((p, i) => i === 0 || p > moved[i - 1]!);
}

export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

interface NumberArray {
  readonly length: number;
  [i: number]: number;
}

/** The row-major elements of a tensor of `shape`, transposed by `perm`, into a new array of the same kind. */
export function transposeData<A extends NumberArray>(data: A, shape: readonly number[], perm: Perm, make: (n: number) => A): A {
  const out = make(data.length);
  if (isReshapeOnly(shape, perm)) {
    for (let i = 0; i < data.length; i++) out[i] = data[i]!;
    return out;
  }
  const outShape = permute(shape, perm);
  const inStrides = stridesOf(shape);
  const step = perm.map((p) => inStrides[p]!);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let from = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = data[from]!;
    // Odometer over the output's indices, moving the input offset along.
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]!++;
      from += step[axis]!;
      if (index[axis]! < outShape[axis]!) break;
      from -= step[axis]! * outShape[axis]!;
      index[axis] = 0;
    }
  }
  return out;
}
