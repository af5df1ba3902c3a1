/**
 * TFLite seeds: the repository's fixture CNNs (tiny-cnn, fashion-cnn) as
 * condense's exporter writes them: float32, float16 weights, int8 weights
 * (through DEQUANTIZE and for the hybrid kernels) and full-integer int8
 * (calibrated on noise), NHWC and NCHW boundaries.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuRuntime } from '@condense/adapter-cpu';
import { Tensor, compress, createRegistry, type Model, type SampleSource } from '@condense/core';
import { decodeModel } from '@condense/onnx';
import { exportTflite, type ExportTfliteOptions } from '@condense/export-tflite';
import { uniform } from '../../../helpers/models.js';
import type { FuzzSeed } from '../target.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../tools/fixtures');
export const TFLITE_FILE = 'model.tflite';

export const fixture = (name: string): Model => decodeModel(readFileSync(path.join(FIXTURES, `${name}.onnx`)));

/** Noise images for the fixtures' one input ("image", 1x28x28). */
export function noiseImages(count: number): SampleSource {
  return {
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < count; i++) yield { image: Tensor.from('float32', [2, 1, 28, 28], uniform([2, 1, 28, 28], 40 + i, 0, 1)) };
    },
  };
}

async function compressed(name: string, preset: string): Promise<Model> {
  const model = fixture(name);
  await compress(model, { preset, options: preset === 'int8' ? { 'quantize-static': { maxSamples: 8, layerReport: 0, biasCorrectionSamples: 4 } } : {} }, { registry: createRegistry(), runtime: cpuRuntime({ threads: 1 }), samples: noiseImages(4) });
  return model;
}

export async function tfliteSeeds(): Promise<FuzzSeed[]> {
  const seeds: FuzzSeed[] = [];
  const add = (name: string, weight: number, model: Model, options: ExportTfliteOptions = {}) =>
    seeds.push({ name, weight, input: { main: TFLITE_FILE, files: new Map([[TFLITE_FILE, exportTflite(model, options)]]) } });
  for (const name of ['tiny-cnn', 'fashion-cnn']) {
    // fashion-cnn's 460k weights are transposed on every read that gets that far: fewer cases keep the CI run short.
    const w = name === 'tiny-cnn' ? 2 : 0.4;
    add(`${name} float32`, w, fixture(name));
    add(`${name} float32 nchw`, w / 2, fixture(name), { layout: 'nchw' });
    add(`${name} float16`, w, fixture(name), { weights: 'float16' });
    const int8Weights = await compressed(name, 'int8-weights');
    add(`${name} int8 weights`, w / 2, int8Weights);
    add(`${name} int8 hybrid`, w / 2, int8Weights, { dynamicRange: 'hybrid' });
    const int8 = await compressed(name, 'int8');
    add(`${name} int8`, w, int8);
    add(`${name} int8 io`, w / 2, int8, { io: 'int8' });
  }
  return seeds;
}
