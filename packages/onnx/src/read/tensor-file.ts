import { CondenseError, type Tensor } from '@condense/core';
import { TensorProtoSchema, fromBinary, type TensorProto } from '../proto.js';
import { tensorFromProto } from './tensor.js';

/** A serialized TensorProto (ONNX test data, input_0.pb) as a named Tensor. */
export function decodeTensor(bytes: Uint8Array): { name: string; tensor: Tensor } {
  let proto: TensorProto;
  try {
    proto = fromBinary(TensorProtoSchema, bytes, { readUnknownFields: false });
  } catch (e) {
    throw new CondenseError('E_ONNX_PARSE', `Not a serialized ONNX tensor: ${(e as Error).message}`, { cause: e });
  }
  return { name: proto.name, tensor: tensorFromProto(proto) };
}
