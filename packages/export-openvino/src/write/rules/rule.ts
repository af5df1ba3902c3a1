import { getInts, getString, type Node, type Value } from '@condense/core';
import type { LowerContext } from '../context.js';
import type { StaticResolver } from '../statics.js';

/** How one ONNX op becomes OpenVINO layers. */
export interface LowerRule {
  /** Why `node` cannot be written (attributes, dynamic inputs OpenVINO needs constant), or undefined. */
  check?(node: Node, statics: StaticResolver): string | undefined;
  /** Inputs the lowering reads; by default every present input. An input left out is not computed for this node. */
  reads?(node: Node): number[];
  lower(node: Node, ctx: LowerContext): void;
}

/** A value's dimensions for OpenVINO: sizes, -1 for symbolic ones; undefined for an unknown rank. */
export function dimsOf(v: Value | null | undefined): number[] | undefined {
  return v?.type?.shape?.map((d) => (typeof d === 'number' ? d : -1));
}

/** Dimensions all known, or undefined. */
export function staticDims(v: Value | null | undefined): number[] | undefined {
  const d = dimsOf(v);
  return d && d.every((x) => x >= 0) ? d : undefined;
}

export const rankOf = (v: Value | null | undefined): number | undefined => v?.type?.shape?.length;

/**
 * ONNX auto_pad and pads [b0, b1, ..., e0, e1, ...] as OpenVINO's window ops
 * take them; pads are zeros under auto_pad (OpenVINO ignores them there).
 */
export function paddingOf(node: Node, spatial: number): { auto_pad: string; pads_begin: number[]; pads_end: number[] } {
  const onnx = getString(node.attrs, 'auto_pad', 'NOTSET');
  const autoPad = onnx === 'SAME_UPPER' ? 'same_upper' : onnx === 'SAME_LOWER' ? 'same_lower' : onnx === 'VALID' ? 'valid' : 'explicit';
  const pads = autoPad === 'explicit' ? (getInts(node.attrs, 'pads') ?? zeros(2 * spatial)) : zeros(2 * spatial);
  return { auto_pad: autoPad, pads_begin: pads.slice(0, spatial), pads_end: pads.slice(spatial, 2 * spatial) };
}

export const ones = (n: number): number[] => new Array<number>(n).fill(1);
export const zeros = (n: number): number[] => new Array<number>(n).fill(0);
