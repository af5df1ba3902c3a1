import { getInt, getInts, type Attr } from '../ir/attr.js';
import { constantOf } from '../ir/constant.js';
import type { Node } from '../ir/node.js';
import type { Dim, TensorType, Value } from '../ir/value.js';
import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';

/** What an op's shape rule sees: its node, its inputs' types, and the small integer tensors whose values are known. */
export class InferContext {
  /** Values of small integer tensors (shapes, axes, pads), propagated through shape arithmetic. */
  readonly known: Map<Value, Dim[]>;
  readonly opsetVersion: number;
  readonly node: Node;
  readonly #fresh: () => string;

  constructor(node: Node, known: Map<Value, Dim[]>, opsetVersion: number, fresh: () => string) {
    this.node = node;
    this.known = known;
    this.opsetVersion = opsetVersion;
    this.#fresh = fresh;
  }

  get attrs(): Readonly<Record<string, Attr>> {
    return this.node.attrs;
  }

  type(i: number): TensorType | undefined {
    return this.node.inputs[i]?.type;
  }

  dtype(i: number): DType | undefined {
    return this.type(i)?.dtype;
  }

  shape(i: number): Dim[] | undefined {
    return this.type(i)?.shape;
  }

  rank(i: number): number | undefined {
    return this.shape(i)?.length;
  }

  hasInput(i: number): boolean {
    return !!this.node.inputs[i];
  }

  /** The values of input i when known (a constant or derived from shapes). */
  values(i: number): Dim[] | undefined {
    const v = this.node.inputs[i];
    return v ? this.known.get(v) : undefined;
  }

  /** The numeric values of input i, when all are known numbers. */
  numbers(i: number): number[] | undefined {
    const vals = this.values(i);
    return vals && vals.every((d) => typeof d === 'number') ? (vals as number[]) : undefined;
  }

  /** The constant tensor of input i: an initializer, or the value of a Constant node. */
  constTensor(i: number): Tensor | undefined {
    return constantOf(this.node.inputs[i]);
  }

  int(name: string, fallback: number): number {
    return getInt(this.attrs, name, fallback);
  }

  ints(name: string): number[] | undefined {
    return getInts(this.attrs, name);
  }

  /** A new symbolic dimension, for sizes that depend on data. */
  fresh(): string {
    return this.#fresh();
  }

  /** Records the known values of output i. */
  setKnown(i: number, values: Dim[]): void {
    const out = this.node.outputs[i];
    if (out && values.length <= MAX_KNOWN) this.known.set(out, values);
  }
}

/** Integer tensors larger than this are data, not shape arithmetic. */
export const MAX_KNOWN = 64;

export function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** Multiplies dimensions; symbolic when any factor is. */
export function product(dims: readonly Dim[]): Dim {
  if (dims.every((d) => typeof d === 'number')) return (dims as number[]).reduce((a, b) => a * b, 1);
  const symbols = dims.filter((d) => d !== 1);
  return symbols.length === 1 ? symbols[0]! : symbols.map(String).join('*');
}
