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
