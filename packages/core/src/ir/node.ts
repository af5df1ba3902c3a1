import { CondenseError } from '../errors.js';
import type { Attr } from './attr.js';
import type { Graph } from './graph.js';
import type { Value } from './value.js';

/** The ONNX default domain is written as the empty string, as in ONNX files. */
export const DEFAULT_DOMAIN = '';

/**
 * One operator application. Inputs may be null (an omitted optional input,
 * written "" in ONNX); so may outputs. Edit inputs with replaceInput and
 * attributes with setAttr so use lists stay right.
 */
export class Node {
  /** The operator type (`Conv`, `QuantizeLinear`, ...). */
  readonly op: string;
  /** The operator set the op belongs to; {@link DEFAULT_DOMAIN} for ONNX's own. */
  readonly domain: string;
  /** The node's name (may be empty in a file; not required to be unique). */
  name: string;
  /** Free-form documentation carried from and to the model file. */
  docString = '';
  /** Format-specific data the IR does not model, kept for a faithful round trip. */
  extensions: Record<string, unknown> = {};
  /** No prototype: a file may name an attribute "__proto__", which a plain object would swallow. */
  #attrs: Record<string, Attr> = Object.create(null);
  #inputs: Array<Value | null> = [];
  #outputs: Array<Value | null> = [];
  #graph: Graph | undefined;
  /** @internal Linked-list neighbours, owned by Graph. Kept after removal so an iterator can step on. */
  _prev: Node | undefined;
  /** @internal */
  _next: Node | undefined;

  /** @internal Nodes are made by Graph.add. */
  constructor(graph: Graph, op: string, domain: string, name: string) {
    this.#graph = graph;
    this.op = op;
    this.domain = domain;
    this.name = name;
  }

  /** The graph holding this node; undefined once removed. */
  get graph(): Graph | undefined {
    return this.#graph;
  }

  /** The inputs in order; null for an omitted optional input. Change them with replaceInput. */
  get inputs(): ReadonlyArray<Value | null> {
    return this.#inputs;
  }

  /** The outputs in order; null for an output the model does not name. */
  get outputs(): ReadonlyArray<Value | null> {
    return this.#outputs;
  }

  /** The attributes by name; read them with getInt, getInts, ... and change them with setAttr. */
  get attrs(): Readonly<Record<string, Attr>> {
    return this.#attrs;
  }

  /** The first output, which most CNN operators have exactly one of. */
  get output(): Value {
    const v = this.#outputs[0];
    if (!v) throw new CondenseError('E_MODEL_INVALID', `Node "${this.name}" (${this.op}) has no first output.`);
    return v;
  }

  /** Input `i`, or null when it is omitted or past the end. */
  input(i: number): Value | null {
    return this.#inputs[i] ?? null;
  }

  /** Sets input `index` (appending when index equals the input count). */
  replaceInput(index: number, value: Value | null): void {
    if (index < 0 || index > this.#inputs.length) {
      throw new CondenseError('E_GRAPH_MUTATION', `Node "${this.name}" has no input ${index}.`, { context: { node: this.name } });
    }
    this.#checkLive();
    if (value && value.graph !== this.#graph) {
      throw new CondenseError('E_GRAPH_MUTATION', `Value "${value.name}" belongs to another graph than node "${this.name}".`, { context: { node: this.name, value: value.name } });
    }
    const old = this.#inputs[index];
    old?._removeUse(this, index);
    this.#inputs[index] = value;
    value?._addUse(this, index);
  }

  /** Sets attribute `name`, or deletes it with undefined; keeps subgraph captures in the use lists. */
  setAttr(name: string, value: Attr | undefined): void {
    const before = new Set(this.capturedValues());
    if (value === undefined) delete this.#attrs[name];
    else {
      this.#attrs[name] = value;
      for (const g of graphsOf(value)) g._setOwner(this);
    }
    // One implicit use (index -1) per captured outer value, however many subgraphs read it.
    const after = new Set(this.capturedValues());
    for (const v of before) if (!after.has(v)) v._removeUse(this, -1);
    for (const v of after) if (!before.has(v)) v._addUse(this, -1);
  }

  /** Graphs held by this node's attributes (If branches, Loop and Scan bodies). */
  subgraphs(): Graph[] {
    return Object.values(this.#attrs).flatMap(graphsOf);
  }

  /** Values of the enclosing graph that this node's subgraphs read. */
  capturedValues(): Value[] {
    const seen = new Set<Value>();
    for (const g of this.subgraphs()) for (const inner of g.capturedValues()) if (inner.outer) seen.add(inner.outer);
    return [...seen];
  }

  /** @internal Points subgraph captures of `from` at `to` (Value.replaceAllUsesWith). */
  _retargetCapture(from: Value, to: Value): void {
    const alreadyUsed = this.capturedValues().includes(to);
    for (const g of this.subgraphs()) {
      for (const inner of g.capturedValues()) if (inner.outer === from) inner.outer = to;
    }
    from._removeUse(this, -1);
    if (!alreadyUsed) to._addUse(this, -1);
  }

  /** @internal Wires inputs and outputs; called once by Graph.add. */
  _connect(inputs: ReadonlyArray<Value | null>, outputs: ReadonlyArray<Value | null>, attrs: Record<string, Attr>): void {
    inputs.forEach((v, i) => {
      this.#inputs.push(v);
      v?._addUse(this, i);
    });
    for (const v of outputs) {
      this.#outputs.push(v);
      v?._setProducer(this);
    }
    for (const [k, a] of Object.entries(attrs)) this.setAttr(k, a);
  }

  /** @internal Unwires the node when Graph.remove takes it out. */
  _disconnect(): void {
    this.#inputs.forEach((v, i) => v?._removeUse(this, i));
    for (const v of this.capturedValues()) v._removeUse(this, -1);
    this.#graph = undefined;
  }

  #checkLive(): void {
    if (!this.#graph) {
      throw new CondenseError('E_GRAPH_MUTATION', `Node "${this.name}" was removed from its graph.`, { context: { node: this.name } });
    }
  }
}

function graphsOf(a: Attr): Graph[] {
  if (a.type === 'graph') return [a.value];
  if (a.type === 'graphs') return a.value;
  return [];
}
