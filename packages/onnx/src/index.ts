export { decodeModel, type DecodeOptions } from './read/model.js';
export { tensorFromProto, type ExternalDataRef, type ExternalDataResolver } from './read/tensor.js';
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
