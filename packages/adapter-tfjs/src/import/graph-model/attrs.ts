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
    const s = this.#attrs[name]?.s;
    return s === undefined ? fallback : base64Text.decode(s);
  }

  int(name: string, fallback = 0): number {
    const i = this.#attrs[name]?.i;
    return i === undefined ? fallback : Number(i);
  }

  float(name: string, fallback = 0): number {
    const a = this.#attrs[name];
    return a?.f ?? (a?.i !== undefined ? Number(a.i) : fallback);
  }

  bool(name: string, fallback = false): boolean {
    return this.#attrs[name]?.b ?? fallback;
  }

  ints(name: string, fallback: number[] = []): number[] {
    const list = this.#attrs[name]?.list;
    return list ? (list.i ?? list.f ?? []).map(Number) : fallback;
  }

  strings(name: string): string[] {
    return (this.#attrs[name]?.list?.s ?? []).map(base64Text.decode);
  }

  dtype(name: string): DType {
    return tfDType(this.#attrs[name]?.type ?? 'DT_FLOAT', this.#node);
  }

  shape(name: string): TensorShape | undefined {
    return this.#attrs[name]?.shape;
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
      throw new CondenseError('E_UNSUPPORTED_DTYPE', `Node "${node}" has type ${type}; condense imports float, integer and bool tensors.`, { context: { node } });
  }
}

/** Dimensions of a TensorShape; unknown ones (-1) become symbols. */
export function dimsOf(shape: TensorShape | undefined, symbol: (axis: number) => string): Dim[] | undefined {
  if (!shape || shape.unknownRank) return undefined;
  return (shape.dim ?? []).map((d, i) => {
    const size = Number(d.size ?? -1);
    return size >= 0 ? size : symbol(i);
  });
}
