/**
 * Seed models: two fixtures built by tools/, a real third-party CNN
 * (PaddleOCR's text-direction classifier, weights in Constant nodes, opset 9)
 * and, for the in-memory loader, a synthetic graph of shape arithmetic.
 * The file seeds keep their weights in an external data file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compress, createRegistry } from '@condense/core';
import { concatChunks, decodeModel, encodeModel } from '@condense/onnx';
import { PADDLE_ASSETS } from '../../../helpers/models.js';
import type { FuzzSeed } from '../target.js';
import { shapeOpsModel } from './shape-ops-seed.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../tools/fixtures');

/** Weighted toward the small models, so a CI-sized run stays fast; the large ones still get thousands of cases. */
const SEED_FILES = [
  { name: 'tiny-cnn', file: path.join(FIXTURES, 'tiny-cnn.onnx'), weight: 6 },
  { name: 'fashion-cnn', file: path.join(FIXTURES, 'fashion-cnn.onnx'), weight: 3 },
  { name: 'paddle-cls', file: path.join(PADDLE_ASSETS, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), weight: 0.6 },
];

export const MODEL_FILE = 'model.onnx';
export const DATA_FILE = 'weights.bin';

export function onnxSeeds(): FuzzSeed[] {
  const seed = (name: string, weight: number, bytes: Uint8Array): FuzzSeed => ({ name, weight, input: { main: MODEL_FILE, files: new Map([[MODEL_FILE, bytes]]) } });
  return [...SEED_FILES.map(({ name, file, weight }) => seed(name, weight, new Uint8Array(readFileSync(file)))), seed('shape-ops', 1, shapeOpsModel())];
}

/** The same models with their weights (Constant nodes made initializers first) in weights.bin. */
export async function onnxExternalDataSeeds(): Promise<FuzzSeed[]> {
  const seeds: FuzzSeed[] = [];
  for (const { name, file, weight } of SEED_FILES) {
    const model = decodeModel(readFileSync(file));
    await compress(model, { passes: ['constants-to-initializers'] }, { registry: createRegistry() });
    const encoded = encodeModel(model, { externalData: { location: DATA_FILE, threshold: 64 } });
    const files = new Map([
      [MODEL_FILE, concatChunks(encoded)],
      [DATA_FILE, concatChunks(encoded.external!)],
    ]);
    seeds.push({ name: `${name}+data`, weight, input: { main: MODEL_FILE, files } });
  }
  return seeds;
}
