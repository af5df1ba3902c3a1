import { CondenseError, Tensor, type Graph, type Node, type Value } from '@condense/core';
import { elementTypeOf, type ElementType } from '../ir/element-type.js';
import { OvBuilder, type AttrValue, type PortRef } from './builder.js';
import type { ResolvedOptions } from './options.js';
import type { StaticResolver } from './statics.js';
import { emitStatic } from './weights.js';

/** What a lowering rule works with: the graph, its static values, and the IR being built. */
export class LowerContext {
  readonly builder = new OvBuilder();
  readonly #ports = new Map<Value, PortRef>();
  readonly #emitted = new Map<string, PortRef>();

  constructor(
    readonly graph: Graph,
    readonly statics: StaticResolver,
    readonly options: ResolvedOptions,
  ) {}

  /** Weights are stored as f16 (with a Convert to f32). */
  get half(): boolean {
    return this.options.precision === 'f16';
  }

  /** Input `i` of `node` as a port; a static value becomes constants, viewed with `shape` when given. */
  input(node: Node, i: number, shape?: readonly number[]): PortRef {
    const v = node.inputs[i];
    if (!v) throw new CondenseError('E_INTERNAL', `${node.op} "${node.name}" has no input ${i}.`);
    return this.value(v, shape);
  }

  value(v: Value, shape?: readonly number[]): PortRef {
    const form = this.statics.resolve(v);
    if (form) {
      const key = `${v.name}\u0000${shape?.join(',') ?? ''}`;
      let port = this.#emitted.get(key);
      if (!port) this.#emitted.set(key, (port = emitStatic(this, form, v.name, shape)));
      return port;
    }
    const port = this.#ports.get(v);
    if (!port) throw new CondenseError('E_INTERNAL', `Value "${v.name}" was read before it was lowered.`, { context: { value: v.name } });
    if (shape) return this.add('Reshape', { special_zero: false }, [port, this.ints(shape, `${v.name}/shape`)], `${v.name}/reshape`);
    return port;
  }

  /** True once `v` is computed by a lowered layer. */
  has(v: Value): boolean {
    return this.#ports.has(v);
  }

  /** The element type of a graph input's Parameter. */
  paramType(v: Value): ElementType {
    const type = v.type && elementTypeOf(v.type.dtype);
    if (!type) throw new CondenseError('E_INTERNAL', `Graph input "${v.name}" has no OpenVINO element type.`);
    return type;
  }

  /** Records that `v` is computed by `port`, naming the port's tensor after it. */
  define(v: Value | null | undefined, port: PortRef): void {
    if (!v) return;
    this.#ports.set(v, port);
    const out = port.layer.outputs[port.index]!;
    if (!out.names.includes(v.name)) out.names.push(v.name);
  }

  /** Adds a layer and returns its first output. */
  add(type: string, data: Record<string, AttrValue | undefined>, inputs: readonly PortRef[], name: string, rtInfo?: Array<{ name: string; version: string }>): PortRef {
    return this.builder.add(type, data, inputs, { name, rtInfo })[0]!;
  }

  /** An integer constant: a list, or a scalar when `shape` is []. */
  ints(values: readonly number[], name: string, shape: readonly number[] = [values.length], type: ElementType = 'i64'): PortRef {
    const tensor = type === 'i64' ? Tensor.from('int64', shape, values.map(BigInt)) : Tensor.from('int32', shape, values);
    return this.builder.constant(tensor, name);
  }

  /** A float32 constant made from an attribute (never compressed: it is part of the op, not a weight). */
  floats(values: readonly number[], name: string, shape: readonly number[] = [values.length]): PortRef {
    return this.builder.constant(Tensor.from('float32', shape, values), name);
  }
}
