import { CondenseError } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Graph } from './graph.js';
import type { Node } from './node.js';

/** A dimension: a size, or a symbol shared by dimensions known to be equal (batch, height...). */
export type Dim = number | string;

/** A tensor's element type and, when known, its shape (undefined shape = unknown rank). */
export interface TensorType {
  /** The element type. */
  dtype: DType;
  /** The dimensions; undefined when even the rank is unknown. */
  shape?: Dim[];
}

/**
 * One use of a value: input `index` of `node`. Index -1 means a subgraph of
 * `node` (an If/Loop/Scan body) reads the value from the enclosing scope.
 */
export interface Use {
  /** The node that reads the value. */
  node: Node;
  /** Which of its inputs reads it; -1 for a read from inside its subgraphs. */
  index: number;
}

/**
 * Where a value comes from: a node's output, a graph input, a constant
 * (initializer), a capture of an enclosing scope's value, or nothing yet.
 */
export type ValueKind = 'node-output' | 'graph-input' | 'constant' | 'captured' | 'undefined';

/**
 * A named tensor flowing through the graph. Its producer and use list change only
 * through the mutation API (Node.replaceInput, Value.replaceAllUsesWith,
 * Graph.add/remove), so they are always right.
 */
export class Value {
  /** The value's name, unique within its graph; ONNX wires nodes together by it. */
  name: string;
  /** Element type and shape, when known (shape inference fills it in). */
  type: TensorType | undefined;
  /** Free-form documentation carried from and to the model file. */
  docString = '';
  /** Format-specific data the IR does not model, kept for a faithful round trip. */
  extensions: Record<string, unknown> = {};
  /** In a subgraph, the value of the enclosing scope that this name refers to. */
  outer: Value | undefined;
  #graph: Graph;
  #const: Tensor | undefined;
  #producer: Node | undefined;
  #uses: Use[] = [];

  /** @internal Values are made by Graph.input/constant/add. */
  constructor(graph: Graph, name: string, type?: TensorType) {
    this.#graph = graph;
    this.name = name;
    this.type = type;
  }

  /** The graph this value belongs to. */
  get graph(): Graph {
    return this.#graph;
  }

  /** The constant tensor (an ONNX initializer), if this value is one. */
  get const(): Tensor | undefined {
    return this.#const;
  }

  /** Makes the value a constant holding `tensor` (its type follows), or not a constant with undefined. */
  set const(tensor: Tensor | undefined) {
    if (tensor && this.#producer) {
      throw new CondenseError('E_GRAPH_MUTATION', `Value "${this.name}" is produced by a node and cannot also be a constant.`, {
        context: { value: this.name },
      });
    }
    this.#const = tensor;
    if (tensor) this.type = { dtype: tensor.dtype, shape: [...tensor.shape] };
  }

  /** Where the value comes from. */
  get kind(): ValueKind {
    if (this.#producer) return 'node-output';
    if (this.#graph.inputs.includes(this)) return 'graph-input';
    if (this.#const) return 'constant';
    if (this.outer) return 'captured';
    return 'undefined';
  }

  /** The node whose output this is, or undefined for inputs, constants and captures. */
  producer(): Node | undefined {
    return this.#producer;
  }

  /** A copy of the use list, so a caller may edit the graph while walking it. */
  uses(): Use[] {
    return this.#uses.map((u) => ({ ...u }));
  }

  /** How many node inputs (and subgraph captures) read this value, without copying the use list. */
  get useCount(): number {
    return this.#uses.length;
  }

  /** Whether the graph returns this value as one of its outputs. */
  isGraphOutput(): boolean {
    return this.#graph.outputs.includes(this);
  }

  /**
   * Points every use of this value at `other`. A graph output is part of the
   * model's contract, so it is moved only when asked with replaceGraphOutputs.
   */
  replaceAllUsesWith(other: Value, opts: { replaceGraphOutputs?: boolean } = {}): void {
    if (other === this) return;
    if (other.graph !== this.#graph) {
      throw new CondenseError('E_GRAPH_MUTATION', `Cannot replace "${this.name}" with "${other.name}" from another graph.`, { context: { value: this.name } });
    }
    const outputs = this.#graph.outputs;
    if (outputs.includes(this) && !opts.replaceGraphOutputs) {
      throw new CondenseError(
        'E_GRAPH_MUTATION',
        `Value "${this.name}" is a graph output; pass { replaceGraphOutputs: true } to replace it.`,
        { context: { value: this.name } },
      );
    }
    for (const use of this.uses()) {
      if (use.index >= 0) use.node.replaceInput(use.index, other);
      else use.node._retargetCapture(this, other);
    }
    if (opts.replaceGraphOutputs) {
      for (let i = 0; i < outputs.length; i++) if (outputs[i] === this) outputs[i] = other;
    }
  }

  /** @internal */
  _setProducer(node: Node | undefined): void {
    this.#producer = node;
  }

  /** @internal */
  _addUse(node: Node, index: number): void {
    this.#uses.push({ node, index });
  }

  /** @internal */
  _removeUse(node: Node, index: number): void {
    const i = this.#uses.findIndex((u) => u.node === node && u.index === index);
    if (i >= 0) this.#uses.splice(i, 1);
  }

  /** @internal Called when the graph forgets this value. */
  _detach(): void {
    this.#uses = [];
    this.#producer = undefined;
  }
}
