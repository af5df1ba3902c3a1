import { invalidTflite } from './errors.js';

/** vtable slots of the fields the reader follows (TFLite schema v3). */
const MODEL = { operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4 };
const SUBGRAPH = { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 };
const TENSOR = { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4 };
const QUANT = { scale: 2, zeroPoint: 3, dimension: 6 };
const OPERATOR = { opcodeIndex: 0, inputs: 1, outputs: 2, optionsType: 3, options: 4 };
const OPCODE = { deprecated: 0, customCode: 1, version: 2, builtin: 3 };
const BUFFER = { data: 0, offset: 1 };
/** The one options table the reader reads a vector from (new_shape, slot 0). */
const RESHAPE_OPTIONS = 17;

/**
 * Checks, before any accessor reads it, that every part of a .tflite file
 * the reader follows lies inside the file: each table and its vtable, each
 * field, each offset's target, and each vector's declared length times its
 * element size (and that vectors of 4- and 8-byte elements are aligned, as
 * typed-array views need). The flatbuffers library trusts all of these, so
 * a file that lies about one would otherwise be read past its end or sized
 * by its own numbers. The schema's nesting is fixed, so the walk is bounded
 * by the file's size.
 */
export function verifyFlatbuffer(bytes: Uint8Array): void {
  const v = new Verifier(bytes);
  const model = v.table(v.u32(0, 'the root offset'), 'the model');
  v.scalar(model, 0, 4, 'the schema version');
  v.vectorOf(model, MODEL.description, 1, 'the description');
  for (const code of v.tables(model, MODEL.operatorCodes, 'operator code')) {
    v.scalar(code, OPCODE.deprecated, 1, 'an operator code');
    v.scalar(code, OPCODE.version, 4, 'an operator version');
    v.scalar(code, OPCODE.builtin, 4, 'an operator code');
    v.vectorOf(code, OPCODE.customCode, 1, 'a custom operator name');
  }
  for (const buffer of v.tables(model, MODEL.buffers, 'buffer')) {
    v.vectorOf(buffer, BUFFER.data, 1, 'a buffer');
    v.scalar(buffer, BUFFER.offset, 8, 'a buffer offset');
  }
  for (const graph of v.tables(model, MODEL.subgraphs, 'subgraph')) {
    v.vectorOf(graph, SUBGRAPH.inputs, 4, 'the subgraph inputs');
    v.vectorOf(graph, SUBGRAPH.outputs, 4, 'the subgraph outputs');
    v.vectorOf(graph, SUBGRAPH.name, 1, 'the subgraph name');
    for (const tensor of v.tables(graph, SUBGRAPH.tensors, 'tensor')) {
      v.vectorOf(tensor, TENSOR.shape, 4, 'a tensor shape');
      v.scalar(tensor, TENSOR.type, 1, 'a tensor type');
      v.scalar(tensor, TENSOR.buffer, 4, 'a tensor buffer index');
      v.vectorOf(tensor, TENSOR.name, 1, 'a tensor name');
      const q = v.child(tensor, TENSOR.quantization, 'quantization parameters');
      if (q !== undefined) {
        v.vectorOf(q, QUANT.scale, 4, 'quantization scales');
        v.vectorOf(q, QUANT.zeroPoint, 8, 'quantization zero points');
        v.scalar(q, QUANT.dimension, 4, 'a quantized dimension');
      }
    }
    for (const op of v.tables(graph, SUBGRAPH.operators, 'operator')) {
      v.scalar(op, OPERATOR.opcodeIndex, 4, 'an opcode index');
      v.vectorOf(op, OPERATOR.inputs, 4, 'operator inputs');
      v.vectorOf(op, OPERATOR.outputs, 4, 'operator outputs');
      v.scalar(op, OPERATOR.optionsType, 1, 'an options type');
      const options = v.child(op, OPERATOR.options, 'operator options');
      if (options === undefined && v.byte(op, OPERATOR.optionsType) !== 0) throw invalidTflite(`operator ${v.index(op)} declares builtin options but has none`);
      if (options !== undefined && v.byte(op, OPERATOR.optionsType) === RESHAPE_OPTIONS) v.vectorOf(options, 0, 4, 'a reshape target shape');
      // Options fields are scalars of up to 4 bytes; each must lie inside its table.
      if (options !== undefined) for (let slot = 0; slot < v.slots(options); slot++) v.scalar(options, slot, 1, 'an operator option');
    }
  }
}

