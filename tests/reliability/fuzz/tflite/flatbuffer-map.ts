/**
 * Where a .tflite file's structure lies, walked with the TFLite schema's
 * field slots: tables and their vtables, every offset field, vector length
 * prefixes and the scalars a reader trusts (tensor types, buffer and opcode
 * indices, shape and tensor-index elements). Mutators edit these bytes in
 * place, so a flatbuffer mutant is wrong in exactly one chosen way.
 */
import type { Landmarks } from '../byte-mutators.js';

export interface FlatbufferMap {
  /** Table starts (each holds a signed offset to its vtable). */
  tables: number[];
  vtables: number[];
  /** Positions of uoffset fields (to tables, vectors and strings), vector elements included. */
  offsets: number[];
  /** Vector length prefixes (uint32), by what the vector holds. */
  vectors: Map<string, number[]>;
  /** Scalar fields and int32 vector elements, by name ("tensor.type", "shape", "op.inputs"...). */
  fields: Map<string, number[]>;
  /** Each operator's input and output index positions, in file order. */
  operators: Array<{ inputs: number[]; outputs: number[] }>;
}

/** vtable slots of the schema's fields (TFLite schema v3). */
const MODEL = { operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4 };
const SUBGRAPH = { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 };
const TENSOR = { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4 };
const OPERATOR = { opcodeIndex: 0, inputs: 1, outputs: 2, optionsType: 3, options: 4 };
const OPCODE = { deprecated: 0, version: 2, builtin: 3 };
const QUANT = { scale: 2, zeroPoint: 3, dimension: 6 };
const BUFFER = { data: 0, offset: 1, size: 2 };

export function mapFlatbuffer(bytes: Uint8Array): FlatbufferMap {
  const map: FlatbufferMap = { tables: [], vtables: [], offsets: [], vectors: new Map(), fields: new Map(), operators: [] };
  try {
    new Walker(bytes, map).model();
  } catch {
    // A mutant: keep what was found before the walk left the file.
  }
  return map;
}

/** The map as byte-mutator landmarks: tables and offsets are "keys", uint32 length prefixes "lengths". */
export function flatbufferLandmarks(map: FlatbufferMap): Landmarks {
  return {
    tags: [...map.tables, ...map.vtables, ...map.offsets],
    lengths: [...map.vectors.values()].flat().map((at) => ({ at, end: at + 4 })),
  };
}

class Walker {
  readonly #view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly map: FlatbufferMap,
  ) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  model(): void {
    const root = this.#u32(0);
    const model = this.#table(root);
    for (const t of this.#tables(model, MODEL.operatorCodes, 'operator_codes')) this.#scalars(t, OPCODE, 'code');
    for (const sg of this.#tables(model, MODEL.subgraphs, 'subgraphs')) this.#subgraph(sg);
    for (const b of this.#tables(model, MODEL.buffers, 'buffers')) {
      this.#vector(b, BUFFER.data, 'buffer.data');
      this.#scalars(b, { offset: BUFFER.offset, size: BUFFER.size }, 'buffer');
    }
    this.#vector(model, MODEL.description, 'description');
  }

  #subgraph(sg: number): void {
    for (const t of this.#tables(sg, SUBGRAPH.tensors, 'tensors')) {
      this.#ints(t, TENSOR.shape, 'shape');
      this.#scalars(t, { type: TENSOR.type, buffer: TENSOR.buffer }, 'tensor');
      this.#vector(t, TENSOR.name, 'name');
      const q = this.#field(t, TENSOR.quantization);
      if (q) {
        const table = this.#table(this.#ref(q));
        this.#vector(table, QUANT.scale, 'quant.scale', 4, 'quant.scale');
        this.#vector(table, QUANT.zeroPoint, 'quant.zero_point', 8, 'quant.zero_point');
        this.#scalars(table, { dimension: QUANT.dimension }, 'quant');
      }
    }
    this.#ints(sg, SUBGRAPH.inputs, 'graph.inputs');
    this.#ints(sg, SUBGRAPH.outputs, 'graph.outputs');
    for (const op of this.#tables(sg, SUBGRAPH.operators, 'operators')) {
      this.#scalars(op, { opcode: OPERATOR.opcodeIndex, options_type: OPERATOR.optionsType }, 'op');
      const positions = (slot: number, name: string) => {
        const v = this.#vector(op, slot, name, 4, name);
        return v ? Array.from({ length: v.length }, (_, i) => v.start + 4 * i) : [];
      };
      this.map.operators.push({ inputs: positions(OPERATOR.inputs, 'op.inputs'), outputs: positions(OPERATOR.outputs, 'op.outputs') });
      const options = this.#field(op, OPERATOR.options);
      if (options) {
        const table = this.#table(this.#ref(options));
        const vt = table - this.#view.getInt32(table, true);
        for (let slot = 0; 4 + 2 * slot < this.#view.getUint16(vt, true); slot++) {
          const at = this.#field(table, slot);
          if (at) this.#add(this.map.fields, 'options', at);
        }
      }
    }
  }

  /** A table at `pos`: records it and its vtable. */
  #table(pos: number): number {
    this.map.tables.push(pos);
    this.map.vtables.push(pos - this.#view.getInt32(pos, true));
    return pos;
  }

  /** Where field `slot` of the table is stored, or 0 when absent (a default). */
  #field(table: number, slot: number): number {
    const vt = table - this.#view.getInt32(table, true);
    if (4 + 2 * slot >= this.#view.getUint16(vt, true)) return 0;
    const off = this.#view.getUint16(vt + 4 + 2 * slot, true);
    return off ? table + off : 0;
  }

  /** Follows the uoffset at `at`, recording it. */
  #ref(at: number): number {
    this.map.offsets.push(at);
    return at + this.#u32(at);
  }

  /** A vector field: records its length prefix; each element's position is passed to `element`, `width` bytes apart. */
  #vector(table: number, slot: number, name: string, width = 1, elements?: string): { start: number; length: number } | undefined {
    const at = this.#field(table, slot);
    if (!at) return undefined;
    const v = this.#ref(at);
    this.#add(this.map.vectors, name, v);
    const length = this.#u32(v);
    if (v + 4 + length * width > this.bytes.length) throw new RangeError('vector past the end');
    if (elements) for (let i = 0; i < length; i++) this.#add(this.map.fields, elements, v + 4 + i * width);
    return { start: v + 4, length };
  }

  #ints(table: number, slot: number, name: string): void {
    this.#vector(table, slot, name, 4, name);
  }

  /** A vector of tables: their positions. */
  #tables(table: number, slot: number, name: string): number[] {
    const v = this.#vector(table, slot, name);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, i) => this.#table(this.#ref(v.start + 4 * i)));
  }

  #scalars(table: number, slots: Record<string, number>, prefix: string): void {
    for (const [name, slot] of Object.entries(slots)) {
      const at = this.#field(table, slot);
      if (at) this.#add(this.map.fields, `${prefix}.${name}`, at);
    }
  }

  #u32(at: number): number {
    return this.#view.getUint32(at, true);
  }

  #add(m: Map<string, number[]>, key: string, at: number): void {
    const list = m.get(key) ?? [];
    list.push(at);
    m.set(key, list);
  }
}
