import { CondenseError, type Tensor } from '@condense/core';
import { byteSize, elementTypeOf } from '../ir/element-type.js';
import type { OvEdge, OvLayer, OvModel } from '../ir/model.js';
import { LayerAttrs } from '../ops/attrs.js';
import { opSpec } from '../ops/index.js';
import { OpError } from '../ops/op-error.js';
import type { PortType } from '../ops/port-type.js';

/** An output port of a layer being built: what later layers connect to. */
export interface PortRef {
  layer: OvLayer;
  index: number;
  type: PortType;
}

export type AttrValue = string | number | boolean | readonly number[];

/** Constants start on 8-byte boundaries, so readers can view them as typed arrays without copying. */
const ALIGNMENT = 8;

/**
 * Builds an OpenVINO IR: layers with their ports, edges and the .bin. Each
 * layer's output ports come from the same op rules the validator checks, so
 * a built model agrees with itself by construction.
 */
export class OvBuilder {
  readonly #layers: OvLayer[] = [];
  readonly #edges: OvEdge[] = [];
  readonly #chunks: Uint8Array[] = [];
  readonly #constants = new Map<OvLayer, Tensor>();
  readonly #names = new Set<string>();
  #binLength = 0;

  /** A Const holding `tensor` (its dtype must have an OpenVINO element type). */
  constant(tensor: Tensor, name: string): PortRef {
    const type = elementTypeOf(tensor.dtype);
    if (!type) throw new CondenseError('E_UNSUPPORTED_DTYPE', `OpenVINO has no element type for ${tensor.dtype} (constant "${name}").`);
    // ONNX's raw layout is OpenVINO's: little-endian, 4-bit values two to a byte with the first in the low nibble.
    const bytes = tensor.bytes();
    const size = byteSize(type, tensor.size);
    const pad = (ALIGNMENT - (this.#binLength % ALIGNMENT)) % ALIGNMENT;
    if (pad) this.#chunks.push(new Uint8Array(pad));
    const offset = this.#binLength + pad;
    this.#chunks.push(bytes);
    this.#binLength = offset + size;
    const [ref] = this.add('Const', { element_type: type, shape: tensor.shape, offset, size }, [], { name });
    this.#constants.set(ref!.layer, tensor);
    return ref!;
  }

  /**
   * Adds a layer of `type` (the newest version condense knows) reading
   * `inputs`; returns its output ports. Throws E_INTERNAL when the op rules
   * refuse the layer: a lowering bug, never a property of the user's model.
   */
  add(type: string, data: Record<string, AttrValue | undefined>, inputs: readonly PortRef[], opts: { name: string; rtInfo?: OvLayer['rtInfo'] }): PortRef[] {
    const spec = opSpec(type);
    if (!spec) throw new CondenseError('E_INTERNAL', `No OpenVINO op rule for ${type}.`);
    const version = Math.max(...spec.versions);
    const attrs = Object.fromEntries(Object.entries(data).filter((e): e is [string, AttrValue] => e[1] !== undefined).map(([k, v]) => [k, formatAttr(v)]));
    const layer: OvLayer = { id: this.#layers.length, name: this.#uniqueName(opts.name), type, version: `opset${version}`, data: attrs, inputs: [], outputs: [], rtInfo: opts.rtInfo ?? [] };
    let types: PortType[];
    try {
      types = spec.infer({ version, attrs: new LayerAttrs(attrs), inputs: inputs.map((r) => r.type), constant: (i) => this.#constants.get(inputs[i]!.layer) });
    } catch (e) {
      if (e instanceof OpError) throw new CondenseError('E_INTERNAL', `Built an invalid OpenVINO ${type} layer "${layer.name}": ${e.message}.`, { context: { node: layer.name, adapter: 'openvino' } });
      throw e;
    }
    let port = 0;
    inputs.forEach((r, i) => {
      layer.inputs.push({ id: port++, precision: r.type.type, dims: dimsOf(r.type), names: [] });
      const from = r.layer.outputs[r.index]!;
      this.#edges.push({ fromLayer: r.layer.id, fromPort: from.id, toLayer: layer.id, toPort: i });
    });
    for (const t of types) layer.outputs.push({ id: port++, precision: t.type, dims: dimsOf(t), names: [] });
    this.#layers.push(layer);
    return types.map((type, index) => ({ layer, index, type }));
  }

  /** The value a Const port holds (for rules that need a constant's numbers). */
  constantOf(ref: PortRef): Tensor | undefined {
    return this.#constants.get(ref.layer);
  }

  finish(name: string): { model: OvModel; bin: Uint8Array } {
    const bin = new Uint8Array(this.#binLength);
    let at = 0;
    for (const c of this.#chunks) {
      bin.set(c, at);
      at += c.byteLength;
    }
    return { model: { name, version: 11, layers: this.#layers, edges: this.#edges, rtInfo: [] }, bin };
  }

  #uniqueName(base: string): string {
    let name = base || 'layer';
    for (let i = 1; this.#names.has(name); i++) name = `${base}_${i}`;
    this.#names.add(name);
    return name;
  }
}

function formatAttr(v: AttrValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return String(v);
  return v.join(', ');
}

function dimsOf(t: PortType): number[] {
  if (!t.dims) throw new CondenseError('E_SHAPE_INFERENCE', 'An OpenVINO port needs a known rank; pin the input shapes (inputShapes).');
  return [...t.dims];
}

