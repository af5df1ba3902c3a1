import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { idxImageBatches, parseIdx, type Model, type Runtime, type SampleSource, type Tensor } from '@condense/core';

export const FASHION = '/usr/share/datasets/fashion-mnist';
export const FASHION_CNN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'tools', 'fixtures', 'fashion-cnn.onnx');

export function readIdx(name: string): Tensor {
  return parseIdx(gunzipSync(readFileSync(path.join(FASHION, name))), name);
}

/** Training images as calibration batches for the model's input "image". */
export function calibration(batchSize = 32): SampleSource {
  const images = readIdx('train-images-idx3-ubyte.gz');
  return {
    async *[Symbol.asyncIterator]() {
      for (const batch of idxImageBatches(images, batchSize)) yield { image: batch };
    },
  };
}

/** Top-1 accuracy on the 10,000 test images. */
export async function testAccuracy(model: Model, runtime: Runtime): Promise<number> {
  const images = readIdx('t10k-images-idx3-ubyte.gz');
  const labels = readIdx('t10k-labels-idx1-ubyte.gz').toNumbers();
  const session = await runtime.createSession(model.graph);
  let seen = 0;
  let correct = 0;
  try {
    for (const batch of idxImageBatches(images, 500)) {
      const logits = Object.values(await session.run({ image: batch }))[0]!.data<'float32'>();
      for (let i = 0; i < batch.shape[0]!; i++) {
        let best = 0;
        for (let c = 1; c < 10; c++) if (logits[i * 10 + c]! > logits[i * 10 + best]!) best = c;
        if (best === labels[seen + i]) correct++;
      }
      seen += batch.shape[0]!;
    }
  } finally {
    await session.release();
  }
  return (100 * correct) / seen;
}
