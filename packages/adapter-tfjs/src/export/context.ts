import { CondenseError, type Dim, type Graph, type Node, type Value } from '@condense/core';
import { between, identity, isReshapeOnly, permute, samePerm, type Perm } from '../layout.js';
import type { AttrValue } from '../model-json.js';
import { EVALUATED_OPS } from './evaluate.js';
import { tfAttr, type GraphDefWriter } from './graph-def.js';
import type { Placement, WeightEmitter } from './weights.js';

/** An IR value in the tfjs graph: the tensor holding it, stored = transpose(IR value, perm). */
export interface TensorRef {
  name: string;
  perm: Perm;
}

/**
 * The state of one export: which tfjs tensor holds each IR value and in which
 * layout, the weights written so far, and the nodes already folded into
 * others. Rules ask for inputs in the layout their tfjs op wants (want);
 * a value is transposed once per layout, constants are stored pre-permuted.
 */
export class ExportContext {
  readonly graph: Graph;
  readonly writer: GraphDefWriter;
  readonly weights: WeightEmitter;
  /** Values that must exist as tfjs tensors (model outputs), so no rule may fuse them away. */
  readonly kept: ReadonlySet<Value>;
  /** Nodes computed by an earlier node's tfjs op (a fused activation or bias). */
  readonly folded = new Set<Node>();
  readonly #refs = new Map<Value, TensorRef>();
  readonly #layouts = new Map<Value, Map<string, string>>();
  readonly #constant = new Map<Value, boolean>();

  constructor(graph: Graph, writer: GraphDefWriter, weights: WeightEmitter, kept: ReadonlySet<Value>) {
    this.graph = graph;
    this.writer = writer;
    this.weights = weights;
    this.kept = kept;
  }

  /** True for values computed from constants alone (weights, decoded or not): they are stored, not computed. */
  isConstant(v: Value | null | undefined): boolean {
    if (!v) return false;
    let known = this.#constant.get(v);
    if (known === undefined) {
      const p = v.producer();
      // An input with an initializer keeps its default: tfjs models have no optional inputs.
      if (v.const) known = true;
      else if (this.graph.inputs.includes(v)) known = false;
      else if (!p || p.domain !== '') known = false;
      else if (p.op === 'Constant') known = true;
      else known = EVALUATED_OPS.has(p.op) && p.inputs.every((i) => !i || this.isConstant(i));
      this.#constant.set(v, known);
    }
    return known;
  }

  define(v: Value, ref: TensorRef): void {
    this.#refs.set(v, ref);
  }

  /** Where `v` lives, in whatever layout its producer left it. */
  ref(v: Value): TensorRef {
    const r = this.#refs.get(v);
    if (r) return r;
    if (this.isConstant(v)) return { name: this.want(v, identity(this.rank(v))), perm: identity(this.rank(v)) };
    throw new CondenseError('E_INTERNAL', `"${v.name}" is used before the exporter produced it.`, { context: { value: v.name } });
  }

  /** The IR rank of `v`. */
  rank(v: Value): number {
    const known = v.const?.rank ?? v.type?.shape?.length;
    if (known === undefined) throw new CondenseError('E_SHAPE_INFERENCE', `"${v.name}" has no known rank.`, { context: { value: v.name } });
    return known;
  }

  /** The IR shape of `v`, when every dimension is a number. */
  shape(v: Value): number[] | undefined {
    const s = v.const?.shape ?? v.type?.shape;
    return s && s.every((d): d is number => typeof d === 'number') ? [...s] : undefined;
  }

  dims(v: Value): Dim[] | undefined {
    return v.const ? [...v.const.shape] : v.type?.shape;
  }

