import { CondenseError, Tensor, type DType } from '@condense/core';
import type * as Ort from 'onnxruntime-common';

/** What the glue needs of an onnxruntime package (onnxruntime-node and onnxruntime-web each bring their own copy). */
export interface OrtModule {
  Tensor: typeof Ort.Tensor;
  InferenceSession: typeof Ort.InferenceSession;
}

/** condense dtypes onnxruntime tensors can carry, by onnxruntime's name for them. */
const ORT_TYPES: Partial<Record<DType, Ort.Tensor.Type>> = {
  float32: 'float32', float64: 'float64', float16: 'float16', int8: 'int8', uint8: 'uint8', int16: 'int16', uint16: 'uint16',
  int32: 'int32', uint32: 'uint32', int64: 'int64', uint64: 'uint64', bool: 'bool', string: 'string',
};

const BY_ORT_TYPE = new Map(Object.entries(ORT_TYPES).map(([d, o]) => [o, d as DType]));

export function supportsDType(dtype: DType): boolean {
  return dtype in ORT_TYPES;
}

/** A condense tensor as an onnxruntime tensor. Numeric data is copied once: onnxruntime may keep the buffer. */
export function toOrtTensor(ort: OrtModule, t: Tensor, name: string): Ort.Tensor {
  const type = ORT_TYPES[t.dtype];
  if (!type) throw new CondenseError('E_UNSUPPORTED_DTYPE', `Input "${name}" is ${t.dtype}, which onnxruntime tensors cannot carry.`, { context: { value: name } });
  const dims = [...t.shape];
  if (t.dtype === 'string') return new ort.Tensor('string', t.data<'string'>(), dims);
  const data = (t.data() as unknown as { slice(): Ort.Tensor.DataType }).slice();
  return new ort.Tensor(type as 'float32', data as Float32Array, dims);
}

/** An onnxruntime tensor as a condense tensor, viewing its data (no copy). */
export function fromOrtTensor(t: Ort.Tensor, name: string): Tensor {
  const dtype = BY_ORT_TYPE.get(t.type);
  if (!dtype) throw new CondenseError('E_UNSUPPORTED_DTYPE', `Output "${name}" is of onnxruntime type ${t.type}, which condense does not read.`, { context: { value: name } });
  const dims = t.dims.map(Number);
  if (dtype === 'string') return Tensor.fromStrings(dims, t.data as string[]);
  const data = t.data as ArrayBufferView;
  return Tensor.fromBytes(dtype, dims, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}
