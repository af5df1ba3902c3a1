import { CondenseError, Graph, Tensor, attr, inferShapes, type Attr, type DType, type Dim, type TypedArray, type Value } from '@condense/core';
import { quoted } from './check-json.js';
import { between, identity, isIdentity, padRank, permute, samePerm, transposeData, type Perm } from '../layout.js';

/** The opset imported models use: per-channel DequantizeLinear and input-form Squeeze/Unsqueeze/Pad/Clip. */
export const IMPORT_OPSET = 13;

/**
 * A tfjs tensor as the IR holds it. tfjs is NHWC; the IR's convolutions are
 * NCHW, so a feature map usually lives in an IR value transposed by `perm`
 * (IR value = transpose(tfjs tensor, perm)). Constants stay as data until an
 * op asks for them in some layout, so they are stored once, already permuted.
 */
export type TfTensor =
  | { kind: 'value'; value: Value; perm: Perm }
  | { kind: 'const'; name: string; tensor: Tensor; dims?: Dim[] };

/**
 * `dims` marks a shape computed from a tensor's shape (Shape, StridedSlice,
 * Pack, as Keras's Flatten converts): its elements are dimensions, some of
 * them symbols (the batch) that only a Reshape can take.
 */
const isSymbolic = (t: TfTensor) => t.kind === 'const' && !!t.dims?.some((d) => typeof d === 'string');

export const rankOf = (t: TfTensor): number => (t.kind === 'const' ? t.tensor.rank : t.perm.length);

/**
 * Builds the IR graph of a tfjs model with tfjs semantics: the op helpers
 * (ops-nn.ts, ops-tensor.ts) say what to compute in tfjs terms and ask for
 * their inputs in the layout the ONNX op needs; transposes are inserted only
 * where a value is not already stored that way, once per value and layout.
 */
export class TfBuilder {
  readonly graph = new Graph({ name: 'main', opset: { '': IMPORT_OPSET } });
  #layouts = new Map<Value | string, Map<string, Value>>();
  #shapesKnown = false;

  /** A graph input with tfjs's shape; `perm` other than identity declares it stored in another layout (an NCHW input for an NHWC model). */
  input(name: string, dtype: DType, shape: Dim[], perm: Perm = identity(shape.length)): TfTensor {
    const value = this.graph.input(this.graph.uniqueName(name), { dtype, shape: permute(shape, perm) });
    return { kind: 'value', value, perm };
  }

  constant(name: string, tensor: Tensor): TfTensor {
    return { kind: 'const', name, tensor };
  }

  /** Adds an ONNX node; its output gets the tfjs node's name where free. */
  node(op: string, inputs: Array<Value | null>, attrs: Record<string, Attr>, name: string): Value {
    this.#shapesKnown = false;
    return this.graph.add(op, inputs, attrs, { name, outputs: [this.graph.uniqueName(name)] }).output;
  }

  /** A constant value added to the graph under a fresh name. */
  irConstant(name: string, tensor: Tensor): Value {
    return this.graph.constant(name, tensor);
  }

  int64s(name: string, values: readonly number[]): Value {
    // Axes, sizes and paddings come from the file: a fraction or a NaN there has no int64.
    const bad = values.find((v) => !Number.isSafeInteger(v));
    if (bad !== undefined) throw new CondenseError('E_MODEL_INVALID', `The tfjs model gives ${String(bad)} where an integer (an axis, size or padding) is needed.`);
    return this.irConstant(name, Tensor.from('int64', [values.length], values.map(BigInt)));
  }

