/** Small ONNX graphs built with the condense IR, for ops the two real models do not use. */
import { Graph, Tensor, attr, createModel, inferShapes, type Attr, type DType, type Model, type Value } from '@condense/core';
import { noise } from './data.js';

export { attr };

export class GraphBuilder {
  readonly graph: Graph;
  #seed = 100;

  constructor(opset: number) {
    this.graph = new Graph({ opset: { '': opset } });
  }

  /** A float32 constant of deterministic values in [lo, hi). */
  weights(shape: number[], lo = -1, hi = 1): Value {
    return this.graph.constant(`w${this.#seed}`, Tensor.from('float32', shape, noise(shape, this.#seed++, lo, hi)));
  }

  tensor(dtype: DType, shape: number[], values: number[]): Value {
    return this.graph.constant(`t${this.#seed++}`, Tensor.from(dtype, shape, dtype === 'int64' ? values.map(BigInt) : values));
  }

  ints(values: number[]): Value {
    return this.tensor('int64', [values.length], values);
  }

  floats(values: number[], shape = [values.length]): Value {
    return this.tensor('float32', shape, values);
  }

  op(op: string, inputs: Array<Value | null>, attrs: Record<string, Attr> = {}): Value {
    return this.graph.add(op, inputs, attrs).output;
  }
}

/** A one-input model: `body` gets the input and returns the output. */
export function buildModel(inputShape: number[], body: (b: GraphBuilder, x: Value) => Value, opset = 17): Model {
  const b = new GraphBuilder(opset);
  const x = b.graph.input('x', { dtype: 'float32', shape: inputShape });
  b.graph.outputs = [body(b, x)];
  inferShapes(b.graph);
  return createModel(b.graph);
}
