/** Small CNNs built with tfjs-layers, with seeded weights and non-trivial batch-norm statistics. */
import { noise } from './data.js';
import { tf, tfl } from './tfjs.js';

const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
const biasInit = (seed: number) => tfl.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed });

/** Gives every batch-norm layer made-up statistics, so normalization really changes the numbers. */
function randomizeBatchNorms(model: tfl.LayersModel): void {
  model.layers.forEach((layer, i) => {
    if (layer.getClassName() !== 'BatchNormalization') return;
    const weights = layer.getWeights().map((w, j) => {
      const n = w.size;
      const values = noise(n, 100 + 10 * i + j);
      // gamma, beta, moving mean, moving variance (positive)
      return tf.tensor(j === 3 ? values.map((v) => 0.5 + Math.abs(v)) : j === 0 ? values.map((v) => 1 + 0.5 * v) : values, w.shape);
    });
    layer.setWeights(weights);
  });
}

/** Conv + relu, batch norm, depthwise conv, residual add, strided conv with relu6, max pool, global average pool, dense softmax. */
export function residualCnn(): tfl.LayersModel {
  const input = tfl.input({ shape: [12, 12, 3], name: 'image' });
  let x = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1), biasInitializer: biasInit(2), name: 'conv1' }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ name: 'bn1' }).apply(x) as tfl.SymbolicTensor;
  const branch = tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 1, depthwiseInitializer: init(3), biasInitializer: biasInit(4), name: 'dw1' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.add({ name: 'residual' }).apply([x, branch]) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: init(5), biasInitializer: biasInit(6), name: 'conv2' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU({ maxValue: 6, name: 'relu6' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'valid', name: 'pool' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tfl.SymbolicTensor;
  const y = tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(7), biasInitializer: biasInit(8), name: 'logits' }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: y });
  randomizeBatchNorms(model);
  return model;
}

/** Sequential: conv, average pool (SAME, uneven), flatten of an NHWC map, dense: the flatten must keep tfjs's element order. */
export function flattenCnn(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [9, 9, 2], filters: 4, kernelSize: 3, activation: 'elu', kernelInitializer: init(11), biasInitializer: biasInit(12) }),
      tfl.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: 'same' }),
      tfl.layers.flatten(),
      tfl.layers.dropout({ rate: 0.5 }),
      tfl.layers.dense({ units: 6, activation: 'tanh', kernelInitializer: init(13), biasInitializer: biasInit(14) }),
    ],
  });
}

/** Big enough that int8 weights dominate its size: every layer but the depthwise one has over 1024 weights, so int8-weights quantizes it. */
export function compressibleCnn(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 3], name: 'pixels' });
  let x = tfl.layers.conv2d({ filters: 48, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(21), biasInitializer: biasInit(22), name: 'stem' }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ name: 'stem_bn' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ filters: 64, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(23), biasInitializer: biasInit(24), name: 'down' }).apply(x) as tfl.SymbolicTensor;
  const branch = tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'relu', depthwiseInitializer: init(25), biasInitializer: biasInit(26), name: 'dw' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.add({ name: 'skip' }).apply([x, branch]) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ filters: 128, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(27), biasInitializer: biasInit(28), name: 'wide' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ filters: 128, kernelSize: 1, activation: 'relu', kernelInitializer: init(29), biasInitializer: biasInit(30), name: 'mix' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tfl.SymbolicTensor;
  const y = tfl.layers.dense({ units: 10, kernelInitializer: init(31), biasInitializer: biasInit(32), name: 'logits' }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: y });
  randomizeBatchNorms(model);
  return model;
}
