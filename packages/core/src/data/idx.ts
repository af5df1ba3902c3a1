import { CondenseError } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import type { SampleSource } from '../runtime.js';
import { Tensor, elementCount } from '../tensor/tensor.js';

/** IDX element types (the MNIST file format) by their type byte. */
const IDX_TYPES: Record<number, { dtype: DType; bytes: number; read: (v: DataView, o: number) => number }> = {
  0x08: { dtype: 'uint8', bytes: 1, read: (v, o) => v.getUint8(o) },
  0x09: { dtype: 'int8', bytes: 1, read: (v, o) => v.getInt8(o) },
  0x0b: { dtype: 'int16', bytes: 2, read: (v, o) => v.getInt16(o) },
  0x0c: { dtype: 'int32', bytes: 4, read: (v, o) => v.getInt32(o) },
  0x0d: { dtype: 'float32', bytes: 4, read: (v, o) => v.getFloat32(o) },
  0x0e: { dtype: 'float64', bytes: 8, read: (v, o) => v.getFloat64(o) },
};

/**
 * Parses an uncompressed IDX file (MNIST and Fashion-MNIST images and labels).
 * The declared dimensions are checked against the bytes present before
 * anything is allocated.
 */
export function parseIdx(bytes: Uint8Array, what = 'IDX data'): Tensor {
  const fail = (why: string) => new CondenseError('E_BAD_OPTION', `${what} is not a valid IDX file: ${why}.`);
  if (bytes.byteLength < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw fail('it does not start with the IDX magic number (00 00 type rank)');
  const type = IDX_TYPES[bytes[2]!];
  if (!type) throw fail(`element type 0x${bytes[2]!.toString(16)} is unknown`);
  const rank = bytes[3]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = 4 + 4 * rank;
  if (rank === 0 || bytes.byteLength < header) throw fail(`its header declares ${rank} dimensions but is cut short`);
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const count = elementCount(shape);
  if (bytes.byteLength - header !== count * type.bytes) {
    throw fail(`dimensions [${shape.join(', ')}] need ${count * type.bytes} bytes of data but it holds ${bytes.byteLength - header}`);
  }
  if (type.bytes === 1) return Tensor.fromBytes(type.dtype, shape, bytes.subarray(header));
  // IDX is big-endian; tensors are little-endian.
  const values = Array.from({ length: count }, (_, i) => type.read(view, header + i * type.bytes));
  return Tensor.from(type.dtype, shape, values);
}

/**
 * Image batches from an IDX image tensor [N, H, W], scaled to [0, 1] (uint8 / 255)
 * and shaped for a model input of the given rank: 4 -> [n, 1, H, W] (NCHW),
 * 3 -> [n, H, W], 2 -> [n, H*W].
 */
export function* idxImageBatches(images: Tensor, batchSize: number, inputRank = 4, scale = 1 / 255): Generator<Tensor> {
  if (images.rank !== 3) throw new CondenseError('E_BAD_OPTION', `IDX images must be [N, height, width]; these are [${images.shape.join(', ')}].`);
  const [n, h, w] = images.shape as [number, number, number];
  // A typed view, not a copy: 60,000 images stay one uint8 buffer while batches are made.
  const pixels = images.data() as ArrayLike<number>;
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const data = new Float32Array(count * h * w);
    for (let i = 0; i < data.length; i++) data[i] = pixels[start * h * w + i]! * scale;
    const shape = inputRank === 4 ? [count, 1, h, w] : inputRank === 3 ? [count, h, w] : [count, h * w];
    yield Tensor.from('float32', shape, data);
  }
}

/** IDX images as a replayable sample source feeding `input` (calibration data). */
export function idxSamples(images: Tensor, input: string, batchSize = 32, inputRank = 4): SampleSource {
  return {
    async *[Symbol.asyncIterator]() {
      for (const batch of idxImageBatches(images, batchSize, inputRank)) yield { [input]: batch };
    },
  };
}
