/**
 * Files a hostile model could come with: an ONNX model whose weights point at
 * any external-data location, and a folder with things outside it to protect.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Graph, Tensor, createModel, type Model } from '@condense/core';
import { concatChunks, encodeModel } from '@condense/onnx';

/** Elements of the one weight tensor: 256 float32 values, 1 KiB. */
export const WEIGHT_COUNT = 256;
export const WEIGHT_BYTES = WEIGHT_COUNT * 4;

/** y = x * w, with w big enough to go to external data. */
export function scaleModel(): Model {
  const g = new Graph({ opset: { '': 17 } });
  const x = g.input('x', { dtype: 'float32', shape: [WEIGHT_COUNT] });
  const w = g.constant('w', Tensor.from('float32', [WEIGHT_COUNT], Float32Array.from({ length: WEIGHT_COUNT }, (_, i) => i / 8)));
  g.outputs = [g.add('Mul', [x, w]).output];
  return createModel(g);
}

/**
 * The model's bytes with its weights external at `location`, written as a
 * hostile file would be: saveModel refuses such locations, so the encoder frames them directly.
 */
export function modelPointingAt(location: string): Uint8Array {
  return concatChunks(encodeModel(scaleModel(), { externalData: { location, threshold: 0 } }));
}

/** The weights as the data file holds them. */
export function weightBytes(): Uint8Array {
  const encoded = encodeModel(scaleModel(), { externalData: { location: 'w.bin', threshold: 0 } });
  return concatChunks(encoded.external!);
}

/** root/secret.bin (weights-sized, all 0x5a) sits outside root/model/, where the model goes. */
export function folderWithSecret(prefix: string): { root: string; folder: string; secret: string } {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  const folder = path.join(root, 'model');
  mkdirSync(folder);
  const secret = path.join(root, 'secret.bin');
  writeFileSync(secret, new Uint8Array(WEIGHT_BYTES).fill(0x5a));
  return { root, folder, secret };
}
