import { CondenseError, Tensor, type Attr, type Graph, type Value } from '@condense/core';
import type { IndexedModel, Source } from '../ir/indexed.js';
import { describeLayer, type OvLayer } from '../ir/model.js';
import { LayerAttrs } from '../ops/attrs.js';
import { materialize } from './materialize.js';
import { ReaderStatics, type OvStatic } from './statics.js';

/** What a raising rule works with: the indexed IR, its static values, and the graph being built. */
export class RaiseContext {
  readonly statics: ReaderStatics;
  readonly #values = new Map<string, Value>();
  readonly #materialized = new Map<string, Value>();
  readonly #absorbed = new Set<OvLayer>();

  constructor(
    readonly indexed: IndexedModel,
    readonly graph: Graph,
  ) {
    this.statics = new ReaderStatics(indexed);
  }

  attrs(layer: OvLayer): LayerAttrs {
    return new LayerAttrs(layer.data);
  }

  source(layer: OvLayer, i: number): Source | undefined {
    return this.indexed.source(layer, i);
  }

  /** The static form of input `i`, when the IR decodes it from constants. */
  static(layer: OvLayer, i: number): OvStatic | undefined {
    return this.statics.resolve(this.source(layer, i));
  }

  /** Numbers of a Const input (axes, orders, pads). */
  numbers(layer: OvLayer, i: number): number[] | undefined {
    return this.statics.numbers(this.source(layer, i));
  }

  /** Input `i` of `layer` as a graph value; static inputs become constants (viewed with `shape` when given). */
  input(layer: OvLayer, i: number, shape?: readonly number[]): Value {
    const source = this.source(layer, i);
    if (!source) throw this.fail(layer, `input ${i} is not connected`);
    return this.valueOf(source, shape);
  }

  valueOf(source: Source, shape?: readonly number[]): Value {
    const key = `${source.layer.id}:${source.index}`;
    const form = this.statics.resolve(source);
    if (form) {
      const memo = `${key}|${shape?.join(',') ?? ''}`;
      let v = this.#materialized.get(memo);
      if (!v) {
        const viewed = shape ? this.statics.reshaped(form, [...shape]) : form;
        const base = source.port.names[0] ?? source.layer.name;
        v = viewed ? materialize(this, viewed, this.graph.uniqueName(base)) : this.#reshape(materialize(this, form, this.graph.uniqueName(base)), shape!, base);
        this.#materialized.set(memo, v);
      }
      return v;
    }
    const v = this.#values.get(key);
    if (!v) throw new CondenseError('E_INTERNAL', `${describeLayer(source.layer)} output ${source.index} was read before it was raised.`);
    return shape ? this.#reshape(v, shape, v.name) : v;
  }

  #reshape(v: Value, shape: readonly number[], base: string): Value {
    const target = this.graph.constant(`${base}_shape`, tensorOfInts(shape));
    return this.node('Reshape', [v, target], {}, `${base}_reshaped`);
  }

  /** Adds a node with one output; its value takes `name` (made unique). */
  node(op: string, inputs: ReadonlyArray<Value | null>, attrs: Record<string, Attr>, name: string): Value {
    const out = this.graph.uniqueName(name);
    return this.graph.add(op, inputs, attrs, { name, outputs: [out] }).output;
  }

  /** Adds the node a layer becomes; its output is named after the layer's output tensor. */
  raise(layer: OvLayer, op: string, inputs: ReadonlyArray<Value | null>, attrs: Record<string, Attr> = {}, outputOf: OvLayer = layer): Value {
    const out = this.graph.uniqueName(outputName(outputOf));
    const v = this.graph.add(op, inputs, attrs, { name: layer.name, outputs: [out] }).output;
    this.define(outputOf, 0, v);
    return v;
  }

  define(layer: OvLayer, index: number, v: Value): void {
    this.#values.set(`${layer.id}:${index}`, v);
  }

  /** The only reader of output 0 of `layer`, when there is exactly one and it is of `type`. */
  soleReader(layer: OvLayer, type: string): { layer: OvLayer; index: number } | undefined {
    const readers = this.indexed.readers(layer, 0);
    return readers.length === 1 && readers[0]!.layer.type === type ? readers[0] : undefined;
  }

  /** Marks a layer as folded into the node of an earlier one (a bias Add into Conv or Gemm). */
  absorb(layer: OvLayer): void {
    this.#absorbed.add(layer);
  }

  isAbsorbed(layer: OvLayer): boolean {
    return this.#absorbed.has(layer);
  }

  fail(layer: OvLayer, why: string): CondenseError {
    return new CondenseError('E_UNSUPPORTED_OP', `Cannot read OpenVINO ${describeLayer(layer)}: ${why}.`, { context: { node: layer.name, adapter: 'openvino' } });
  }
}

/** A layer output's name: its first tensor name, else the layer's name. */
export function outputName(layer: OvLayer, index = 0): string {
  return layer.outputs[index]?.names[0] ?? (index ? `${layer.name}:${index}` : layer.name);
}

function tensorOfInts(values: readonly number[]) {
  return Tensor.from('int64', [values.length], values.map(BigInt));
}
