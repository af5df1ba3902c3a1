import { CondenseError, type Diagnostic } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Attr } from './attr.js';
import { DEFAULT_DOMAIN, Node } from './node.js';
import { validateGraph } from './validate.js';
import { Value, type TensorType } from './value.js';

/** Options of {@link Graph.add}: the new node's name, domain, outputs and position. */
export interface AddOptions {
  /** Node name; made unique within the graph. Defaults to the op name. */
  name?: string;
  /** The operator's domain (default: ONNX's own, ''). */
  domain?: string;
  /** How many outputs to create, or their names or existing undefined values (null = omitted output). */
  outputs?: number | ReadonlyArray<string | Value | null>;
  /** Keep `name` exactly, even empty or repeated (format readers preserving a file's names). */
  keepName?: boolean;
  /** Insert before this node (default: at the end). */
  before?: Node;
  /** Insert after this node. */
  after?: Node;
}

/**
 * A computation graph with ONNX semantics. Owns its nodes (a linked ordered
 * set: O(1) insert and remove, safe to edit while iterating) and its values
 * (one producer each, use lists kept by the mutation API).
 */
export class Graph {
  /** The graph's name as the file gives it. */
  name: string;
  /** Free-form documentation carried from and to the model file. */
  docString = '';
  /** Opset imports by domain ('' is ai.onnx). Meaningful on the top-level graph. */
  opset: Record<string, number>;
  /** The graph inputs in order: the model's contract with its callers. */
  inputs: Value[] = [];
  /** The graph outputs in order; passes keep them (see Value.replaceAllUsesWith). */
  outputs: Value[] = [];
  /** Format-specific data the IR does not model, kept for a faithful round trip. */
  extensions: Record<string, unknown> = {};
  /** For a subgraph, the enclosing graph. */
  readonly parent: Graph | undefined;
  #owner: Node | undefined;
  #values = new Map<string, Value>();
  #nodeNames = new Set<string>();
  #head: Node | undefined;
  #tail: Node | undefined;
  #count = 0;

  constructor(opts: { name?: string; opset?: Record<string, number>; parent?: Graph } = {}) {
    this.name = opts.name ?? 'main';
    this.opset = opts.opset ?? { [DEFAULT_DOMAIN]: 21 };
    this.parent = opts.parent;
  }

  /** The node whose attribute holds this subgraph. */
  get owner(): Node | undefined {
    return this.#owner;
  }

  /** @internal */
  _setOwner(node: Node): void {
    this.#owner = node;
  }

  /** The top-level graph, whose opset governs every subgraph. */
  get root(): Graph {
    let g: Graph = this;
    while (g.parent) g = g.parent;
    return g;
  }

  /** The number of nodes, without walking them. */
  get nodeCount(): number {
    return this.#count;
  }

  /** Nodes in order. Editing the graph while iterating is safe: removed nodes are skipped, nodes added after the current one are visited. */
  *[Symbol.iterator](): IterableIterator<Node> {
    let n = this.#head;
    while (n) {
      if (n.graph === this) yield n;
      n = n._next;
      while (n && n.graph !== this) n = n._next;
    }
  }

  /** The first node in order, if any. */
  get firstNode(): Node | undefined {
    return this.#head;
  }

  /** The nodes in order, as an iterable (the graph itself is iterable too). */
  get nodes(): Iterable<Node> {
    return this;
  }

  /** Every value in this graph's scope: inputs, constants, node outputs and captures. */
  values(): IterableIterator<Value> {
    return this.#values.values();
  }

