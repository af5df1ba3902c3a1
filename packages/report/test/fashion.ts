/** The bundled Fashion-MNIST CNN, compressed with a preset, and Debian's Fashion-MNIST test images. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { compress, createRegistry, idxImageBatches, parseIdx, type CompressResult, type Model, type Tensor } from '@condense/core';
import { decodeModel } from '@condense/onnx';

export const FASHION = '/usr/share/datasets/fashion-mnist';
export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'tools', 'fixtures');
export const FASHION_CNN = path.join(FIXTURES, 'fashion-cnn.onnx');
export const hasFashion = existsSync(FASHION);

export function readIdx(name: string): Tensor {
  return parseIdx(gunzipSync(readFileSync(path.join(FASHION, name))), name);
}

/** The first `count` test images as batches for the input "image", and their labels. */
export function testImages(count: number, batchSize = 100): { batches: Tensor[]; labels: number[] } {
  const batches = [...idxImageBatches(readIdx('t10k-images-idx3-ubyte.gz'), batchSize)].slice(0, Math.ceil(count / batchSize));
  return { batches, labels: readIdx('t10k-labels-idx1-ubyte.gz').toNumbers().slice(0, count) };
}

/**
 * The original model and a compressed copy (both decoded from the same
 * bytes, so the original stays untouched); `edit` runs on both first.
 */
export async function compressed(file: string, preset: string, edit: (m: Model) => void = () => {}): Promise<{ before: Model; after: Model; result: CompressResult; bytes: Uint8Array }> {
  const bytes = readFileSync(file);
  const [before, after] = [decodeModel(bytes), decodeModel(bytes)];
  edit(before);
  edit(after);
  const result = await compress(after, { preset }, { registry: createRegistry() });
  return { before, after, result, bytes };
}
