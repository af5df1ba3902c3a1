import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { idxImageBatches, idxSamples, parseIdx, top1Accuracy, type Model, type Runtime, type SampleSource, type Tensor } from '@condense/core';

export const FASHION = '/usr/share/datasets/fashion-mnist';
export const FASHION_CNN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'tools', 'fixtures', 'fashion-cnn.onnx');

export function readIdx(name: string): Tensor {
  return parseIdx(gunzipSync(readFileSync(path.join(FASHION, name))), name);
}

/** Training images as calibration batches for the model's input "image". */
export function calibration(batchSize = 32): SampleSource {
  return idxSamples(readIdx('train-images-idx3-ubyte.gz'), 'image', batchSize);
}

/** Top-1 accuracy (percent) on the 10,000 test images. */
export async function testAccuracy(model: Model, runtime: Runtime): Promise<number> {
  const images = readIdx('t10k-images-idx3-ubyte.gz');
  const labels = readIdx('t10k-labels-idx1-ubyte.gz').toNumbers();
  return 100 * (await top1Accuracy(runtime, model.graph, 'image', idxImageBatches(images, 500), labels)).accuracy;
}
