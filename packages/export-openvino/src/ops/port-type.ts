import { shapeText } from '@condense/core';
import type { ElementType } from '../ir/element-type.js';
import type { OvDim } from '../ir/model.js';

/** What flows through a port: element type and dimensions (-1 unknown; undefined dims = unknown rank). */
export interface PortType {
  type: ElementType;
  dims: OvDim[] | undefined;
}

export const formatDims = (dims: readonly OvDim[] | undefined): string => (dims ? shapeText(dims) : '[...]');

/** numpy broadcasting of two shapes; throws a message when they do not broadcast. */
export function broadcastDims(a: readonly OvDim[] | undefined, b: readonly OvDim[] | undefined): OvDim[] | undefined {
  if (!a || !b) return undefined;
  const rank = Math.max(a.length, b.length);
  const out: OvDim[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x === y || y === 1) out.push(x);
    else if (x === 1) out.push(y);
    else if (x === -1 || y === -1) out.push(x === -1 ? y : x);
    else return undefined;
  }
  return out;
}

export const elementCount = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
