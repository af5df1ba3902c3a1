/** Small ONNX graphs built with the condense IR, for ops the real models do not cover. */
import { Graph, Tensor, attr, createModel, inferShapes, type Attr, type Model, type Value } from '@condense/core';
import { noise } from './data.js';

export { attr };

export class GraphBuilder {
  readonly graph: Graph;
  #seed = 100;

  constructor(opset: number) {
    this.graph = new Graph({ opset: { '': opset } });
  }

  /** A float32 constant of deterministic values in [lo, hi). */
  constant(shape: number[], lo = -1, hi = 1): Value {
    return this.graph.constant(`c${this.#seed}`, Tensor.from('float32', shape, noise(shape, this.#seed++, lo, hi)));
  }

  ints(values: number[]): Value {
    return this.graph.constant(`i${this.#seed++}`, Tensor.from('int64', [values.length], values.map(BigInt)));
  }

  floats(values: number[]): Value {
    return this.graph.constant(`f${this.#seed++}`, Tensor.from('float32', [values.length], values));
  }

  scalar(value: number): Value {
    return this.graph.constant(`s${this.#seed++}`, Tensor.scalar('float32', value));
  }

  op(op: string, inputs: Array<Value | null>, attrs: Record<string, Attr> = {}): Value {
    return this.graph.add(op, inputs, attrs).output;
  }

  /** QuantizeLinear then DequantizeLinear of `v` to uint8 over [lo, hi] (ONNX's QDQ form of an int8 activation). */
  qdq(v: Value, lo: number, hi: number): Value {
    const scale = (hi - lo) / 255;
    const zero = Math.min(255, Math.max(0, Math.round(-lo / scale)));
    const s = this.graph.constant(`qs${this.#seed}`, Tensor.scalar('float32', scale));
    const z = this.graph.constant(`qz${this.#seed++}`, Tensor.scalar('uint8', zero));
    return this.op('DequantizeLinear', [this.op('QuantizeLinear', [v, s, z]), s, z]);
  }

  /** An int8 weight read through DequantizeLinear, one scale per slice along `axis` (symmetric, zero point 0). */
  int8Weight(shape: number[], axis = 0, scale = 0.01): Value {
    const values = Array.from(noise(shape, this.#seed++, -127, 128), Math.floor);
    const scales = noise([shape[axis]!], this.#seed++, scale / 2, scale * 2);
    const q = this.graph.constant(`w${this.#seed}`, Tensor.from('int8', shape, values));
    const s = this.graph.constant(`ws${this.#seed++}`, Tensor.from('float32', [scales.length], scales));
    return this.graph.add('DequantizeLinear', [q, s], { axis: attr.int(axis) }).output;
  }
}

/** A one-input model: `body` gets the input and returns the output. Shapes are inferred so ONNX files carry output types. */
export function buildModel(inputShape: number[], body: (b: GraphBuilder, x: Value) => Value, opset = 17): Model {
  const b = new GraphBuilder(opset);
  const x = b.graph.input('x', { dtype: 'float32', shape: inputShape });
  const y = body(b, x);
  b.graph.outputs = [y];
  inferShapes(b.graph);
  return createModel(b.graph);
}
