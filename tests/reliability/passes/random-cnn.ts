/**
 * Random small CNNs for property tests, seeded: plain, depthwise and grouped
 * convolutions, residual adds, concats, a Gemm head after global pooling or a
 * flatten, with varied channels, kernels and strides. Each also carries, by
 * chance, what the cleanup passes look for (BatchNormalization, Constant
 * weights, Identity, per-channel Mul, x·HardSigmoid(x), dead nodes, a
 * duplicated weight) and filters that are scaled copies of others (for the
 * sharing and merging passes), so every pass has something to do somewhere.
 */
import { Graph, Tensor, attr, createModel, type Model, type Value } from '@condense/core';
import { Random } from '../../helpers/random.js';

export interface RandomCnn {
  model: Model;
  /** Input shape with the batch dimension left out. */
  sample: number[];
  classes: number;
  summary: string;
}

interface Feature {
  value: Value;
  channels: number;
  h: number;
  w: number;
}

export function randomCnn(seed: number): RandomCnn {
  const rng = new Random(seed, 0xc0de);
  const opset = rng.pick([11, 13, 17]);
  const g = new Graph({ opset: { '': opset } });
  const build = new Builder(g, rng, opset);
  const channels = rng.pick([1, 3, 4]);
  const h = rng.range(8, 16);
  const w = rng.range(8, 16);
  let f: Feature = { value: g.input('x', { dtype: 'float32', shape: ['N', channels, h, w] }), channels, h, w };
  const blocks: string[] = [];
  for (let i = rng.range(2, 5); i > 0; i--) {
    const kind = rng.pick(['conv', 'conv', 'depthwise', 'residual', 'concat'] as const);
    blocks.push(kind);
    f = build[kind](f);
  }
  const classes = rng.pick([3, 5, 10]);
  g.outputs = [build.head(f, classes)];
  return { model: createModel(g), sample: [channels, h, w], classes, summary: `opset ${opset}, input ${channels}x${h}x${w}, ${blocks.join(' > ')}, ${g.nodeCount} nodes` };
}

class Builder {
  #names = 0;
  /** The last weight made for each role and shape. */
  #made = new Map<string, Float32Array>();

  constructor(
    readonly g: Graph,
    readonly rng: Random,
    readonly opset: number,
  ) {}

