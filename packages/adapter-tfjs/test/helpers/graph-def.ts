/**
 * Hand-written tfjs GraphModels. tfjs-converter (Python) is not available
 * here, so test graphs are written node by node in the GraphDef JSON that
 * tfjs-converter emits (attribute strings base64, integers as strings, Const
 * values in the weights manifest), with weights stored raw, as uint8/uint16
 * with scale and min, or as float16 — and tfjs's own loader is the reference
 * for what they mean.
 */
import { float32ToFloat16Bits } from '@condense/core';
import type { AttrValue, NodeDef, TfjsModelJson, WeightSpec } from '../../src/index.js';

const b64 = (s: string) => btoa(s);
export const attr = {
  s: (v: string): AttrValue => ({ s: b64(v) }),
  i: (v: number): AttrValue => ({ i: String(v) }),
  f: (v: number): AttrValue => ({ f: v }),
  b: (v: boolean): AttrValue => ({ b: v }),
  type: (v = 'DT_FLOAT'): AttrValue => ({ type: v }),
  ints: (v: number[]): AttrValue => ({ list: { i: v.map(String) } }),
  strings: (v: string[]): AttrValue => ({ list: { s: v.map(b64) } }),
  shape: (dims: number[]): AttrValue => ({ shape: { dim: dims.map((d) => ({ size: String(d) })) } }),
};

export type Stored = { kind: 'float32' } | { kind: 'int32' } | { kind: 'uint8' | 'uint16'; scale: number; min: number } | { kind: 'float16' };

export class GraphDefWriter {
  readonly nodes: NodeDef[] = [];
  readonly specs: WeightSpec[] = [];
  readonly #chunks: Uint8Array[] = [];

  op(op: string, name: string, input: string[], attr: Record<string, AttrValue> = {}): string {
    this.nodes.push({ name, op, input, attr: { T: { type: 'DT_FLOAT' }, ...attr } });
    return name;
  }

  placeholder(name: string, shape: number[]): string {
    this.nodes.push({ name, op: 'Placeholder', attr: { dtype: attr.type(), shape: attr.shape(shape) } });
    return name;
  }

  /**
   * A Const whose value lives in the weights shard. `values` are the stored
   * numbers: floats for float32/float16, integers q for uint8/uint16 (tfjs
   * reads min + scale * q), integers for int32.
   */
  weight(name: string, shape: number[], values: ArrayLike<number>, stored: Stored = { kind: 'float32' }): string {
    const dtype = stored.kind === 'int32' ? 'int32' : 'float32';
    this.nodes.push({ name, op: 'Const', attr: { value: { tensor: { dtype: dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT', tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } }, dtype: attr.type(dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT') } });
    const spec: WeightSpec = { name, shape, dtype };
    let bytes: Uint8Array;
    if (stored.kind === 'uint8') bytes = Uint8Array.from(values);
    else if (stored.kind === 'uint16') bytes = new Uint8Array(Uint16Array.from(values).buffer);
    else if (stored.kind === 'float16') bytes = new Uint8Array(Uint16Array.from(values, float32ToFloat16Bits).buffer);
    else bytes = new Uint8Array((stored.kind === 'int32' ? Int32Array.from(values) : Float32Array.from(values)).buffer);
    if (stored.kind === 'uint8' || stored.kind === 'uint16') spec.quantization = { dtype: stored.kind, scale: stored.scale, min: stored.min };
    if (stored.kind === 'float16') spec.quantization = { dtype: 'float16' };
    this.specs.push(spec);
    this.#chunks.push(bytes);
    return name;
  }

  build(outputs?: string[]): { modelJson: TfjsModelJson; weights: Uint8Array } {
    const weights = new Uint8Array(this.#chunks.reduce((n, c) => n + c.byteLength, 0));
    let at = 0;
    for (const c of this.#chunks) {
      weights.set(c, at);
      at += c.byteLength;
    }
    const signature = outputs && { outputs: Object.fromEntries(outputs.map((o) => [o, { name: `${o}:0` }])) };
    return { modelJson: { format: 'graph-model', generatedBy: 'hand-written test fixture', modelTopology: { node: this.nodes, versions: { producer: 1 } }, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: this.specs }], ...(signature ? { signature } : {}) }, weights };
  }
}