  /** Constants in the order they were added (ONNX initializers). */
  constants(): Value[] {
    return [...this.#values.values()].filter((v) => v.const !== undefined);
  }

  /** Values read from the enclosing scope. */
  capturedValues(): Value[] {
    return [...this.#values.values()].filter((v) => v.outer !== undefined);
  }

  /** The value called `name` in this graph's own scope, if any (see resolve for enclosing scopes). */
  value(name: string): Value | undefined {
    return this.#values.get(name);
  }

  /** A name not yet used in this graph, derived from `base`. */
  uniqueName(base: string): string {
    if (!this.#values.has(base)) return base;
    for (let i = 1; ; i++) {
      const name = `${base}_${i}`;
      if (!this.#values.has(name)) return name;
    }
  }

  #uniqueNodeName(base: string): string {
    if (!this.#nodeNames.has(base)) return base;
    for (let i = 1; ; i++) {
      const name = `${base}_${i}`;
      if (!this.#nodeNames.has(name)) return name;
    }
  }

  /**
   * Declares a value by name with no producer yet; a format reader uses it to
   * refer to values before the node producing them is read. Names must be unique.
   */
  declare(name: string, type?: TensorType): Value {
    if (this.#values.has(name)) {
      throw new CondenseError('E_MODEL_INVALID', `Value name "${name}" is defined twice in graph "${this.name}".`, {
        context: { value: name },
      });
    }
    const v = new Value(this, name, type);
    this.#values.set(name, v);
    return v;
  }

  /** Adds a graph input. */
  input(name: string, type?: TensorType): Value {
    const v = this.#values.get(name) ?? this.declare(name, type);
    if (type) v.type = type;
    if (!this.inputs.includes(v)) this.inputs.push(v);
    return v;
  }

  /** Adds a constant (an initializer), renamed if the name is taken. */
  constant(name: string, tensor: Tensor): Value {
    const v = this.declare(this.uniqueName(name));
    v.const = tensor;
    return v;
  }

  /**
   * The value a subgraph sees under `name`: its own, or one read from an
   * enclosing scope (recorded as a capture so the owning node's uses are right).
   */
  resolve(name: string): Value | undefined {
    const own = this.#values.get(name);
    if (own) return own;
    const outer = this.parent?.resolve(name);
    if (!outer) return undefined;
    const owner = this.#owner;
    const alreadyUsed = owner?.capturedValues().includes(outer);
    const captured = this.declare(name, outer.type);
    captured.outer = outer;
    // Attached already: the owning node now reads `outer` too (while building, setAttr records it).
    if (owner && !alreadyUsed) outer._addUse(owner, -1);
    return captured;
  }

  /** Adds a node; its outputs are new values unless given. */
  add(op: string, inputs: ReadonlyArray<Value | null>, attrs: Record<string, Attr> = {}, opts: AddOptions = {}): Node {
    for (const v of inputs) {
      if (v && v.graph !== this) {
        throw new CondenseError('E_GRAPH_MUTATION', `Input "${v.name}" of a new ${op} node belongs to another graph.`, {
          context: { value: v.name },
        });
      }
    }
    const name = opts.keepName ? (opts.name ?? '') : this.#uniqueNodeName(opts.name ?? op);
    const node = new Node(this, op, opts.domain ?? DEFAULT_DOMAIN, name);
    const spec = opts.outputs ?? 1;
    const outputs = (typeof spec === 'number' ? Array.from({ length: spec }, () => null as string | null) : spec).map(
      (o, i) => {
        if (o instanceof Value) {
          if (o.graph !== this || o.producer() || o.const || this.inputs.includes(o)) {
            throw new CondenseError('E_MODEL_INVALID', `Value "${o.name}" is produced more than once.`, {
              context: { value: o.name, node: name },
            });
          }
          return o;
        }
        if (o === null && typeof spec !== 'number') return null;
        return this.declare(o ?? this.uniqueName(`${name}_output_${i}`));
      },
    );
    this.#nodeNames.add(name);
    this.#link(node, opts);
    node._connect(inputs, outputs, attrs);
    return node;
  }

  #link(node: Node, opts: AddOptions): void {
    const after = opts.before ? opts.before._prev : (opts.after ?? this.#tail);
    for (const anchor of [opts.before, opts.after]) {
      if (anchor && anchor.graph !== this) {
        throw new CondenseError('E_GRAPH_MUTATION', `Anchor node "${anchor.name}" is not in graph "${this.name}".`);
      }
    }
    const before = after ? after._next : this.#head;
    node._prev = after;
    node._next = before;
    if (after) after._next = node;
    else this.#head = node;
    if (before) before._prev = node;
    else this.#tail = node;
    this.#count++;
  }

  /** Moves `node` to just before `anchor` (used by topological sorting). */
  moveBefore(node: Node, anchor: Node): void {
    if (node === anchor) return;
    this.#unlink(node);
    this.#link(node, { before: anchor });
  }

  #unlink(node: Node): void {
    if (node._prev) node._prev._next = node._next;
    else this.#head = node._next;
    if (node._next) node._next._prev = node._prev;
    else this.#tail = node._prev;
    this.#count--;
  }

  /**
   * Removes nodes whose outputs nobody outside the set uses. Either all are
   * removed or, when one output is still used or is a graph output, nothing changes.
   */
  remove(nodes: Iterable<Node>): void {
    const set = new Set(nodes);
    for (const node of set) {
      if (node.graph !== this) {
        throw new CondenseError('E_GRAPH_MUTATION', `Node "${node.name}" is not in graph "${this.name}".`, { context: { node: node.name } });
      }
      for (const out of node.outputs) {
        if (!out) continue;
        if (this.outputs.includes(out)) {
          throw new CondenseError('E_GRAPH_MUTATION', `Cannot remove "${node.name}": its output "${out.name}" is a graph output.`, {
            context: { node: node.name, value: out.name },
          });
        }
        const user = out.uses().find((u) => !set.has(u.node));
        if (user) {
          throw new CondenseError(
            'E_GRAPH_MUTATION',
            `Cannot remove "${node.name}": its output "${out.name}" is still used by "${user.node.name}".`,
            { context: { node: node.name, value: out.name } },
          );
        }
      }
    }
    for (const node of set) {
      node._disconnect();
      this.#unlink(node);
      this.#nodeNames.delete(node.name);
      for (const out of node.outputs) {
        if (!out) continue;
        out._detach();
        this.#values.delete(out.name);
      }
    }
  }

  /** Forgets a value nothing uses or produces (an unused constant or graph input). */
  deleteValue(v: Value): void {
    if (v.useCount > 0 || v.producer() || this.outputs.includes(v)) {
      throw new CondenseError('E_GRAPH_MUTATION', `Value "${v.name}" is still in use and cannot be deleted.`, { context: { value: v.name } });
    }
    this.inputs = this.inputs.filter((i) => i !== v);
    this.#values.delete(v.name);
  }

  /** Renames a value, keeping names unique. */
  rename(v: Value, name: string): void {
    if (v.graph !== this || this.#values.get(v.name) !== v) throw new CondenseError('E_GRAPH_MUTATION', `Value "${v.name}" is not in graph "${this.name}".`);
    if (v.name === name) return;
    if (this.#values.has(name)) throw new CondenseError('E_GRAPH_MUTATION', `Value name "${name}" is already taken.`);
    this.#values.delete(v.name);
    v.name = name;
    this.#values.set(name, v);
  }

  /** Puts nodes in topological order (stable: already-sorted graphs are untouched). Returns false on a cycle. */
  sortTopologically(): boolean {
    const order: Node[] = [];
    const state = new Map<Node, 1 | 2>();
    const visit = (start: Node): boolean => {
      // Iterative DFS: real models are deep enough to overflow a recursive one.
      const stack: Array<{ node: Node; i: number }> = [{ node: start, i: 0 }];
      state.set(start, 1);
      while (stack.length) {
        const top = stack[stack.length - 1]!;
        const deps = dependencies(top.node);
        if (top.i < deps.length) {
          const dep = deps[top.i++]!;
          const s = state.get(dep);
          if (s === 1) return false;
          if (s === undefined) {
            state.set(dep, 1);
            stack.push({ node: dep, i: 0 });
          }
        } else {
          state.set(top.node, 2);
          order.push(top.node);
          stack.pop();
        }
      }
      return true;
    };
    for (const n of this) if (!state.has(n) && !visit(n)) return false;
    let prev: Node | undefined;
    for (const n of order) {
      if (n._prev !== prev) {
        this.#unlink(n);
        this.#link(n, prev ? { after: prev } : { before: this.#head! });
      }
      prev = n;
    }
    return true;
  }

  /** Structural checks: see validateGraph. */
  validate(): Diagnostic[] {
    return validateGraph(this);
  }
}

function dependencies(node: Node): Node[] {
  const deps: Node[] = [];
  const g = node.graph;
  for (const v of [...node.inputs, ...node.capturedValues()]) {
    const p = v?.producer();
    if (p && p.graph === g) deps.push(p);
  }
  return deps;
}
