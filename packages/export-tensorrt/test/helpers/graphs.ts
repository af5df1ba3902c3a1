/** A small network with every layer kind the placement rules treat differently, built with the condense IR. */
import { Graph, Tensor, attr, createModel, inferShapes, type Attr, type Model, type Value } from '@condense/core';
import { noise } from './runtime.js';

class Builder {
  readonly graph = new Graph({ opset: { '': 13 } });
  #seed = 1;

  weight(shape: number[], scale = 0.5): Value {
    const size = shape.reduce((a, b) => a * b, 1);
    return this.graph.constant(`w${this.#seed}`, Tensor.from('float32', shape, noise(size, this.#seed++, -scale, scale)));
  }

  positive(shape: number[]): Value {
    const size = shape.reduce((a, b) => a * b, 1);
    return this.graph.constant(`p${this.#seed}`, Tensor.from('float32', shape, noise(size, this.#seed++, 0.5, 1.5)));
  }

  op(op: string, inputs: Array<Value | null>, attrs: Record<string, Attr> = {}, name = op): Value {
    return this.graph.add(op, inputs, attrs, { name }).output;
  }
}

export const LAYERS_INPUT = { name: 'x', shape: [2, 3, 8, 8] };

/**
 * Conv -> BatchNormalization -> Relu -> MaxPool, a residual block whose skip
 * input is the pool, an Add of two convolutions (a block with a convolution
 * shortcut), ConvTranspose, Gemm without and with transB, MatMul with a bias
 * Add, and a MatMul of two activations. Named nodes let tests find each.
 */
export function layersModel(): Model {
  const b = new Builder();
  const x = b.graph.input('x', { dtype: 'float32', shape: ['N', 3, 8, 8] });
  const pad1 = { pads: attr.ints([1, 1, 1, 1]) };
  const c1 = b.op('Conv', [x, b.weight([8, 3, 3, 3]), b.weight([8], 0.1)], pad1, 'conv1');
  const bn = b.op('BatchNormalization', [c1, b.positive([8]), b.weight([8], 0.1), b.weight([8], 0.1), b.positive([8])], {}, 'bn1');
  const r1 = b.op('Relu', [bn], {}, 'relu1');
  const pool = b.op('MaxPool', [r1], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, 'pool');
  const c2 = b.op('Conv', [pool, b.weight([8, 8, 3, 3], 0.2), b.weight([8], 0.1)], pad1, 'conv2');
  const r2 = b.op('Relu', [c2], {}, 'relu2');
  const c3 = b.op('Conv', [r2, b.weight([8, 8, 1, 1]), b.weight([8], 0.1)], {}, 'conv3');
  const skip = b.op('Add', [pool, c3], {}, 'residual');
  const r3 = b.op('Relu', [skip], {}, 'relu3');
  const c4 = b.op('Conv', [r3, b.weight([8, 8, 1, 1])], {}, 'conv4');
  const c5 = b.op('Conv', [r3, b.weight([8, 8, 1, 1])], {}, 'shortcut');
  const both = b.op('Add', [c4, c5], {}, 'two-conv-add');
  const up = b.op('ConvTranspose', [both, b.weight([8, 4, 2, 2]), b.weight([4], 0.1)], { strides: attr.ints([2, 2]) }, 'deconv');
  const r4 = b.op('Relu', [up], {}, 'relu4');
  const gap = b.op('GlobalAveragePool', [r4], {}, 'gap');
  const flat = b.op('Flatten', [gap], {}, 'flatten');
  const g1 = b.op('Gemm', [flat, b.weight([4, 6]), b.weight([6], 0.1)], {}, 'gemm-b');
  const r5 = b.op('Relu', [g1], {}, 'relu5');
  const g2 = b.op('Gemm', [r5, b.weight([5, 6]), b.weight([5], 0.1)], { transB: attr.int(1) }, 'gemm-bt');
  const mm = b.op('MatMul', [g2, b.weight([5, 3])], {}, 'matmul');
  const y = b.op('Add', [mm, b.weight([3], 0.1)], {}, 'bias-add');
  const outer = b.op('MatMul', [b.op('Transpose', [g2], {}, 'transpose'), g2], {}, 'matmul-activations');
  b.graph.outputs = [y, outer];
  inferShapes(b.graph);
  return createModel(b.graph);
}
