/**
 * How a value's elements sit in its TFLite tensor. The IR is ONNX (NCHW);
 * TFLite's builtin kernels want NHWC, so every 4-D activation is stored NHWC
 * and every other rank as ONNX has it. 'hwc-flat' is a flattened NHWC tensor
 * whose columns run in H, W, C order rather than ONNX's C, H, W: it lives only
 * between a Flatten and the fully-connected layers that absorb the order into
 * their weights.
 */
export type Layout = { kind: 'plain' } | { kind: 'nhwc' } | { kind: 'hwc-flat'; c: number; h: number; w: number };

export const PLAIN: Layout = { kind: 'plain' };
export const NHWC: Layout = { kind: 'nhwc' };

/** Axis permutations in the ONNX Transpose sense: output axis i is input axis perm[i]. */
export const NCHW_TO_NHWC = [0, 2, 3, 1];
export const NHWC_TO_NCHW = [0, 3, 1, 2];

/** Where ONNX (NCHW) axis i of a 4-D value lives in its NHWC tensor. */
export const NHWC_AXIS_OF = [0, 3, 1, 2];

/** The layout a value of this rank takes when nothing asks otherwise. */
export function defaultLayout(rank: number): Layout {
  return rank === 4 ? NHWC : PLAIN;
}

/** The TFLite tensor's shape for a value of ONNX shape `shape` stored in `layout`. */
export function storedShape(shape: readonly number[], layout: Layout): number[] {
  return layout.kind === 'nhwc' ? permute(shape, NCHW_TO_NHWC) : [...shape];
}

export function permute<T>(items: readonly T[], perm: readonly number[]): T[] {
  return perm.map((p) => items[p]!);
}

/** The single permutation equal to transposing by `first`, then by `second`. */
export function composePerm(first: readonly number[], second: readonly number[]): number[] {
  return second.map((s) => first[s]!);
}

export function isIdentityPerm(perm: readonly number[]): boolean {
  return perm.every((p, i) => p === i);
}

/** True when transposing `shape` by `perm` moves only size-1 axes, so a RESHAPE does the same for free. */
export function isReshapeOnly(shape: readonly number[], perm: readonly number[]): boolean {
  const order = perm.filter((p) => shape[p] !== 1);
  return order.every((p, i) => i === 0 || p > order[i - 1]!);
}

type NumericArray = Float32Array | Uint16Array | Int32Array | Int8Array | Uint8Array;

/** Elements of a row-major array of `shape`, transposed by `perm` (a copy). */
export function transposeData<A extends NumericArray>(data: A, shape: readonly number[], perm: readonly number[]): A {
  const rank = shape.length;
  const outShape = permute(shape, perm);
  const inStrides = stridesOf(shape);
  // Stride in the input of a step along each output axis.
  const step = perm.map((p) => inStrides[p]!);
  const out = new (data.constructor as new (n: number) => A)(data.length);
  const index = new Array<number>(rank).fill(0);
  let src = 0;
  for (let i = 0; i < data.length; i++) {
    out[i] = data[src]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      if (++index[axis]! < outShape[axis]!) {
        src += step[axis]!;
        break;
      }
      src -= step[axis]! * (outShape[axis]! - 1);
      index[axis] = 0;
    }
  }
  return out;
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}
