import { getInts, getString, type Node } from '@condense/core';
import type { AttrValue } from '../../model-json.js';
import type { ExportContext } from '../context.js';
import { samePads } from '../../padding.js';
import { tfAttr } from '../graph-def.js';

/** TensorFlow's padding for a 2-D window: VALID, SAME, or explicit [top, bottom, left, right]. */
export type TfPadding = { mode: 'VALID' } | { mode: 'SAME' } | { mode: 'EXPLICIT'; pads: [number, number, number, number] };

export interface Window2d {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** ONNX pads [top, left, bottom, right]. */
  pads: [number, number, number, number];
  autoPad: string;
}

export function windowOf(node: Node, kernel: [number, number]): Window2d {
  const pair = (name: string): [number, number] => {
    const v = getInts(node.attrs, name) ?? [1, 1];
    return [v[0]!, v[1]!];
  };
  const pads = getInts(node.attrs, 'pads') ?? [0, 0, 0, 0];
  return { kernel, strides: pair('strides'), dilations: pair('dilations'), pads: [pads[0]!, pads[1]!, pads[2]!, pads[3]!], autoPad: getString(node.attrs, 'auto_pad', 'NOTSET') };
}

/** Which of ONNX's auto_pad modes TensorFlow can take (SAME_UPPER is TensorFlow's SAME). */
export function autoPadProblem(w: Window2d): string | undefined {
  return w.autoPad === 'SAME_LOWER' ? 'auto_pad SAME_LOWER has no TensorFlow padding' : undefined;
}

/**
 * TensorFlow padding equal to the window's ONNX pads: VALID for none, SAME
 * where the pads are what SAME computes for this input size (extra at the end),
 * explicit otherwise.
 */
export function tfPadding(ctx: ExportContext, node: Node, w: Window2d): TfPadding {
  if (w.autoPad === 'SAME_UPPER') return { mode: 'SAME' };
  if (w.autoPad === 'VALID' || w.pads.every((p) => p === 0)) return { mode: 'VALID' };
  const dims = ctx.dims(node.inputs[0]!);
  const sizes = [dims?.[2], dims?.[3]];
  if (sizes.every((s) => typeof s === 'number')) {
    const same = [0, 1].every((i) => {
      const [before, after] = samePads(sizes[i] as number, w.kernel[i]!, w.strides[i]!, w.dilations[i]!);
      return w.pads[i] === before && w.pads[i + 2] === after;
    });
    if (same) return { mode: 'SAME' };
  }
  return { mode: 'EXPLICIT', pads: [w.pads[0], w.pads[2], w.pads[1], w.pads[3]] };
}

/** NHWC window attributes of Conv2D and its relatives. */
export function convAttrs(w: Window2d, padding: TfPadding): Record<string, AttrValue> {
  const attrs: Record<string, AttrValue> = {
    strides: tfAttr.ints([1, w.strides[0], w.strides[1], 1]),
    dilations: tfAttr.ints([1, w.dilations[0], w.dilations[1], 1]),
    padding: tfAttr.s(padding.mode),
    data_format: tfAttr.s('NHWC'),
    T: tfAttr.type('float32'),
  };
  if (padding.mode === 'EXPLICIT') attrs['explicit_paddings'] = tfAttr.ints([0, 0, padding.pads[0], padding.pads[1], padding.pads[2], padding.pads[3], 0, 0]);
  return attrs;
}
