import { getString } from '../ir/attr.js';
import type { Dim } from '../ir/value.js';
import type { InferContext } from './context.js';
import type { ShapeRule } from './rule.js';

interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  pads: number[];
  autoPad: string;
  ceil: boolean;
}

function windowOf(ctx: InferContext, kernel: number[]): Window {
  const n = kernel.length;
  return {
    kernel,
    strides: ctx.ints('strides') ?? Array<number>(n).fill(1),
    dilations: ctx.ints('dilations') ?? Array<number>(n).fill(1),
    pads: ctx.ints('pads') ?? Array<number>(2 * n).fill(0),
    autoPad: getString(ctx.attrs, 'auto_pad', 'NOTSET'),
    ceil: ctx.int('ceil_mode', 0) === 1,
  };
}

/** Output spatial size of a sliding window (Conv, pools), per ONNX's formulas. */
function windowOutput(input: Dim, axis: number, w: Window, ctx: InferContext): Dim {
  if (typeof input !== 'number') return ctx.fresh();
  const stride = w.strides[axis] ?? 1;
  const span = ((w.kernel[axis] ?? 1) - 1) * (w.dilations[axis] ?? 1) + 1;
  if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') return Math.ceil(input / stride);
  if (w.autoPad === 'VALID') return Math.floor((input - span) / stride) + 1;
  const padded = input + (w.pads[axis] ?? 0) + (w.pads[axis + w.kernel.length] ?? 0) - span;
  if (!w.ceil) return Math.floor(padded / stride) + 1;
  let out = Math.ceil(padded / stride) + 1;
  // A last window that starts inside the right padding is dropped.
  if ((out - 1) * stride >= input + (w.pads[axis] ?? 0)) out--;
  return out;
}

function spatial(ctx: InferContext, x: Dim[], kernel: number[]): Dim[] {
  const w = windowOf(ctx, kernel);
  return x.slice(2).map((d, i) => windowOutput(d, i, w, ctx));
}

/** Conv and QLinearConv: data at `xi`, weights at `wi`. */
export function convRule(xi: number, wi: number, dtypeFrom: number): ShapeRule {
  return (ctx) => {
    const dtype = ctx.dtype(dtypeFrom) ?? (dtypeFrom === xi ? undefined : 'uint8');
    if (!dtype) return [undefined];
    const x = ctx.shape(xi);
    const w = ctx.shape(wi);
    if (!x || !w) return [{ dtype }];
    const kernel = ctx.ints('kernel_shape') ?? w.slice(2).map((d) => (typeof d === 'number' ? d : 1));
    return [{ dtype, shape: [x[0]!, w[0]!, ...spatial(ctx, x, kernel)] }];
  };
}

export const convTranspose: ShapeRule = (ctx) => {
  const dtype = ctx.dtype(0);
  const x = ctx.shape(0);
  const w = ctx.shape(1);
  if (!dtype) return [undefined];
  if (!x || !w) return [{ dtype }];
  const group = ctx.int('group', 1);
  const channels: Dim = typeof w[1] === 'number' ? w[1] * group : ctx.fresh();
  const explicit = ctx.ints('output_shape');
  if (explicit) return [{ dtype, shape: [x[0]!, channels, ...explicit.slice(-(x.length - 2))] }];
  const kernel = ctx.ints('kernel_shape') ?? w.slice(2).map((d) => (typeof d === 'number' ? d : 1));
  const win = windowOf(ctx, kernel);
  const outPad = ctx.ints('output_padding') ?? [];
  const dims = x.slice(2).map((d, i) => {
    if (typeof d !== 'number') return ctx.fresh();
    const stride = win.strides[i] ?? 1;
    if (win.autoPad === 'SAME_UPPER' || win.autoPad === 'SAME_LOWER') return d * stride;
    const span = ((kernel[i] ?? 1) - 1) * (win.dilations[i] ?? 1) + 1;
    const pads = win.autoPad === 'VALID' ? 0 : (win.pads[i] ?? 0) + (win.pads[i + kernel.length] ?? 0);
    return stride * (d - 1) + (outPad[i] ?? 0) + span - pads;
  });
  return [{ dtype, shape: [x[0]!, channels, ...dims] }];
};

export const pool: ShapeRule = (ctx) => {
  const dtype = ctx.dtype(0);
  const x = ctx.shape(0);
  if (!dtype) return [undefined];
  if (!x) return [{ dtype }, { dtype: 'int64' }];
  const kernel = ctx.ints('kernel_shape') ?? [];
  const shape = [x[0]!, x[1]!, ...spatial(ctx, x, kernel)];
  return [{ dtype, shape }, { dtype: 'int64', shape: [...shape] }];
};

export const globalPool: ShapeRule = (ctx) => {
  const dtype = ctx.dtype(0);
  const x = ctx.shape(0);
  if (!dtype) return [undefined];
  return [{ dtype, shape: x && [x[0]!, x[1]!, ...x.slice(2).map(() => 1)] }];
};
