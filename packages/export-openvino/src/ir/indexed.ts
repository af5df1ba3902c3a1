import { Tensor } from '@condense/core';
import { LayerAttrs, parseShape } from '../ops/attrs.js';
import { byteSize, dtypeOf, isElementType } from './element-type.js';
import type { OvLayer, OvModel, OvPort } from './model.js';

/** The producer of one input port: a layer's output port. */
export interface Source {
  layer: OvLayer;
  port: OvPort;
  /** Index of the port among the layer's outputs. */
  index: number;
}

/**
 * A parsed IR with its edges resolved: what feeds each input port, who reads
 * each output, and the Const values viewed in the .bin (never copied). Built
 * by the validator; the reader walks the same structure.
 */
export class IndexedModel {
  readonly layers = new Map<number, OvLayer>();
  /** For each layer id, the source of each input port (by position), undefined when unconnected. */
  readonly #sources = new Map<number, Array<Source | undefined>>();
  readonly #readers = new Map<string, Array<{ layer: OvLayer; index: number }>>();
  readonly #constants = new Map<number, Tensor | null>();

  constructor(
    readonly model: OvModel,
    readonly bin: Uint8Array,
  ) {
    for (const layer of model.layers) if (!this.layers.has(layer.id)) this.layers.set(layer.id, layer);
    for (const layer of this.layers.values()) this.#sources.set(layer.id, layer.inputs.map(() => undefined));
    for (const e of model.edges) {
      const from = this.layers.get(e.fromLayer);
      const to = this.layers.get(e.toLayer);
      const index = from?.outputs.findIndex((p) => p.id === e.fromPort) ?? -1;
      const toIndex = to?.inputs.findIndex((p) => p.id === e.toPort) ?? -1;
      if (!from || !to || index < 0 || toIndex < 0) continue;
      const sources = this.#sources.get(to.id)!;
      if (sources[toIndex]) continue;
      sources[toIndex] = { layer: from, port: from.outputs[index]!, index };
      const key = `${from.id}:${index}`;
      const readers = this.#readers.get(key) ?? [];
      readers.push({ layer: to, index: toIndex });
      this.#readers.set(key, readers);
    }
  }

  sources(layer: OvLayer): ReadonlyArray<Source | undefined> {
    return this.#sources.get(layer.id) ?? [];
  }

  source(layer: OvLayer, i: number): Source | undefined {
    return this.sources(layer)[i];
  }

  /** Layers reading output `index` of `layer`, with the input position they read it at. */
  readers(layer: OvLayer, index = 0): ReadonlyArray<{ layer: OvLayer; index: number }> {
    return this.#readers.get(`${layer.id}:${index}`) ?? [];
  }

  /** A Const layer's value, a view into the .bin; undefined when its attributes or range are bad (the validator says why). */
  constant(layer: OvLayer): Tensor | undefined {
    if (layer.type !== 'Const') return undefined;
    let t = this.#constants.get(layer.id);
    if (t === undefined) {
      t = readConstant(layer, this.bin) ?? null;
      this.#constants.set(layer.id, t);
    }
    return t ?? undefined;
  }

  /** The value feeding input `i` of `layer` when a Const produces it. */
  inputConstant(layer: OvLayer, i: number): Tensor | undefined {
    const s = this.source(layer, i);
    return s ? this.constant(s.layer) : undefined;
  }

  /** Layers with every producer before its readers, or undefined when the edges form a cycle. */
  topologicalOrder(): OvLayer[] | undefined {
    const pending = new Map<number, number>();
    for (const layer of this.layers.values()) pending.set(layer.id, this.sources(layer).filter(Boolean).length);
    const ready = [...this.layers.values()].filter((l) => pending.get(l.id) === 0);
    const order: OvLayer[] = [];
    // A moving head, not shift(): shift is linear, and an IR may hold tens of thousands of layers.
    for (let head = 0; head < ready.length; head++) {
      const layer = ready[head]!;
      order.push(layer);
      layer.outputs.forEach((_, index) => {
        for (const r of this.readers(layer, index)) {
          const left = pending.get(r.layer.id)! - 1;
          pending.set(r.layer.id, left);
          if (left === 0) ready.push(r.layer);
        }
      });
    }
    return order.length === this.layers.size ? order : undefined;
  }
}

/** Where a Const's bytes are, or why they cannot be read. */
export function constantExtent(layer: OvLayer, binLength: number): { offset: number; size: number; type: string; shape: number[] } | string {
  const attrs = new LayerAttrs(layer.data);
  const type = layer.data['element_type'] ?? '';
  if (!isElementType(type)) return `element_type "${type}" is not an element type condense supports`;
  let shape: number[] | undefined;
  try {
    shape = parseShape(attrs.string('shape'), 'shape');
  } catch (e) {
    return (e as Error).message;
  }
  if (!shape || shape.some((d) => d < 0)) return `shape "${layer.data['shape']}" is not static`;
  const offset = Number(layer.data['offset']);
  const size = Number(layer.data['size']);
  if (!Number.isSafeInteger(offset) || offset < 0) return `offset "${layer.data['offset'] ?? ''}" is not a byte offset`;
  if (!Number.isSafeInteger(size) || size < 0) return `size "${layer.data['size'] ?? ''}" is not a byte count`;
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = byteSize(type, count);
  if (size !== expected) return `size ${size} does not match ${type} x [${shape.join(', ')}] (${expected} bytes)`;
  if (offset + size > binLength) return `bytes ${offset}..${offset + size} are beyond the end of the .bin (${binLength} bytes)`;
  return { offset, size, type, shape };
}

function readConstant(layer: OvLayer, bin: Uint8Array): Tensor | undefined {
  const extent = constantExtent(layer, bin.byteLength);
  if (typeof extent === 'string' || !isElementType(extent.type)) return undefined;
  return Tensor.fromBytes(dtypeOf(extent.type), extent.shape, bin.subarray(extent.offset, extent.offset + extent.size));
}
