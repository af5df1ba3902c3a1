import { CondenseError, type Model, type Value } from '@condense/core';
import { BinaryWriter, DataLocation, GraphProtoSchema, ModelProtoSchema, StringStringEntryProtoSchema, TensorProtoSchema, WireType, create, toBinary } from '../proto.js';
import { graphToProto, modelHeaderProto, tensorToProto } from './proto.js';

/** Field numbers the framing writes by hand around protobuf-encoded parts. */
const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_RAW_DATA = 9;
/** Protobuf messages cannot exceed 2 GiB. */
export const PROTOBUF_LIMIT = 2 ** 31 - 1;
const EXTERNAL_ALIGN = 4096;

/** Where and from what size tensors go to an external data file. */
export interface ExternalDataOptions {
  /** File name of the data file, beside the model (no folders). */
  location: string;
  /** Tensors with fewer bytes than this stay inside the model file. Default 1024. */
  threshold?: number;
}

/** Options of {@link encodeModel}. */
export interface EncodeOptions {
  /** Write large tensors to a separate data file instead of inside the model. */
  externalData?: ExternalDataOptions;
}

/** An encoded file as the list of byte ranges to write in order (many are views of the model's own weights). */
export interface ChunkList {
  /** The byte ranges, in file order. */
  chunks: Uint8Array[];
  /** Their total length: the file's size. */
  byteLength: number;
}

/** The model file's chunks and, with external data, the data file's. */
export interface EncodedModel extends ChunkList {
  /** The external data file, when externalData was asked for. */
  external?: ChunkList & { location: string };
}

function frame(field: number, length: number): Uint8Array {
  return new BinaryWriter().tag(field, WireType.LengthDelimited).uint32(length).finish();
}

/**
 * Encodes a model as chunks: protobuf-encoded headers around the weights'
 * original bytes, so saving costs no copy of the weights (write them with a
 * gathered write). Initializer raw data is framed here by hand; everything else
 * is encoded by the generated schema code.
 */
export function encodeModel(model: Model, opts: EncodeOptions = {}): EncodedModel {
  const header = toBinary(ModelProtoSchema, modelHeaderProto(model));
  const graphHead = toBinary(GraphProtoSchema, graphToProto(model.graph, { initializers: false }));
  const external = opts.externalData && { location: opts.externalData.location, chunks: [] as Uint8Array[], byteLength: 0 };
  const threshold = opts.externalData?.threshold ?? 1024;
  const initializers: Uint8Array[] = [];
  let initBytes = 0;
  for (const v of model.graph.constants()) {
    const parts = external && v.const!.dtype !== 'string' && v.const!.byteLength >= threshold ? externalInitializer(v, external) : inlineInitializer(v);
    for (const p of parts) {
      initializers.push(p);
      initBytes += p.byteLength;
    }
  }
  const graphLength = graphHead.byteLength + initBytes;
  const total = header.byteLength + graphLength + 10;
  if (total > PROTOBUF_LIMIT) {
    throw new CondenseError('E_MODEL_TOO_LARGE', `The model needs ${total} bytes, over protobuf's 2 GiB limit for one file. Save it with external data (saveModel's externalData option, or condense's --external-data).`);
  }
  const chunks = [header, frame(MODEL_GRAPH, graphLength), graphHead, ...initializers];
  return { chunks, byteLength: chunks.reduce((n, c) => n + c.byteLength, 0), external };
}

function inlineInitializer(v: Value): Uint8Array[] {
  const t = v.const!;
  if (t.dtype === 'string') {
    const bytes = toBinary(TensorProtoSchema, tensorToProto(t, v, { withData: true }));
    return [frame(GRAPH_INITIALIZER, bytes.byteLength), bytes];
  }
  const head = toBinary(TensorProtoSchema, tensorToProto(t, v, { withData: false }));
  const data = t.bytes();
  const dataFrame = frame(TENSOR_RAW_DATA, data.byteLength);
  return [frame(GRAPH_INITIALIZER, head.byteLength + dataFrame.byteLength + data.byteLength), head, dataFrame, data];
}

function externalInitializer(v: Value, file: ChunkList & { location: string }): Uint8Array[] {
  const t = v.const!;
  const padding = (EXTERNAL_ALIGN - (file.byteLength % EXTERNAL_ALIGN)) % EXTERNAL_ALIGN;
  if (padding) {
    file.chunks.push(new Uint8Array(padding));
    file.byteLength += padding;
  }
  const offset = file.byteLength;
  const data = t.bytes();
  file.chunks.push(data);
  file.byteLength += data.byteLength;
  const proto = tensorToProto(t, v, { withData: false });
  proto.dataLocation = DataLocation.EXTERNAL;
  proto.externalData = [
    ['location', file.location],
    ['offset', String(offset)],
    ['length', String(data.byteLength)],
  ].map(([key, value]) => create(StringStringEntryProtoSchema, { key: key!, value: value! }));
  const bytes = toBinary(TensorProtoSchema, proto);
  return [frame(GRAPH_INITIALIZER, bytes.byteLength), bytes];
}

/** The whole model in one buffer (for runtimes that take bytes). */
export function encodeModelBytes(model: Model): Uint8Array {
  return concatChunks(encodeModel(model));
}

/** Joins a chunk list into one buffer (one copy of everything). */
export function concatChunks(list: ChunkList): Uint8Array {
  const out = new Uint8Array(list.byteLength);
  let offset = 0;
  for (const c of list.chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
