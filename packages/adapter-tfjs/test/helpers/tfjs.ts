/** tfjs in Node for the tests: the wasm backend (fast), tfjs-layers to build models, and in-memory save/load. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import type { TfjsModelJson } from '../../src/index.js';

export { tf, tfl };

export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  if (tf.getBackend() !== name) await tf.setBackend(name);
  await tf.ready();
}

export interface SavedModel {
  modelJson: TfjsModelJson;
  weights: Uint8Array;
}

/** model.json and its one weight shard, as tf.io would write them to disk, captured in memory. */
export async function saveToMemory(model: tfl.LayersModel): Promise<SavedModel> {
  let saved: SavedModel | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const data = a.weightData instanceof ArrayBuffer ? a.weightData : tf.io.CompositeArrayBuffer.join(a.weightData as ArrayBuffer[]);
      saved = {
        modelJson: { format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy ?? null, modelTopology: a.modelTopology as TfjsModelJson['modelTopology'], weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs as TfjsModelJson['weightsManifest'][number]['weights'] }] },
        weights: new Uint8Array(data),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return saved!;
}

/** A GraphModel from model.json and weights, loaded as tfjs's own loader does. */
export async function loadGraphModel(modelJson: TfjsModelJson, weights: Uint8Array): Promise<import('@tensorflow/tfjs-converter').GraphModel> {
  const { loadGraphModel: load } = await import('@tensorflow/tfjs-converter');
  const specs = modelJson.weightsManifest.flatMap((g) => g.weights);
  const artifacts = { modelTopology: modelJson.modelTopology as object, weightSpecs: specs as tf.io.WeightsManifestEntry[], weightData: weights.slice().buffer, format: modelJson.format, signature: modelJson.signature as object | undefined };
  return load(tf.io.fromMemory(artifacts));
}

/** Runs a model in tfjs on one input; returns the first output's values. */
export async function predict(model: tfl.LayersModel | import('@tensorflow/tfjs-converter').GraphModel, data: Float32Array, shape: number[]): Promise<Float32Array> {
  const x = tf.tensor(data, shape);
  const y = model.predict(x) as tf.Tensor;
  const out = (await y.data()) as Float32Array;
  x.dispose();
  y.dispose();
  return out;
}
