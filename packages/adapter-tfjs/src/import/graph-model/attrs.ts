import { quoted } from '../check-json.js';
import { CondenseError, type DType, type Dim } from '@condense/core';
import { base64Text } from '../../base64.js';
import type { AttrValue, NodeDef, TensorShape } from '../../model-json.js';


/** Typed reads of a NodeDef's attributes, with TensorFlow's defaults. */
export class Attrs {
  readonly #attrs: Record<string, AttrValue>;
  readonly #node: string;

  constructor(node: NodeDef) {
    this.#attrs = node.attr ?? {};
    this.#node = node.name;
  }

  has(name: string): boolean {
    return name in this.#attrs;
  }

  string(name: string, fallback = ''): string {
    const s = this.#get(name)?.s;
    return s === undefined ? fallback : this.#text(name, s);
  }

  int(name: string, fallback = 0): number {
    const i = this.#get(name)?.i;
    return i === undefined ? fallback : this.#integer(name, i);
  }

  float(name: string, fallback = 0): number {
    const a = this.#get(name);
    const v = a?.f ?? (a?.i !== undefined ? Number(a.i) : fallback);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.#bad(name, 'a finite number');
    return v;
  }

  bool(name: string, fallback = false): boolean {
    const b = this.#get(name)?.b ?? fallback;
    if (typeof b !== 'boolean') throw this.#bad(name, 'true or false');
    return b;
  }

  ints(name: string, fallback: number[] = []): number[] {
    const list = this.#get(name)?.list;
    if (!list) return fallback;
    const values: unknown = list.i ?? list.f ?? [];
    if (!Array.isArray(values)) throw this.#bad(name, 'a list of integers');
    return values.map((v) => this.#integer(name, v));
  }

  strings(name: string): string[] {
    const values: unknown = this.#get(name)?.list?.s ?? [];
    if (!Array.isArray(values)) throw this.#bad(name, 'a list of strings');
    return values.map((v) => this.#text(name, v));
  }

  dtype(name: string): DType {
    const type: unknown = this.#get(name)?.type ?? 'DT_FLOAT';
    if (typeof type !== 'string') throw this.#bad(name, 'a type name');
    return tfDType(type, this.#node);
  }

  shape(name: string): TensorShape | undefined {
    const shape = this.#get(name)?.shape;
    if (shape !== undefined && (typeof shape !== 'object' || shape === null || (shape.dim !== undefined && !Array.isArray(shape.dim)))) throw this.#bad(name, 'a shape');
    return shape;
  }

  /** An attribute by name: own keys only, so "constructor" or "__proto__" never reach Object.prototype. */
  #get(name: string): AttrValue | undefined {
    return Object.hasOwn(this.#attrs, name) ? this.#attrs[name] : undefined;
  }

  #integer(name: string, v: unknown): number {
    const n = typeof v === 'number' || typeof v === 'string' ? Number(v) : NaN;
    if (!Number.isSafeInteger(n)) throw this.#bad(name, 'an integer');
    return n;
  }

  #text(name: string, v: unknown): string {
    try {
      if (typeof v === 'string') return base64Text.decode(v);
    } catch {
      // Not base64: refused below.
    }
    throw this.#bad(name, 'base64 text');
  }

  #bad(name: string, what: string): CondenseError {
    return new CondenseError('E_MODEL_INVALID', `Node ${quoted(this.#node)} has attribute ${quoted(name)} that is not ${what}.`, { context: { node: this.#node } });
  }
}

/** The IR dtype of a TensorFlow DataType name. tfjs computes int64 as int32; the IR keeps tfjs's int32. */
export function tfDType(type: string, node: string): DType {
  switch (type) {
    case 'DT_FLOAT':
    case 'DT_HALF':
    case 'DT_DOUBLE':
      return 'float32';
    case 'DT_INT32':
    case 'DT_INT64':
    case 'DT_INT8':
    case 'DT_UINT8':
    case 'DT_INT16':
    case 'DT_UINT16':
      return 'int32';
    case 'DT_BOOL':
      return 'bool';
    default:
      throw new CondenseError('E_UNSUPPORTED_DTYPE', `Node ${quoted(node)} has type ${quoted(type)}; condense imports float, integer and bool tensors.`, { context: { node } });
  }
}

/** Dimensions of a TensorShape; unknown ones (-1) become symbols. */
export function dimsOf(shape: TensorShape | undefined, symbol: (axis: number) => string): Dim[] | undefined {
  if (!shape || shape.unknownRank) return undefined;
  return (shape.dim ?? []).map((d, i) => {
    const size = Number(d?.size ?? -1);
    if (!Number.isSafeInteger(size)) throw new CondenseError('E_MODEL_INVALID', `A shape has dimension ${quoted(d?.size)}, which is not a size.`);
    return size >= 0 ? size : symbol(i);
  });
}
