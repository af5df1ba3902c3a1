// Builds convolutional networks in the condense IR with deterministic weights,
// for fixtures and benchmarks. Weights are He-scaled noise from a fixed seed,
// so a generated model is the same file on every machine.
import { Graph, Tensor, attr, createModel } from '@condense/core';

/** xorshift32: fast, seedable, good enough for weight noise. */
export function random(seed = 1) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

export class CnnBuilder {
  /** @param {{ name?: string, opset?: number, seed?: number }} opts */
  constructor(opts = {}) {
    this.graph = new Graph({ name: opts.name ?? 'cnn', opset: { '': opts.opset ?? 17 } });
    this.rand = random(opts.seed ?? 7);
  }

  /** Uniform noise in [-scale, scale). */
  weights(name, shape, scale) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (this.rand() * 2 - 1) * scale;
    return this.graph.constant(name, Tensor.fromBytes('float32', shape, new Uint8Array(data.buffer)));
  }

  input(name, shape) {
    return this.graph.input(name, { dtype: 'float32', shape });
  }

  conv(x, name, cin, cout, k, { stride = 1, group = 1, bias = true } = {}) {
    const w = this.weights(`${name}.weight`, [cout, cin / group, k, k], Math.sqrt(6 / ((cin / group) * k * k)));
    const b = bias ? this.weights(`${name}.bias`, [cout], 0.01) : null;
    const pad = Math.floor(k / 2);
    return this.graph.add('Conv', b ? [x, w, b] : [x, w], {
      kernel_shape: attr.ints([k, k]),
      strides: attr.ints([stride, stride]),
      pads: attr.ints([pad, pad, pad, pad]),
      group: attr.int(group),
    }, { name }).output;
  }

  batchNorm(x, name, c) {
    const scale = this.weights(`${name}.scale`, [c], 0.1);
    const shift = this.weights(`${name}.shift`, [c], 0.1);
    const mean = this.weights(`${name}.mean`, [c], 0.1);
    const variance = this.graph.constant(`${name}.var`, Tensor.from('float32', [c], Array.from({ length: c }, () => 0.5 + this.rand())));
    // Scale near 1 keeps activations in range through deep stacks.
    const ones = Tensor.from('float32', [c], scale.const.data().map((v) => 1 + v));
    scale.const = ones;
    return this.graph.add('BatchNormalization', [x, scale, shift, mean, variance], { epsilon: attr.float(1e-5) }, { name }).output;
  }

  op(op, inputs, attrs = {}, name) {
    return this.graph.add(op, inputs, attrs, name ? { name } : {}).output;
  }

  gemm(x, name, cin, cout) {
    const w = this.weights(`${name}.weight`, [cout, cin], Math.sqrt(6 / cin));
    const b = this.weights(`${name}.bias`, [cout], 0.01);
    return this.graph.add('Gemm', [x, w, b], { transB: attr.int(1) }, { name }).output;
  }

  finish(outputs, fields = {}) {
    this.graph.outputs = outputs;
    return createModel(this.graph, { producerName: 'condense-tools', ...fields });
  }
}
