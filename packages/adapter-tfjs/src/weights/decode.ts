import { CondenseError, Tensor, elementCount, float16BitsToNumber } from '@condense/core';
import type { WeightSpec, WeightsManifestGroup } from '../model-json.js';

/** Weight shard bytes: one buffer (all shards back to back, as tfjs's ModelArtifacts.weightData), the shards in manifest order, or the shards by path. */
export type WeightData = ArrayBuffer | Uint8Array | ReadonlyArray<ArrayBuffer | Uint8Array> | Readonly<Record<string, ArrayBuffer | Uint8Array>>;

const bytesOf = (b: ArrayBuffer | Uint8Array): Uint8Array => (b instanceof Uint8Array ? b : new Uint8Array(b));

/** Every shard of the manifest, in order, as one byte array (weights may straddle shard boundaries). */
export function concatShards(manifest: readonly WeightsManifestGroup[], data: WeightData): Uint8Array {
  let parts: Uint8Array[];
  if (data instanceof ArrayBuffer || data instanceof Uint8Array) parts = [bytesOf(data)];
  else if (Array.isArray(data)) parts = (data as ReadonlyArray<ArrayBuffer | Uint8Array>).map(bytesOf);
  else {
    const byPath = data as Readonly<Record<string, ArrayBuffer | Uint8Array>>;
    parts = manifest.flatMap((g) =>
      g.paths.map((p) => {
        const shard = byPath[p];
        if (!shard) throw new CondenseError('E_FILE_NOT_FOUND', `Weight shard "${p}" named by the weights manifest was not given.`, { context: { file: p } });
        return bytesOf(shard);
      }),
    );
  }
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** Bytes one stored element of `spec` takes. */
function storedWidth(spec: WeightSpec): number {
  if (spec.quantization) return spec.quantization.dtype === 'uint8' ? 1 : 2;
  switch (spec.dtype) {
    case 'float32':
    case 'int32':
      return 4;
    case 'bool':
      return 1;
    default:
      throw new CondenseError('E_UNSUPPORTED_DTYPE', `Weight "${spec.name}" is ${spec.dtype}; condense reads float32, int32 and bool weights.`, { context: { value: spec.name } });
  }
}

/** Reads little-endian stored elements at any alignment. */
function storedValues(bytes: Uint8Array, count: number, width: number): ArrayLike<number> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = width === 1 ? view.getUint8(i) : width === 2 ? view.getUint16(i * 2, true) : view.getUint32(i * 4, true);
  return out;
}

/**
 * One weight as tfjs's loader decodes it: uint8/uint16 weights become
 * min + scale * q, computed in float64 and rounded once to float32 (or to the
 * nearest integer for int32); float16 weights widen exactly.
 */
function decodeWeight(spec: WeightSpec, bytes: Uint8Array): Tensor {
  const count = elementCount(spec.shape);
  const q = spec.quantization;
  if (q?.dtype === 'float16') {
    const bits = storedValues(bytes, count, 2);
    return Tensor.from('float32', spec.shape, Float32Array.from({ length: count }, (_, i) => float16BitsToNumber(bits[i]!)));
  }
  if (q) {
    const stored = storedValues(bytes, count, q.dtype === 'uint8' ? 1 : 2);
    const value = (i: number) => stored[i]! * q.scale + q.min;
    if (spec.dtype === 'int32') return Tensor.from('int32', spec.shape, Int32Array.from({ length: count }, (_, i) => Math.round(value(i))));
    return Tensor.from('float32', spec.shape, Float32Array.from({ length: count }, (_, i) => value(i)));
  }
  if (spec.dtype === 'bool') return Tensor.from('bool', spec.shape, new Uint8Array(bytes.slice(0, count)).map((b) => (b ? 1 : 0)));
  // A copy, aligned, so later views are zero-copy.
  return Tensor.fromBytes(spec.dtype === 'int32' ? 'int32' : 'float32', spec.shape, bytes.slice());
}

/** The weights of a manifest by name, decoded from their shards. */
export function decodeWeights(manifest: readonly WeightsManifestGroup[], data: WeightData): Map<string, Tensor> {
  const bytes = concatShards(manifest, data);
  const out = new Map<string, Tensor>();
  let at = 0;
  for (const spec of manifest.flatMap((g) => g.weights)) {
    const length = elementCount(spec.shape) * storedWidth(spec);
    if (at + length > bytes.byteLength) {
      throw new CondenseError('E_MODEL_INVALID', `The weight shards hold ${bytes.byteLength} bytes; weight "${spec.name}" needs bytes ${at} to ${at + length}. Give every shard the manifest names, in order.`, { context: { value: spec.name } });
    }
    out.set(spec.name, decodeWeight(spec, bytes.subarray(at, at + length)));
    at += length;
  }
  return out;
}