class Verifier {
  readonly #view: DataView;
  readonly #length: number;
  readonly #order = new Map<number, number>();

  constructor(bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#length = bytes.byteLength;
  }

  u32(at: number, what: string): number {
    this.#inside(at, 4, what);
    return this.#view.getUint32(at, true);
  }

  /** A table at `at`: its vtable and declared size must lie inside the file. Returns `at`. */
  table(at: number, what: string): number {
    this.#inside(at, 4, what);
    const vtable = at - this.#view.getInt32(at, true);
    this.#inside(vtable, 4, `the field table of ${what}`);
    // flatbuffers' reader takes vtable entries as signed 16-bit numbers: anything from 0x8000 up would be read as negative.
    const size = this.#view.getInt16(vtable, true);
    if (size < 4 || size % 2) throw invalidTflite(`the field table of ${what} declares ${size} bytes`);
    this.#inside(vtable, size, `the field table of ${what}`);
    this.#inside(at, this.#view.getUint16(vtable + 2, true), what);
    return at;
  }

  /** Number of field slots a table's vtable lists. */
  slots(table: number): number {
    const vtable = table - this.#view.getInt32(table, true);
    return (this.#view.getUint16(vtable, true) - 4) / 2;
  }

  /** Where field `slot` is stored, or undefined when absent (its default applies). */
  field(table: number, slot: number): number | undefined {
    const vtable = table - this.#view.getInt32(table, true);
    if (4 + 2 * slot >= this.#view.getUint16(vtable, true)) return undefined;
    const offset = this.#view.getInt16(vtable + 4 + 2 * slot, true);
    if (offset < 0) throw invalidTflite(`a field of the table at byte ${table} lies before the table (offset ${offset})`);
    return offset ? table + offset : undefined;
  }

  /** An unsigned byte field (0 when absent). */
  byte(table: number, slot: number): number {
    const at = this.field(table, slot);
    return at === undefined ? 0 : this.#view.getUint8(at);
  }

  /** Which element of its list a table is, for messages. */
  index(table: number): number {
    return this.#order.get(table) ?? -1;
  }

  scalar(table: number, slot: number, width: number, what: string): void {
    const at = this.field(table, slot);
    if (at !== undefined) this.#inside(at, width, what);
  }

  /** The target of an offset field. */
  #follow(table: number, slot: number, what: string): number | undefined {
    const at = this.field(table, slot);
    if (at === undefined) return undefined;
    return at + this.u32(at, `the offset of ${what}`);
  }

  child(table: number, slot: number, what: string): number | undefined {
    const at = this.#follow(table, slot, what);
    return at === undefined ? undefined : this.table(at, what);
  }

  /** A vector field of `width`-byte elements: its declared length must fit in the bytes that follow it. */
  vectorOf(table: number, slot: number, width: number, what: string): { start: number; length: number } | undefined {
    const at = this.#follow(table, slot, what);
    if (at === undefined) return undefined;
    const length = this.u32(at, `the length of ${what}`);
    const start = at + 4;
    if (length * width > this.#length - Math.min(start, this.#length)) {
      throw invalidTflite(`${what} declares ${length} elements of ${width} bytes at byte ${start}, past the end of the file (${this.#length} bytes)`);
    }
    if (width > 1 && start % width) throw invalidTflite(`${what} at byte ${start} is not aligned to ${width} bytes`);
    return { start, length };
  }

  /** A vector of tables: each element's offset and table checked. */
  tables(table: number, slot: number, what: string): number[] {
    const v = this.vectorOf(table, slot, 4, `the ${what} list`);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, i) => {
      const at = v.start + 4 * i;
      const t = this.table(at + this.#view.getUint32(at, true), `${what} ${i}`);
      this.#order.set(t, i);
      return t;
    });
  }

  #inside(at: number, width: number, what: string): void {
    if (at < 0 || at + width > this.#length) throw invalidTflite(`${what} lies at bytes ${at} to ${at + width}, outside the file (${this.#length} bytes)`);
  }
}
