import { quoted } from '@condense/core';
import type { ElementType } from './element-type.js';

/** A dimension of an OpenVINO port: a size, or -1 where it is only known at run time. */
export type OvDim = number;

/** One input or output port of a layer, as the XML declares it. */
export interface OvPort {
  id: number;
  /** Absent on input ports of IRs that leave it to the producer. */
  precision: ElementType | undefined;
  dims: OvDim[];
  /** Tensor names carried by an output port (the `names` attribute). */
  names: string[];
}

/** One `<layer>`: an operation of an opset (`type` + `version`), its `<data>` attributes and ports. */
export interface OvLayer {
  id: number;
  name: string;
  type: string;
  version: string;
  data: Record<string, string>;
  inputs: OvPort[];
  outputs: OvPort[];
  /** Layer `<rt_info>` attributes (e.g. "decompression" on a Convert that unpacks weights). */
  rtInfo: Array<{ name: string; version: string }>;
}

export interface OvEdge {
  fromLayer: number;
  fromPort: number;
  toLayer: number;
  toPort: number;
}

/** The XML half of an OpenVINO IR (`<net>`), with layers in file order. */
export interface OvModel {
  name: string;
  /** IR version (the `version` attribute of `<net>`): 10 or 11. */
  version: number;
  layers: OvLayer[];
  edges: OvEdge[];
  /** Model-level `<rt_info>` entries (name → value), kept for a faithful round trip. */
  rtInfo: Array<[string, string]>;
}

/** "Convolution" "opset1" → 1; undefined for versions that are not opsetN (extensions). */
export function opsetNumber(version: string): number | undefined {
  const m = /^opset(\d+)$/.exec(version);
  return m ? Number(m[1]) : undefined;
}

/** How error messages name a layer. */
export function describeLayer(layer: Pick<OvLayer, 'id' | 'name' | 'type'>): string {
  return `layer ${layer.id} ${quoted(layer.name)} (${quoted(layer.type).slice(1, -1)})`;
}

/** Splits a port's `names` attribute: names are comma-separated, a literal comma is written "\,". */
export function splitNames(attr: string): string[] {
  const names: string[] = [];
  let current = '';
  for (let i = 0; i < attr.length; i++) {
    const c = attr[i]!;
    if (c === '\\' && attr[i + 1] === ',') {
      current += ',';
      i++;
    } else if (c === ',') {
      names.push(current.trim());
      current = '';
    } else current += c;
  }
  if (current.trim() || names.length) names.push(current.trim());
  return names.filter((n) => n.length > 0);
}

export function joinNames(names: readonly string[]): string {
  return names.map((n) => n.replace(/,/g, '\\,')).join(',');
}
