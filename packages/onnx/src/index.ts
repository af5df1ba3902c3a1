/**
 * ONNX models in and out of the condense IR, from and to bytes, so it runs in
 * browsers too; `@condense/onnx/node` adds files, external data and atomic saves.
 *
 * @packageDocumentation
 */
export { decodeModel, type DecodeOptions } from './read/model.js';
export { tensorFromProto, type ExternalDataRef, type ExternalDataResolver } from './read/tensor.js';
export type { TensorReadOptions } from './read/tensor.js';
export { decodeTensor } from './read/tensor-file.js';
export {
  encodeModel,
  encodeModelBytes,
  concatChunks,
  PROTOBUF_LIMIT,
  type ChunkList,
  type EncodeOptions,
  type EncodedModel,
  type ExternalDataOptions,
} from './write/encode.js';
