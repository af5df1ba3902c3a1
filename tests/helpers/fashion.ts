import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { compareModels, idxImageBatches, idxSamples, parseIdx, top1Accuracy, type Fidelity, type Model, type Runtime, type SampleSource, type Tensor } from '@condense/core';
import { cpuRuntime } from '@condense/adapter-cpu';
import { wasmRuntime } from '@condense/adapter-wasm';

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

/**
 * The same model in onnxruntime-web (WASM) against onnxruntime-node on 500 test
 * images: integer and float kernels may round differently, so callers compare
 * predictions, not bits.
 */
export async function fashionInWasm(model: Model): Promise<Fidelity> {
  const samples = idxSamples(readIdx('t10k-images-idx3-ubyte.gz'), 'image', 100);
  return compareModels(cpuRuntime(), model.graph, model.graph, samples, { maxSamples: 500, candidateRuntime: wasmRuntime() });
}
