import { CondenseError, Tensor, arrayCtorOf, byteLengthOf, dtypeBits, dtypeFromCode, elementCount, type DType } from '@condense/core';
import { DataLocation, type TensorProto } from '../proto.js';
import { quoted, shapeText } from './names.js';

/** Where an external tensor's bytes are, as the file declares them. */
export interface ExternalDataRef {
  /** The tensor's name. */
  tensor: string;
  /** The data file, relative to the model's folder, as written in the model. */
  location: string;
  /** Where the tensor's bytes start in that file. */
  offset: number;
  /** Declared length; undefined means "to the end of the file". */
  length: number | undefined;
}

/**
 * Resolves an external-data reference to a loader, or throws. The node entry
 * point supplies one rooted at the model's folder; in a browser there is none.
 */
export type ExternalDataResolver = (ref: ExternalDataRef, byteLength: number) => () => Uint8Array;

/** How tensors stored outside the model file are found. */
export interface TensorReadOptions {
  /** Turns a reference into a loader; without one, a model with external data is refused (E_EXTERNAL_DATA). */
  externalData?: ExternalDataResolver;
}

export function dtypeOfCode(code: number, what: string): DType {
  const dtype = dtypeFromCode(code);
  if (!dtype) {
    throw new CondenseError('E_UNSUPPORTED_DTYPE', `${what} has element type code ${code}, which is not an ONNX tensor type this version knows.`);
  }
  return dtype;
}

/** A TensorProto as a Tensor: raw_data is viewed, not copied; typed fields are converted. */
export function tensorFromProto(t: TensorProto, opts: TensorReadOptions = {}): Tensor {
  const what = `Tensor ${quoted(t.name)}`;
  const dtype = dtypeOfCode(t.dataType, what);
  const shape = t.dims.map((d) => {
    const n = Number(d);
    if (!Number.isSafeInteger(n) || n < 0) throw new CondenseError('E_ONNX_PARSE', `${what} has an invalid dimension ${d}.`);
    return n;
  });
  if (t.segment) throw new CondenseError('E_ONNX_PARSE', `${what} is stored in segments, which condense does not read.`);
  const count = elementCount(shape);
  if (t.dataLocation === DataLocation.EXTERNAL) {
    if (!opts.externalData) {
      throw new CondenseError('E_EXTERNAL_DATA', `${what} keeps its data in an external file; load the model from a file path so condense can find it.`);
    }
    const entries = new Map(t.externalData.map((e) => [e.key, e.value]));
    const location = entries.get('location');
    if (!location) throw new CondenseError('E_EXTERNAL_DATA', `${what} is external but names no location.`);
    const ref = { tensor: t.name, location, offset: parseCount(entries.get('offset') ?? '0', what), length: entries.has('length') ? parseCount(entries.get('length')!, what) : undefined };
    return Tensor.lazy(dtype, shape, opts.externalData(ref, byteLengthOf(dtype, count)));
  }
  // Declared size against what the file holds, before anything is built from it.
  const holds = (amount: number, unit: string, needed: number) => {
    if (amount !== needed) throw new CondenseError('E_MODEL_INVALID', `${what} declares shape ${shapeText(shape)} (${count} ${dtype} elements, ${needed} ${unit}) but holds ${amount} ${unit}.`);
  };
  if (dtype === 'string') {
    holds(t.stringData.length, 'strings', count);
    return Tensor.fromStrings(shape, t.stringData);
  }
  const bytes = t.rawData.byteLength > 0 || count === 0 ? t.rawData : typedFieldBytes(t, dtype, what);
  holds(bytes.byteLength, 'bytes', byteLengthOf(dtype, count));
  return Tensor.fromBytes(dtype, shape, bytes);
}

function parseCount(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new CondenseError('E_EXTERNAL_DATA', `${what} has an invalid external offset or length ${quoted(text)}.`);
  return n;
}

/** Bytes in raw layout from the type-specific repeated fields (float_data, int32_data, ...). */
function typedFieldBytes(t: TensorProto, dtype: DType, what: string): Uint8Array {
  const bits = dtypeBits(dtype);
  let values: ArrayLike<number> | ArrayLike<bigint>;
  if (dtype === 'float32' || dtype === 'complex64') values = t.floatData;
  else if (dtype === 'float64' || dtype === 'complex128') values = t.doubleData;
  else if (dtype === 'int64') values = t.int64Data;
  else if (dtype === 'uint32' || dtype === 'uint64') values = dtype === 'uint32' ? t.uint64Data.map(Number) : t.uint64Data;
  else values = t.int32Data;
  if (values.length === 0) throw new CondenseError('E_ONNX_PARSE', `${what} has no data.`);
  if (bits < 8) {
    // Sub-byte types keep one packed byte per int32_data entry.
    return Uint8Array.from(values as ArrayLike<number>, (v) => v & 0xff);
  }
  const Ctor = arrayCtorOf(dtype)!;
  const array = new Ctor(values.length);
  (array as unknown as { set(v: ArrayLike<unknown>): void }).set(values as ArrayLike<unknown>);
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}
