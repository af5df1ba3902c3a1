/** Fashion-MNIST, from Debian's dataset-fashion-mnist. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { idxImageBatches, idxSamples, parseIdx, type SampleSource, type Tensor } from '@condense/core';

export const FASHION_DATA = '/usr/share/datasets/fashion-mnist';
export const fashionAvailable = () => existsSync(path.join(FASHION_DATA, 't10k-images-idx3-ubyte.gz'));

function readIdx(name: string): Tensor {
  return parseIdx(gunzipSync(readFileSync(path.join(FASHION_DATA, name))), name);
}

/** Training images as calibration batches for the model's input "image". */
export function calibration(batchSize = 32): SampleSource {
  return idxSamples(readIdx('train-images-idx3-ubyte.gz'), 'image', batchSize);
}

/** Test images in batches of `batchSize` ([n, 1, 28, 28], scaled to [0, 1]) with their labels. */
export function* testBatches(batchSize: number, limit = Infinity): Generator<{ images: Float32Array; shape: number[]; labels: number[] }> {
  const labels = readIdx('t10k-labels-idx1-ubyte.gz').toNumbers();
  let start = 0;
  for (const batch of idxImageBatches(readIdx('t10k-images-idx3-ubyte.gz'), batchSize)) {
    if (start >= limit) return;
    yield { images: batch.data() as Float32Array, shape: [...batch.shape], labels: labels.slice(start, start + batch.shape[0]!) };
    start += batch.shape[0]!;
  }
}

/** Index of the largest of each row of `classes` values. */
export function argmaxRows(logits: ArrayLike<number>, classes: number): number[] {
  const rows = logits.length / classes;
  return Array.from({ length: rows }, (_, r) => {
    let best = 0;
    for (let k = 1; k < classes; k++) if (logits[r * classes + k]! > logits[r * classes + best]!) best = k;
    return best;
  });
}
