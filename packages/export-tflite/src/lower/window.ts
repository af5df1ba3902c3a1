import { getInt, getInts, getString, type Node } from '@condense/core';
import { Padding } from '../generated/tflite_generated.js';

/** A 2-D sliding window over H and W, with ONNX's explicit pads resolved. */
export interface Window2d {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** [top, left, bottom, right]. */
  pads: [number, number, number, number];
}

/** How TFLite gets the same padding: its SAME or VALID, plus explicit pads (a PAD op) where neither matches. */
export interface TflitePadding {
  padding: Padding;
  /** [top, left, bottom, right] to pad before the op, when SAME and VALID cannot express the pads. */
  explicit?: [number, number, number, number];
}

/** The window of a Conv or pool over an input of spatial size `inputHW`; a string says why it is not 2-D. */
export function windowOf(node: Node, kernel: number[], inputHW: [number, number]): Window2d | string {
  if (kernel.length !== 2) return `only 2-D windows are supported; this one is ${kernel.length}-D`;
  const strides = getInts(node.attrs, 'strides', [1, 1]);
  const dilations = getInts(node.attrs, 'dilations', [1, 1]);
  const k: [number, number] = [kernel[0]!, kernel[1]!];
  const s: [number, number] = [strides[0]!, strides[1]!];
  const d: [number, number] = [dilations[0]!, dilations[1]!];
  const autoPad = getString(node.attrs, 'auto_pad', 'NOTSET');
  let pads: [number, number, number, number];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const [th, tw] = [0, 1].map((i) => sameTotal(inputHW[i]!, k[i]!, s[i]!, d[i]!)) as [number, number];
    const lower = autoPad === 'SAME_LOWER';
    const before = (t: number) => (lower ? Math.ceil(t / 2) : Math.floor(t / 2));
    pads = [before(th), before(tw), th - before(th), tw - before(tw)];
  } else if (autoPad === 'VALID') {
    pads = [0, 0, 0, 0];
  } else {
    const p = getInts(node.attrs, 'pads', [0, 0, 0, 0]);
    pads = [p[0]!, p[1]!, p[2]!, p[3]!];
  }
  if (pads.some((p) => p < 0)) return `negative pads [${pads.join(', ')}] are not supported`;
  return { kernel: k, strides: s, dilations: d, pads };
}

/** Total padding TFLite's SAME adds along one axis (the extra pixel goes after, as in TensorFlow). */
export function sameTotal(input: number, kernel: number, stride: number, dilation: number): number {
  const effective = (kernel - 1) * dilation + 1;
  return Math.max((Math.ceil(input / stride) - 1) * stride + effective - input, 0);
}

/** The TFLite padding that reproduces the window's ONNX pads exactly. */
export function tflitePadding(w: Window2d, inputHW: [number, number]): TflitePadding {
  if (w.pads.every((p) => p === 0)) return { padding: Padding.VALID };
  const same = [0, 1].every((i) => {
    const total = sameTotal(inputHW[i]!, w.kernel[i]!, w.strides[i]!, w.dilations[i]!);
    const before = Math.floor(total / 2);
    return w.pads[i] === before && w.pads[i + 2] === total - before;
  });
  if (same) return { padding: Padding.SAME };
  return { padding: Padding.VALID, explicit: w.pads };
}

/** Output size of the window along axis i with floor rounding (what TFLite computes); ONNX's ceil_mode may differ. */
export function windowOutput(w: Window2d, inputHW: [number, number], i: 0 | 1): number {
  const effective = (w.kernel[i] - 1) * w.dilations[i] + 1;
  return Math.floor((inputHW[i] + w.pads[i]! + w.pads[i + 2]! - effective) / w.strides[i]) + 1;
}

export function groupOf(node: Node): number {
  return getInt(node.attrs, 'group', 1);
}
