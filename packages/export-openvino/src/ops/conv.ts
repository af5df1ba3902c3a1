import { opFail } from './op-error.js';
import type { LayerAttrs } from './attrs.js';
import { formatDims, type PortType } from './port-type.js';
import { constantNumbers, type InferContext } from './spec.js';

type AutoPad = 'explicit' | 'same_upper' | 'same_lower' | 'valid' | 'notset';
const AUTO_PADS: AutoPad[] = ['explicit', 'same_upper', 'same_lower', 'valid', 'notset'];

/** The window attributes shared by convolutions and poolings, checked against the spatial rank. */
export function windowAttrs(attrs: LayerAttrs, spatial: number, kernelAttr?: string) {
  const autoPad = attrs.oneOf('auto_pad', AUTO_PADS, 'explicit');
  const explicit = autoPad === 'explicit' || autoPad === 'notset';
  const list = (name: string, fallback?: number[]) => {
    const v = attrs.ints(name, fallback);
    if (v.length !== spatial) opFail(`${name} has ${v.length} values for ${spatial} spatial axes`);
    return v;
  };
  const zeros = new Array<number>(spatial).fill(0);
  return {
    autoPad,
    strides: list('strides'),
    // Poolings (the ops with a kernel attribute) have no dilations in the versions condense reads.
    dilations: kernelAttr ? new Array<number>(spatial).fill(1) : list('dilations', new Array<number>(spatial).fill(1)),
    // Pads are ignored (and may be absent) under auto_pad.
    padsBegin: explicit ? list('pads_begin') : zeros,
    padsEnd: explicit ? list('pads_end') : zeros,
    kernel: kernelAttr ? list(kernelAttr) : undefined,
  };
}

/** Output size of a sliding window along one axis (-1 stays unknown). */
export function windowOutput(size: number, kernel: number, stride: number, dilation: number, begin: number, end: number, autoPad: string, ceil = false): number {
  if (size < 0) return -1;
  if (stride < 1 || kernel < 1 || dilation < 1) opFail('strides, dilations and kernel sizes must be positive');
  if (autoPad === 'same_upper' || autoPad === 'same_lower') return Math.ceil(size / stride);
  const span = (kernel - 1) * dilation + 1;
  const room = size + (autoPad === 'valid' ? 0 : begin + end) - span;
  if (room < 0) opFail(`the window (${span}) is larger than the padded input (${size + begin + end})`);
  return (ceil ? Math.ceil(room / stride) : Math.floor(room / stride)) + 1;
}

function ranked(p: PortType | undefined, what: string, min: number): number[] {
  if (!p?.dims) opFail(`the ${what} has unknown rank`);
  if (p.dims.length < min) opFail(`the ${what} ${formatDims(p.dims)} has rank ${p.dims.length}, expected at least ${min}`);
  return p.dims;
}

function sameType(ctx: InferContext): void {
  const [x, w] = ctx.inputs;
  if (x && w && x.type !== w.type) opFail(`data is ${x.type} but the weights are ${w.type}`);
}

/** Convolution (groups = 1) and GroupConvolution (weights [G, O/G, I/G, ...]). */
export function inferConvolution(ctx: InferContext, grouped: boolean): PortType[] {
  sameType(ctx);
  const x = ranked(ctx.inputs[0], 'data', 3);
  const w = ranked(ctx.inputs[1], 'weights', 3);
  const spatial = x.length - 2;
  if (w.length !== x.length + (grouped ? 1 : 0)) opFail(`weights ${formatDims(w)} have rank ${w.length}, expected ${x.length + (grouped ? 1 : 0)} for data ${formatDims(x)}`);
  const groups = grouped ? w[0]! : 1;
  const outChannels = grouped ? w[0]! * w[1]! : w[0]!;
  const inPerGroup = grouped ? w[2]! : w[1]!;
  if (x[1]! >= 0 && inPerGroup >= 0 && groups >= 0 && x[1] !== inPerGroup * groups) {
    opFail(`data has ${x[1]} channels but the weights ${formatDims(w)} take ${inPerGroup * groups}`);
  }
  const kernel = w.slice(w.length - spatial);
  const win = windowAttrs(ctx.attrs, spatial);
  const dims = [x[0]!, outChannels, ...kernel.map((k, i) => windowOutput(x[2 + i]!, k, win.strides[i]!, win.dilations[i]!, win.padsBegin[i]!, win.padsEnd[i]!, win.autoPad))];
  return [{ type: ctx.inputs[0]!.type, dims }];
}

/** ConvolutionBackpropData (weights [I, O, ...]) and its grouped form (weights [G, I/G, O/G, ...]). */
export function inferBackpropData(ctx: InferContext, grouped: boolean): PortType[] {
  sameType(ctx);
  const x = ranked(ctx.inputs[0], 'data', 3);
  const w = ranked(ctx.inputs[1], 'weights', 3);
  const spatial = x.length - 2;
  if (w.length !== x.length + (grouped ? 1 : 0)) opFail(`weights ${formatDims(w)} have rank ${w.length}, expected ${x.length + (grouped ? 1 : 0)} for data ${formatDims(x)}`);
  const inChannels = grouped ? w[0]! * w[1]! : w[0]!;
  const outChannels = grouped ? w[0]! * w[2]! : w[1]!;
  if (x[1]! >= 0 && x[1] !== inChannels) opFail(`data has ${x[1]} channels but the weights ${formatDims(w)} take ${inChannels}`);
  const kernel = w.slice(w.length - spatial);
  const win = windowAttrs(ctx.attrs, spatial);
  const outputPadding = ctx.attrs.ints('output_padding', new Array<number>(spatial).fill(0));
  const outputShape = ctx.inputs.length > 2 ? constantNumbers(ctx, 2) : undefined;
  const dims = [x[0]!, outChannels, ...kernel.map((k, i) => {
    if (ctx.inputs.length > 2) return outputShape?.[i] ?? -1;
    const size = x[2 + i]!;
    if (size < 0) return -1;
    // Without an output_shape input, any auto_pad but explicit means no padding.
    const pads = win.autoPad === 'explicit' || win.autoPad === 'notset' ? win.padsBegin[i]! + win.padsEnd[i]! : 0;
    return win.strides[i]! * (size - 1) + (k - 1) * win.dilations[i]! + 1 - pads + (outputPadding[i] ?? 0);
  })];
  return [{ type: ctx.inputs[0]!.type, dims }];
}

/** MaxPool-1 and AvgPool-1. */
export function inferPool(ctx: InferContext): PortType[] {
  const x = ranked(ctx.inputs[0], 'data', 3);
  const spatial = x.length - 2;
  const win = windowAttrs(ctx.attrs, spatial, 'kernel');
  const ceil = ctx.attrs.oneOf('rounding_type', ['floor', 'ceil'], 'floor') === 'ceil';
  const dims = [x[0]!, x[1]!, ...win.kernel!.map((k, i) => windowOutput(x[2 + i]!, k, win.strides[i]!, 1, win.padsBegin[i]!, win.padsEnd[i]!, win.autoPad, ceil))];
  return [{ type: ctx.inputs[0]!.type, dims }];
}