  /**
   * `v` stored by `perm` (rank-`perm.length`; a value of lower rank is
   * broadcast-aligned with leading axes of size 1). Constants are written
   * already permuted; values get one Transpose, or a Reshape when only axes of
   * size 1 move.
   */
  want(v: Value, perm: Perm): string {
    const key = perm.join(',');
    let cache = this.#layouts.get(v);
    if (!cache) this.#layouts.set(v, (cache = new Map()));
    const hit = cache.get(key);
    if (hit) return hit;
    let out: string;
    if (this.isConstant(v)) out = this.weights.emit(v, { perm });
    else {
      let r = this.ref(v);
      if (r.perm.length < perm.length) r = this.#expanded(v, r, perm.length);
      out = samePerm(r.perm, perm) ? r.name : this.#moved(v, r, perm);
    }
    cache.set(key, out);
    return out;
  }

  /** A constant placed as a tfjs op wants it (reshaped after the permute: depthwise filters). */
  placed(v: Value, placement: Placement): string {
    if (!this.isConstant(v)) {
      if (!placement.shape) return this.want(v, placement.perm);
      return this.writer.op('Reshape', `${v.name}/reshaped`, [this.want(v, placement.perm), this.int32(`${v.name}/shape`, placement.shape)]);
    }
    return this.weights.emit(v, placement);
  }

  /** Leading axes of size 1, so a lower-rank value broadcasts against a higher-rank one in a permuted layout. */
  #expanded(v: Value, r: TensorRef, rank: number): TensorRef {
    let name = this.want(v, identity(r.perm.length));
    for (let i = r.perm.length; i < rank; i++) name = this.writer.op('ExpandDims', `${v.name}/expanded`, [name, this.int32(`${v.name}/expand_axis`, [0], [])], {});
    return { name, perm: identity(rank) };
  }

  #moved(v: Value, r: TensorRef, perm: Perm): string {
    const move = between(r.perm, perm);
    const shape = this.dims(v);
    const stored = shape && padTo(shape, perm.length);
    const from = stored && permute(stored, r.perm);
    if (from && isReshapeOnly(from, move)) {
      const target = permute(stored, perm).map((d) => (typeof d === 'number' ? d : -1));
      if (target.filter((d) => d === -1).length <= 1) return this.writer.op('Reshape', `${v.name}/${perm.join('')}`, [r.name, this.int32(`${v.name}/${perm.join('')}_shape`, target)]);
    }
    return this.writer.op('Transpose', `${v.name}/${perm.join('')}`, [r.name, this.int32(`${v.name}/perm_${perm.join('')}`, move)], { Tperm: tfAttr.type('int32') });
  }

  /** A small int32 constant (shapes, axes, permutations), stored raw. */
  int32(base: string, values: readonly number[], shape: readonly number[] = [values.length]): string {
    return this.writer.constant(base, { dtype: 'int32', shape: [...shape], bytes: new Uint8Array(Int32Array.from(values).buffer) });
  }

  float32(base: string, value: number): string {
    return this.writer.constant(base, { dtype: 'float32', shape: [], bytes: new Uint8Array(Float32Array.of(value).buffer) });
  }

  /** Adds a tfjs op computing IR value `out`, named after it, and records where it lives. */
  emit(out: Value, op: string, inputs: readonly string[], perm: Perm, attrs: Record<string, AttrValue> = {}): string {
    const name = this.writer.op(op, out.name, inputs, attrs);
    this.define(out, { name, perm });
    return name;
  }

  /** The one node reading `v`, when there is exactly one and `v` need not exist on its own. */
  soleReader(v: Value): Node | undefined {
    const uses = v.uses();
    if (uses.length !== 1 || this.kept.has(v) || v.isGraphOutput()) return undefined;
    return uses[0]!.node;
  }

  /** Scalar or 1-element constant as a number. */
  scalar(v: Value | null | undefined): number | undefined {
    if (!v || !this.isConstant(v)) return undefined;
    const t = this.weights.values(v);
    return t.data.length === 1 ? t.data[0] : undefined;
  }

  /** Elements of a constant (axes, shapes, pads). */
  numbers(v: Value | null | undefined): number[] | undefined {
    return v && this.isConstant(v) ? Array.from(this.weights.values(v).data) : undefined;
  }
}

function padTo(shape: readonly Dim[], rank: number): Dim[] {
  return [...new Array<Dim>(rank - shape.length).fill(1), ...shape];
}
