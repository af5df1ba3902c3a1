import { base64Text } from '../base64.js';
import type { AttrValue, NodeDef, TensorShape, TfjsDType, WeightQuantization, WeightSpec } from '../model-json.js';

/** TensorFlow DataType names of tfjs dtypes. */
export const TF_DTYPE: Record<TfjsDType, string> = { float32: 'DT_FLOAT', int32: 'DT_INT32', bool: 'DT_BOOL', string: 'DT_STRING', complex64: 'DT_COMPLEX64' };

/** GraphDef attribute values in protobuf's JSON mapping. */
export const tfAttr = {
  s: (v: string): AttrValue => ({ s: base64Text.encode(v) }),
  i: (v: number): AttrValue => ({ i: String(v) }),
  f: (v: number): AttrValue => ({ f: v }),
  b: (v: boolean): AttrValue => ({ b: v }),
  type: (dtype: TfjsDType): AttrValue => ({ type: TF_DTYPE[dtype] }),
  ints: (v: readonly number[]): AttrValue => ({ list: { i: v.map(String) } }),
  strings: (v: readonly string[]): AttrValue => ({ list: { s: v.map(base64Text.encode) } }),
  shape: (dims: readonly number[]): AttrValue => ({ shape: tensorShape(dims) }),
};

export function tensorShape(dims: readonly number[]): TensorShape {
  return { dim: dims.map((d) => ({ size: String(d) })) };
}

/** A weight as it goes into the shard: its tfjs dtype and shape, the stored bytes, and how tfjs decodes them. */
export interface StoredWeight {
  dtype: TfjsDType;
  shape: number[];
  bytes: Uint8Array;
  quantization?: WeightQuantization;
}

/**
 * Collects the nodes of a GraphDef and the weights of its one shard. Node
 * names are unique and free of ':' (tfjs reads "name:1" as output 1 of "name").
 */
export class GraphDefWriter {
  readonly nodes: NodeDef[] = [];
  readonly specs: WeightSpec[] = [];
  readonly #chunks: Uint8Array[] = [];
  readonly #names = new Set<string>();

  name(base: string): string {
    const clean = base.replace(/[:^]/g, '_') || 'node';
    let name = clean;
    for (let i = 1; this.#names.has(name); i++) name = `${clean}_${i}`;
    this.#names.add(name);
    return name;
  }

  /** Adds a node named after `base`; returns its name (its first output). */
  op(op: string, base: string, inputs: readonly string[], attr: Record<string, AttrValue> = {}): string {
    const name = this.name(base);
    this.nodes.push({ name, op, input: [...inputs], attr });
    return name;
  }

  placeholder(base: string, dtype: TfjsDType, shape: readonly number[]): string {
    return this.op('Placeholder', base, [], { dtype: tfAttr.type(dtype), shape: tfAttr.shape(shape) });
  }

  /** A Const whose value tfjs loads from the weights shard, by the node's name. */
  constant(base: string, w: StoredWeight): string {
    const name = this.op('Const', base, [], { value: { tensor: { dtype: TF_DTYPE[w.dtype], tensorShape: tensorShape(w.shape) } }, dtype: tfAttr.type(w.dtype) });
    this.specs.push({ name, shape: w.shape, dtype: w.dtype, ...(w.quantization ? { quantization: w.quantization } : {}) });
    this.#chunks.push(w.bytes);
    return name;
  }

  /** The shard: every weight's bytes back to back, in manifest order. */
  shard(): Uint8Array {
    const out = new Uint8Array(this.#chunks.reduce((n, c) => n + c.byteLength, 0));
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }
}