  conv(f: Feature, opts: { out?: number; k?: number; stride?: number; depthwise?: boolean } = {}): Feature {
    const { rng } = this;
    const out = opts.depthwise ? f.channels : (opts.out ?? rng.pick([4, 8, 12, 16, 24]));
    const group = opts.depthwise ? f.channels : 1;
    const k = opts.k ?? (Math.min(f.h, f.w) >= 5 ? rng.pick([1, 3, 3, 5]) : rng.pick([1, 3]));
    const stride = opts.stride ?? (Math.min(f.h, f.w) >= 8 && rng.chance(0.3) ? 2 : 1);
    const fanIn = (f.channels / group) * k * k;
    const { weights, bias } = this.#filters(out, fanIn);
    const inputs = [f.value, this.#weight('filters', [out, f.channels / group, k, k], weights)];
    if (rng.chance(0.7)) inputs.push(this.#weight('bias', [out], bias));
    const pad = Math.floor(k / 2);
    let y = this.g.add('Conv', inputs, { kernel_shape: attr.ints([k, k]), strides: attr.ints([stride, stride]), pads: attr.ints([pad, pad, pad, pad]), group: attr.int(group) }, { name: this.#name('conv') }).output;
    if (rng.chance(0.3)) y = this.#batchNorm(y, out);
    if (rng.chance(0.15)) y = this.g.add('Mul', [y, this.#weight('scale', [1, out, 1, 1], Float32Array.from({ length: out }, () => 0.5 + rng.float()))]).output;
    y = this.#activation(y);
    if (rng.chance(0.1)) y = this.g.add('Identity', [y]).output;
    if (rng.chance(0.1)) this.g.add('Neg', [y]); // dead: nothing reads it
    const size = (d: number) => Math.floor((d + 2 * pad - k) / stride) + 1;
    return { value: y, channels: out, h: size(f.h), w: size(f.w) };
  }

  depthwise(f: Feature): Feature {
    return this.conv(f, { depthwise: true, k: 3 });
  }

  residual(f: Feature): Feature {
    const inner = this.conv(f, { out: this.rng.pick([4, 8, 16]), stride: 1 });
    const back = this.conv(inner, { out: f.channels, k: 3, stride: 1 });
    const sum = this.g.add('Add', [back.value, f.value]).output;
    return { ...f, value: this.g.add('Relu', [sum]).output };
  }

  concat(f: Feature): Feature {
    const a = this.conv(f, { k: 1, stride: 1, out: this.rng.pick([4, 8]) });
    const b = this.conv(f, { k: 3, stride: 1, out: this.rng.pick([4, 8, 12]) });
    return { value: this.g.add('Concat', [a.value, b.value], { axis: attr.int(1) }).output, channels: a.channels + b.channels, h: f.h, w: f.w };
  }

  /** Global pooling or a flatten, an optional hidden layer, then the classifier. */
  head(f: Feature, classes: number): Value {
    const { g, rng } = this;
    let width = f.channels;
    let y: Value;
    if (f.channels * f.h * f.w <= 768 && rng.chance(0.35)) {
      y = g.add('Flatten', [f.value]).output;
      width = f.channels * f.h * f.w;
    } else {
      y = g.add('Flatten', [g.add('GlobalAveragePool', [f.value]).output]).output;
    }
    if (rng.chance(0.4)) {
      const hidden = rng.pick([8, 16, 32]);
      y = g.add('Relu', [this.#gemm(y, width, hidden)]).output;
      width = hidden;
    }
    return this.#gemm(y, width, classes);
  }

  #gemm(x: Value, inputs: number, outputs: number): Value {
    const transB = this.rng.chance(0.8);
    const { weights, bias } = this.#filters(outputs, inputs);
    // Stored as [outputs, inputs] with transB, else transposed to [inputs, outputs].
    const stored = transB ? weights : Float32Array.from({ length: weights.length }, (_, i) => weights[(i % outputs) * inputs + Math.floor(i / outputs)]!);
    const w = this.#weight('filters', transB ? [outputs, inputs] : [inputs, outputs], stored);
    return this.g.add('Gemm', [x, w, this.#weight('bias', [outputs], bias)], { transB: attr.int(transB ? 1 : 0) }, { name: this.#name('fc') }).output;
  }

  /**
   * He-initialised filters and small biases; sometimes a few filters are
   * scaled copies of others, bias included, with a positive scale, so they stay
   * exact duplicates through a Relu (what merge-filters and share-filters find).
   */
  #filters(count: number, fanIn: number): { weights: Float32Array; bias: Float32Array } {
    const weights = this.#normal(count * fanIn, Math.sqrt(2 / fanIn));
    const bias = this.#normal(count, 0.1);
    if (count >= 4 && this.rng.chance(0.4)) {
      for (let copy = this.rng.range(1, Math.floor(count / 2)); copy > 0; copy--) {
        const from = this.rng.int(count);
        const to = this.rng.int(count);
        const scale = 0.5 + this.rng.float();
        if (from === to) continue;
        weights.set(weights.slice(from * fanIn, (from + 1) * fanIn).map((v) => v * scale), to * fanIn);
        bias[to] = bias[from]! * scale;
      }
    }
    return { weights, bias };
  }

  #normal(n: number, std: number): Float32Array {
    return Float32Array.from({ length: n }, () => this.rng.normal() * std);
  }

  /**
   * A constant as exporters write them: an initializer; now and then a
   * Constant node, or a product of two constants (for fold-constants); or the
   * bytes of an earlier weight of the same role and shape again (two equal
   * constants, for dedupe-constants; the role keeps variances positive).
   */
  #weight(role: string, shape: number[], values: Float32Array): Value {
    const key = `${role} ${shape.join('x')}`;
    const earlier = this.#made.get(key);
    const chosen = earlier && this.rng.chance(0.3) ? earlier.slice() : values;
    this.#made.set(key, values);
    const t = Tensor.from('float32', shape, chosen);
    const r = this.rng.float();
    if (r < 0.1) return this.g.add('Constant', [], { value: attr.tensor(t) }).output;
    if (r < 0.18) {
      // Halving and doubling are exact in binary floating point.
      const half = this.g.constant(this.#name('half'), Tensor.from('float32', shape, chosen.map((v) => v / 2)));
      return this.g.add('Mul', [half, this.g.constant(this.#name('two'), Tensor.scalar('float32', 2))]).output;
    }
    return this.g.constant(this.#name('w'), t);
  }

  #batchNorm(x: Value, c: number): Value {
    const positive = () => Float32Array.from({ length: c }, () => 0.5 + this.rng.float());
    const k = (role: string, values: Float32Array) => this.#weight(`bn-${role}`, [c], values);
    return this.g.add('BatchNormalization', [x, k('scale', positive()), k('shift', this.#normal(c, 0.1)), k('mean', this.#normal(c, 0.1)), k('variance', positive())], { epsilon: attr.float(1e-5) }).output;
  }

  #activation(x: Value): Value {
    const r = this.rng.float();
    if (r < 0.65) return this.g.add('Relu', [x]).output;
    if (r < 0.8) return this.g.add('Mul', [x, this.g.add('HardSigmoid', [x], { alpha: attr.float(1 / 6), beta: attr.float(0.5) }).output]).output;
    return x;
  }

  #name(base: string): string {
    return `${base}${this.#names++}`;
  }
}
