/**
 * tfjs seeds: models written by tfjs's own tf.io (a functional and a
 * Sequential LayersModel from tfjs-layers, saved as model.json plus one
 * shard) and GraphModels written by condense's exporter from the fixture
 * CNNs, with float32, float16, uint8 and uint16 weight shards.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildTfjsModel, type TfjsModelJson, type WeightPrecision } from '@condense/adapter-tfjs';
import type { FuzzSeed } from '../target.js';
import { fixture } from '../tflite/seeds.js';

export const JSON_FILE = 'model.json';
export const SHARD_FILE = 'group1-shard1of1.bin';

const utf8 = new TextEncoder();

function seed(name: string, weight: number, modelJson: TfjsModelJson, shard: Uint8Array): FuzzSeed {
  const json = { ...modelJson, weightsManifest: modelJson.weightsManifest.map((g) => ({ ...g, paths: [SHARD_FILE] })) };
  return { name, weight, input: { main: JSON_FILE, files: new Map([[JSON_FILE, utf8.encode(JSON.stringify(json))], [SHARD_FILE, shard]]) } };
}

/** model.json and its shard as tf.io writes them, captured in memory. */
async function saved(model: tfl.LayersModel): Promise<{ modelJson: TfjsModelJson; shard: Uint8Array }> {
  let out: { modelJson: TfjsModelJson; shard: Uint8Array } | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const data = a.weightData instanceof ArrayBuffer ? a.weightData : tf.io.CompositeArrayBuffer.join(a.weightData as ArrayBuffer[]);
      const modelJson = { format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy ?? null, modelTopology: a.modelTopology, weightsManifest: [{ paths: [SHARD_FILE], weights: a.weightSpecs }] };
      out = { modelJson: modelJson as unknown as TfjsModelJson, shard: new Uint8Array(data) };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return out!;
}

const init = (seed: number) => tfl.initializers.glorotUniform({ seed });

function functionalCnn(): tfl.LayersModel {
  const input = tfl.input({ shape: [12, 12, 3], name: 'image' });
  let x = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1), name: 'conv1' }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ name: 'bn1' }).apply(x) as tfl.SymbolicTensor;
  const branch = tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthwiseInitializer: init(3), name: 'dw1' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.add({ name: 'residual' }).apply([x, branch]) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: init(5), name: 'conv2' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU({ maxValue: 6, name: 'relu6' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ poolSize: 2, strides: 1, name: 'pool' }).apply(x) as tfl.SymbolicTensor;
  const a = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tfl.SymbolicTensor;
  const b = tfl.layers.globalMaxPooling2d({ name: 'gmp' }).apply(x) as tfl.SymbolicTensor;
  const y = tfl.layers.concatenate({ name: 'both' }).apply([a, b]) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(7), name: 'logits' }).apply(y) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

function sequentialCnn(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [9, 9, 2], filters: 4, kernelSize: 3, activation: 'elu', kernelInitializer: init(11) }),
      tfl.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: 'same' }),
      tfl.layers.zeroPadding2d({ padding: 1 }),
      tfl.layers.flatten(),
      tfl.layers.dropout({ rate: 0.5 }),
      tfl.layers.dense({ units: 6, activation: 'tanh', kernelInitializer: init(13) }),
      tfl.layers.reshape({ targetShape: [2, 3] }),
    ],
  });
}

export async function tfjsSeeds(): Promise<FuzzSeed[]> {
  await tf.setBackend('cpu');
  const seeds: FuzzSeed[] = [];
  for (const [name, make] of [['tf.io functional', functionalCnn], ['tf.io sequential', sequentialCnn]] as const) {
    const { modelJson, shard } = await saved(make());
    seeds.push(seed(name, 3, modelJson, shard));
  }
  const exported: Array<[string, number, WeightPrecision]> = [['float32', 2, 'float32'], ['float16', 1, 'float16'], ['uint8', 1, 'uint8'], ['uint16', 0.5, 'uint16']];
  for (const [variant, weight, weights] of exported) {
    const { modelJson, weights: shard } = buildTfjsModel(fixture('tiny-cnn'), { weights, inputShapes: { image: [1, 1, 28, 28] } });
    seeds.push(seed(`exported tiny-cnn ${variant}`, weight, modelJson, shard));
  }
  const { modelJson, weights: shard } = buildTfjsModel(fixture('fashion-cnn'), { weights: 'uint8', inputShapes: { image: [1, 1, 28, 28] } });
  seeds.push(seed('exported fashion-cnn uint8', 0.5, modelJson, shard));
  return seeds;
}
