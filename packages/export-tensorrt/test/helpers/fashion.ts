/** Fashion-MNIST from Debian's dataset-fashion-mnist, and condense's reference CNN trained on it. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { idxImageBatches, idxSamples, parseIdx, top1Accuracy, type Graph, type SampleSource, type Tensor } from '@condense/core';
import { runtime } from './runtime.js';

const DATA = '/usr/share/datasets/fashion-mnist';
export const FASHION_CNN = path.resolve(import.meta.dirname, '../../../../tools/fixtures/fashion-cnn.onnx');

function readIdx(name: string): Tensor {
  return parseIdx(gunzipSync(readFileSync(path.join(DATA, name))), name);
}

/** Training images as calibration batches for the model's input "image". */
export function calibration(batchSize: number): SampleSource {
  return idxSamples(readIdx('train-images-idx3-ubyte.gz'), 'image', batchSize);
}

/** The first `count` test images, one batch ([count, 1, 28, 28] in [0, 1]). */
export function testImages(count: number): Tensor {
  return idxImageBatches(readIdx('t10k-images-idx3-ubyte.gz'), count).next().value!;
}

/** Top-1 accuracy in percent on all 10,000 test images. */
export async function testAccuracy(graph: Graph): Promise<number> {
  const labels = readIdx('t10k-labels-idx1-ubyte.gz').toNumbers();
  const { accuracy } = await top1Accuracy(runtime, graph, 'image', idxImageBatches(readIdx('t10k-images-idx3-ubyte.gz'), 1000), labels);
  return 100 * accuracy;
}
