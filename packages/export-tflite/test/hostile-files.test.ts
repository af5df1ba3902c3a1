/**
 * The smallest files that reproduce what fuzzing the reader found
 * (tests/reliability/fuzz-tflite.test.ts): each once ended in a TypeError,
 * a RangeError or a message quoting a JavaScript error, and must now end in
 * one CondenseError that names what is wrong.
 */
import { CondenseError } from '@condense/core';
import { describe, expect, it } from 'vitest';
import { ByteBuffer } from 'flatbuffers';
import { BuiltinOperator, Model, Padding, TensorType } from '../src/generated/tflite_generated.js';
import { writeModel } from '../src/flatbuffer/write-model.js';
import { readTflite } from '../src/index.js';
import type { TfliteModel, TfliteTensor } from '../src/tflite-model.js';

function error(bytes: Uint8Array): CondenseError {
  try {
    readTflite(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(CondenseError);
    return e as CondenseError;
  }
  throw new Error('the file was read');
}

const f32 = (name: string, shape: number[], data?: Uint8Array): TfliteTensor => ({ name, type: TensorType.FLOAT32, shape, ...(data ? { data } : {}) });

/** x [1,4,4,2] -> CONV_2D (filter [3,1,1,2], bias [3]) -> y [1,4,4,3]. */
function conv(edit: (m: TfliteModel) => void = () => {}): Uint8Array {
  const model: TfliteModel = {
    description: '',
    tensors: [f32('x', [1, 4, 4, 2]), f32('filter', [3, 1, 1, 2], new Uint8Array(24)), f32('bias', [3], new Uint8Array(12)), f32('y', [1, 4, 4, 3])],
    operators: [{ op: BuiltinOperator.CONV_2D, inputs: [0, 1, 2], outputs: [3], options: { kind: 'conv2d', padding: Padding.VALID, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: 0 } }],
    inputs: [0],
    outputs: [3],
  };
  edit(model);
  return writeModel(model);
}

/** Offset of the first aligned uint32 in `bytes` equal to `value`. */
function findUint32(bytes: Uint8Array, value: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 4 <= bytes.length; at += 4) if (view.getUint32(at, true) === value) return at;
  throw new Error(`no ${value} in the file`);
}

describe('hostile .tflite files', () => {
  it('reads the unmodified model', () => {
    expect(readTflite(conv()).graph.outputs).toHaveLength(1);
  });

  it('refuses a vector whose declared length runs past the end of the file (was a RangeError from a typed-array view)', () => {
    const bytes = conv((m) => (m.tensors[1]!.data = new Uint8Array(24).fill(0xab))).slice();
    // The length prefix of the filter's 24 data bytes: declare 2^31 - 1 instead.
    const at = findUint32(bytes, 0xabababab) - 4;
    new DataView(bytes.buffer).setUint32(at, 2 ** 31 - 1, true);
    expect(error(bytes).message).toMatch(/^Not a valid \.tflite model: .* declares 2147483647 elements of 1 bytes at byte \d+, past the end of the file/);
  });

  it('refuses a field offset that flatbuffers reads as negative (was a RangeError: start offset -20259)', () => {
    const bytes = conv().slice();
    const view = new DataView(bytes.buffer);
    const root = view.getUint32(0, true);
    const vtable = root - view.getInt32(root, true);
    // Model's slot 2 is its subgraphs; 0x9000 is -28672 as the signed 16-bit entry the library reads.
    view.setUint16(vtable + 4 + 2 * 2, 0x9000, true);
    expect(error(bytes).message).toMatch(/^Not a valid \.tflite model: a field of the table at byte \d+ lies before the table \(offset -28672\)/);
  });

  it('refuses a tensor naming a buffer past the end of the buffer list (the accessor read any bytes as a table: RangeError)', () => {
    const bytes = conv().slice();
    const filter = Model.getRootAsModel(new ByteBuffer(bytes)).subgraphs(0)!.tensors(1)!;
    // Tensor's field 2 (vtable entry 8) is its buffer index.
    const at = filter.bb_pos + filter.bb!.__offset(filter.bb_pos, 8);
    new DataView(bytes.buffer).setUint32(at, 1000, true);
    expect(error(bytes).message).toMatch(/tensor "filter" refers to buffer 1000, which does not exist/);
  });

  it('refuses a table whose vtable lies outside the file', () => {
    const bytes = conv().slice();
    const view = new DataView(bytes.buffer);
    const root = view.getUint32(0, true);
    view.setInt32(root, -(2 ** 31), true);
    expect(error(bytes).message).toMatch(/the field table of the model lies at bytes \d+ to \d+, outside the file/);
  });

  it('refuses constant data shorter than type x shape', () => {
    const e = error(conv((m) => (m.tensors[1]!.data = new Uint8Array(20))));
    expect(e.code).toBe('E_MODEL_INVALID');
    expect(e.message).toBe('Not a valid .tflite model: tensor "filter" (FLOAT32, 6 elements) needs 24 bytes of data but its buffer holds 20.');
  });

  it('refuses a weight with no buffer (was a TypeError reading its bytes)', () => {
    expect(error(conv((m) => delete m.tensors[1]!.data)).message).toBe('Not a valid .tflite model: operator 0 (CONV_2D) takes weight "filter" as a constant, but it has no data.');
  });

  it('refuses a stride of 0 (was a RangeError turning NaN pads into int64)', () => {
    const e = error(conv((m) => Object.assign(m.operators[0]!.options!, { strideH: 0 })));
    expect(e.message).toBe('Not a valid .tflite model: operator 0 (CONV_2D) has stride_h 0; it must be at least 1.');
  });

  it('refuses a filter of the wrong rank and an operator missing an input', () => {
    expect(error(conv((m) => (m.tensors[1] = f32('filter', [6], new Uint8Array(24))))).message).toBe('Not a valid .tflite model: operator 0 (CONV_2D) takes a 4-D filter; tensor "filter" has 1 dimensions.');
    expect(error(conv((m) => (m.operators[0]!.inputs = [0]))).message).toMatch(/operator 0 \(CONV_2D\) lacks a tensor it needs/);
  });

  it('refuses a cycle: an operator writing its own input or a graph input', () => {
    expect(error(conv((m) => (m.operators[0]!.outputs = [0]))).message).toBe('Not a valid .tflite model: operator 0 (CONV_2D) writes tensor "x", which a graph input or an earlier operator already holds.');
  });

  it('refuses a float tensor retyped INT64 (was accepted as a graph mixing int64 and float)', () => {
    const e = error(conv((m) => (m.tensors[0]!.type = TensorType.INT64)));
    expect(e.message).toBe('Not a valid .tflite model: operator 0 (CONV_2D) computes on tensor "x" as floats, but it holds INT64 without quantization parameters.');
  });

  it('quotes a hostile name cut to 80 characters', () => {
    const e = error(conv((m) => (m.tensors[1] = { ...f32('w'.repeat(100_000), [3, 1, 1, 2], new Uint8Array(3)) })));
    expect(e.message.length).toBeLessThan(200);
    expect(e.message).toContain(`"${'w'.repeat(77)}..."`);
  });
});
