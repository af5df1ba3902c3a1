import { brotliCompressSync, constants as zlibConstants } from 'node:zlib';
import type { Graph, Model, Tensor } from '@condense/core';

/** Every tensor in a model (initializers and tensor attributes, subgraphs included), by a stable key. */
function tensorsOf(model: Model): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  const visit = (g: Graph, prefix: string) => {
    for (const v of g.constants()) out.set(`${prefix}init:${v.name}`, v.const!);
    let i = 0;
    for (const node of g) {
      for (const [k, a] of Object.entries(node.attrs)) {
        if (a.type === 'tensor') out.set(`${prefix}${i}:${k}`, a.value);
        if (a.type === 'tensors') a.value.forEach((t, j) => out.set(`${prefix}${i}:${k}:${j}`, t));
        if (a.type === 'graph') visit(a.value, `${prefix}${i}:${k}/`);
        if (a.type === 'graphs') a.value.forEach((sg, j) => visit(sg, `${prefix}${i}:${k}:${j}/`));
      }
      i++;
    }
  };
  visit(model.graph, '');
  return out;
}

function sameBytes(a: Tensor, b: Tensor): boolean {
  if (a.dtype !== b.dtype || a.shape.join() !== b.shape.join()) return false;
  if (a.dtype === 'string') return JSON.stringify(a.data()) === JSON.stringify(b.data());
  return Buffer.compare(a.bytes(), b.bytes()) === 0;
}

/** True when two models hold the same tensors (by position) with identical bytes. */
export function sameTensors(a: Model, b: Model): boolean {
  const before = tensorsOf(a);
  const after = tensorsOf(b);
  return before.size === after.size && [...before].every(([k, t]) => after.has(k) && sameBytes(t, after.get(k)!));
}

/** Bytes after brotli at quality 9, as the benchmarks and `condense compress` measure the size on the wire. */
export function brotliBytes(bytes: Uint8Array): number {
  return brotliCompressSync(bytes, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9 } }).byteLength;
}
