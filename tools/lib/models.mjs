// Model definitions built with CnnBuilder.
import { attr, inferShapes } from '@condense/core';
import { CnnBuilder } from './cnn-builder.mjs';

/** A small image classifier: conv/BN/ReLU stages, a depthwise block, a residual add, pooling and a dense head. */
export function tinyCnn() {
  const b = new CnnBuilder({ name: 'tiny_cnn', seed: 11 });
  let x = b.input('image', ['N', 1, 28, 28]);
  x = b.op('Relu', [b.batchNorm(b.conv(x, 'conv1', 1, 16, 3, { bias: false }), 'bn1', 16)]);
  x = b.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) });
  const skip = x;
  x = b.op('Relu', [b.batchNorm(b.conv(x, 'dw2', 16, 16, 3, { group: 16, bias: false }), 'bn2', 16)]);
  x = b.op('Relu', [b.conv(x, 'pw2', 16, 16, 1)]);
  x = b.op('Add', [x, skip]);
  x = b.op('Relu', [b.conv(x, 'conv3', 16, 32, 3, { stride: 2 })]);
  x = b.op('GlobalAveragePool', [x]);
  x = b.op('Flatten', [x]);
  const logits = b.gemm(x, 'fc', 32, 10);
  b.graph.rename(logits, 'logits');
  const model = b.finish([logits], { docString: 'condense example: a tiny CNN for 28x28 grey images (untrained weights).' });
  inferShapes(model.graph);
  return model;
}

/** ResNet-50's layer structure and parameter count (about 25.6M float32 weights, ~100 MB), with generated weights. */
export function resnet50() {
  const b = new CnnBuilder({ name: 'resnet50', seed: 50 });
  let x = b.input('image', ['N', 3, 224, 224]);
  const convBn = (input, name, cin, cout, k, stride = 1) => b.batchNorm(b.conv(input, name, cin, cout, k, { stride, bias: false }), `${name}.bn`, cout);
  x = b.op('Relu', [convBn(x, 'stem', 3, 64, 7, 2)]);
  x = b.op('MaxPool', [x], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) });
  let cin = 64;
  [[64, 3], [128, 4], [256, 6], [512, 3]].forEach(([width, blocks], stage) => {
    for (let i = 0; i < blocks; i++) {
      const stride = i === 0 && stage > 0 ? 2 : 1;
      const name = `layer${stage + 1}.${i}`;
      let y = b.op('Relu', [convBn(x, `${name}.conv1`, cin, width, 1)]);
      y = b.op('Relu', [convBn(y, `${name}.conv2`, width, width, 3, stride)]);
      y = convBn(y, `${name}.conv3`, width, width * 4, 1);
      const shortcut = i === 0 ? convBn(x, `${name}.downsample`, cin, width * 4, 1, stride) : x;
      x = b.op('Relu', [b.op('Add', [y, shortcut])]);
      cin = width * 4;
    }
  });
  x = b.op('Flatten', [b.op('GlobalAveragePool', [x])]);
  return b.finish([b.gemm(x, 'fc', 2048, 1000)], { docString: 'ResNet-50 layer structure with generated weights, for benchmarks.' });
}
