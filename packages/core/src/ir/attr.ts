import { CondenseError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Graph } from './graph.js';

/**
 * A node attribute. Integers are bigint because ONNX attributes are int64 and
 * models really use values beyond 2^53 (Slice ends of INT64_MAX); the getters
 * below hand passes plain numbers. `opaque` carries kinds the IR does not model
 * (sparse tensors, type protos, attribute references inside functions) exactly
 * as the format adapter read them, so they survive a round trip.
 */
export type Attr = (
  | { type: 'float'; value: number }
  | { type: 'int'; value: bigint }
  | { type: 'string'; value: Uint8Array }
  | { type: 'tensor'; value: Tensor }
  | { type: 'graph'; value: Graph }
  | { type: 'floats'; value: number[] }
  | { type: 'ints'; value: bigint[] }
  | { type: 'strings'; value: Uint8Array[] }
  | { type: 'tensors'; value: Tensor[] }
  | { type: 'graphs'; value: Graph[] }
  | { type: 'opaque'; value: unknown }
) & { docString?: string };

/** The kind of an attribute (`int`, `floats`, `graph`, ...). */
export type AttrType = Attr['type'];

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** Builders for attributes, taking the plain JS types a pass works with. */
export const attr = {
  /** A float attribute. */
  float: (value: number): Attr => ({ type: 'float', value }),
  /** An int attribute (stored as int64). */
  int: (value: number | bigint): Attr => ({ type: 'int', value: BigInt(value) }),
  /** A string attribute, stored as UTF-8. */
  string: (value: string): Attr => ({ type: 'string', value: utf8.encode(value) }),
  /** A tensor attribute (Constant's `value`, for example). */
  tensor: (value: Tensor): Attr => ({ type: 'tensor', value }),
  /** A list of floats. */
  floats: (value: readonly number[]): Attr => ({ type: 'floats', value: [...value] }),
  /** A list of ints (pads, strides, axes, ...). */
  ints: (value: ReadonlyArray<number | bigint>): Attr => ({ type: 'ints', value: value.map((v) => BigInt(v)) }),
  /** A list of strings, stored as UTF-8. */
  strings: (value: readonly string[]): Attr => ({ type: 'strings', value: value.map((s) => utf8.encode(s)) }),
};

/** A node's attributes by name, as the attribute readers (getFloat, getInts ...) take them. */
export type Attrs = Readonly<Record<string, Attr>>;

function expect<T extends AttrType>(attrs: Attrs, name: string, type: T): Extract<Attr, { type: T }> | undefined {
  const a = attrs[name];
  if (a === undefined) return undefined;
  if (a.type !== type) {
    throw new CondenseError('E_MODEL_INVALID', `Attribute "${name}" is of type ${a.type}, expected ${type}.`);
  }
  return a as Extract<Attr, { type: T }>;
}

/** An int attribute as a number, or `fallback` when the node does not set it. Throws E_MODEL_INVALID when it has another type. */
export function getInt(attrs: Attrs, name: string, fallback: number): number;
/** An int attribute as a number, or undefined when the node does not set it. Throws E_MODEL_INVALID when it has another type. */
export function getInt(attrs: Attrs, name: string): number | undefined;
export function getInt(attrs: Attrs, name: string, fallback?: number): number | undefined {
  const a = expect(attrs, name, 'int');
  return a ? Number(a.value) : fallback;
}

/** An ints attribute as numbers, or `fallback` when the node does not set it. Throws E_MODEL_INVALID when it has another type. */
export function getInts(attrs: Attrs, name: string, fallback: number[]): number[];
/** An ints attribute as numbers, or undefined when the node does not set it. Throws E_MODEL_INVALID when it has another type. */
export function getInts(attrs: Attrs, name: string): number[] | undefined;
export function getInts(attrs: Attrs, name: string, fallback?: number[]): number[] | undefined {
  const a = expect(attrs, name, 'ints');
  return a ? a.value.map(Number) : fallback;
}

/** A float attribute, or `fallback` when the node does not set it. Throws E_MODEL_INVALID when it has another type. */
export function getFloat(attrs: Attrs, name: string, fallback: number): number;
/** A float attribute, or undefined when the node does not set it. Throws E_MODEL_INVALID when it has another type. */
export function getFloat(attrs: Attrs, name: string): number | undefined;
export function getFloat(attrs: Attrs, name: string, fallback?: number): number | undefined {
  return expect(attrs, name, 'float')?.value ?? fallback;
}

/** A floats attribute, or undefined when the node does not set it. Throws E_MODEL_INVALID when it has another type. */
export function getFloats(attrs: Attrs, name: string): number[] | undefined {
  return expect(attrs, name, 'floats')?.value;
}

/** A string attribute decoded from UTF-8, or `fallback` when the node does not set it. Throws E_MODEL_INVALID when it has another type. */
export function getString(attrs: Attrs, name: string, fallback: string): string;
/** A string attribute decoded from UTF-8, or undefined when the node does not set it. Throws E_MODEL_INVALID when it has another type. */
export function getString(attrs: Attrs, name: string): string | undefined;
export function getString(attrs: Attrs, name: string, fallback?: string): string | undefined {
  const a = expect(attrs, name, 'string');
  return a ? fromUtf8.decode(a.value) : fallback;
}

/** A tensor attribute, or undefined when the node does not set it. Throws E_MODEL_INVALID when it has another type. */
export function getTensor(attrs: Attrs, name: string): Tensor | undefined {
  return expect(attrs, name, 'tensor')?.value;
}