  /**
   * `t` as an IR value stored by `perm`. A tensor of lower rank is first given
   * leading axes of size 1, as broadcasting against a rank-`perm.length` tensor
   * aligns it. Constants are permuted as data; values get one Transpose.
   */
  in(t: TfTensor, perm: Perm): Value {
    const key = perm.join(',');
    const cacheKey = t.kind === 'const' ? t.name : t.value;
    let cache = this.#layouts.get(cacheKey);
    if (!cache) this.#layouts.set(cacheKey, (cache = new Map()));
    const hit = cache.get(key);
    if (hit) return hit;
    let out: Value;
    if (isSymbolic(t)) throw unsupported('a shape computed at run time used as data');
    if (t.kind === 'const') {
      if (t.tensor.rank > perm.length) throw new CondenseError('E_MODEL_INVALID', `Constant ${quoted(t.name)} has ${t.tensor.rank} axes where a tensor of ${perm.length} is needed.`);
      out = this.irConstant(t.name, permuteTensor(t.tensor, padRank(t.tensor.shape, perm.length), perm));
    } else {
      let value = t.value;
      let from = t.perm;
      if (from.length > perm.length) throw new CondenseError('E_MODEL_INVALID', `Value ${quoted(value.name)} has ${from.length} axes where a tensor of ${perm.length} is needed.`);
      if (from.length < perm.length) {
        // Leading axes of size 1 are the same whatever the stored order of the rest.
        const added = perm.length - from.length;
        value = this.node('Unsqueeze', [value, this.int64s(`${value.name}/axes`, identity(added))], {}, `${value.name}/expanded`);
        from = [...identity(added), ...from.map((p) => p + added)];
      }
      out = samePerm(from, perm) ? value : this.node('Transpose', [value], { perm: attr.ints(between(from, perm)) }, `${value.name}/transposed`);
    }
    cache.set(key, out);
    return out;
  }

  /** A constant's data reshaped to `shape`, then permuted (filters whose layout also regroups axes, e.g. depthwise). */
  constantAs(t: TfTensor, shape: readonly number[], perm: Perm, finalShape?: readonly number[]): Value {
    if (t.kind !== 'const') throw unsupported(`a filter computed at run time (${t.value.name})`);
    const permuted = permuteTensor(t.tensor, shape, perm);
    return this.irConstant(t.name, finalShape ? permuted.reshape(finalShape) : permuted);
  }

  /** Elements of a constant input (axes, shapes, paddings). */
  numbers(t: TfTensor, what: string): number[] {
    if (t.kind !== 'const' || isSymbolic(t)) throw unsupported(`${what} computed at run time (${t.kind === 'const' ? t.name : t.value.name}); only constant ${what} can be imported`);
    return t.tensor.toNumbers();
  }

  /** tfjs's shape of `t` as far as known (inferring the IR's shapes when needed). */
  shapeOf(t: TfTensor): Dim[] | undefined {
    if (t.kind === 'const') return [...t.tensor.shape];
    if (!t.value.type?.shape && !this.#shapesKnown) {
      inferShapes(this.graph);
      this.#shapesKnown = true;
    }
    const stored = t.value.type?.shape;
    if (!stored) return undefined;
    const logical = new Array<Dim>(stored.length);
    t.perm.forEach((p, i) => (logical[p] = stored[i]!));
    return logical;
  }

  /** Makes `t` a graph output named `name` (tfjs's layout: no perm). */
  output(t: TfTensor, name: string): Value {
    let v = this.in(t, identity(rankOf(t)));
    if (v.const || this.graph.inputs.includes(v) || this.graph.outputs.includes(v)) v = this.node('Identity', [v], {}, name);
    else if (v.name !== name && !this.graph.value(name)) this.graph.rename(v, name);
    this.graph.outputs.push(v);
    return v;
  }
}

export function unsupported(what: string): CondenseError {
  return new CondenseError('E_UNSUPPORTED_OP', `The tfjs model uses ${what}, which condense cannot import yet.`);
}

/** A tensor's elements regrouped to `shape`, then transposed by `perm` (a copy; the input is left alone). */
export function permuteTensor(tensor: Tensor, shape: readonly number[], perm: Perm): Tensor {
  if (isIdentity(perm)) return tensor.reshape(shape);
  const data = tensor.data() as TypedArray;
  const Ctor = data.constructor as new (n: number) => TypedArray;
  const moved = transposeData(data as unknown as number[], shape, perm, (n) => new Ctor(n) as unknown as number[]);
  return Tensor.from(tensor.dtype, permute(shape, perm), moved as unknown as TypedArray);
}
