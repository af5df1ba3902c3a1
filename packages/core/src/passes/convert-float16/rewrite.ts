import { attr } from '../../ir/attr.js';
import { constantOf } from '../../ir/constant.js';
import type { Graph } from '../../ir/graph.js';
import type { Value } from '../../ir/value.js';
import { dtypeCode } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { float32ArrayToFloat16 } from './math.js';

/** What the pass did, for the report. */
export interface Float16Stats {
  weights: number;
  float32Bytes: number;
  float16Bytes: number;
  clamped: number;
  flushed: number;
  casts: number;
}

export function emptyStats(): Float16Stats {
  return { weights: 0, float32Bytes: 0, float16Bytes: 0, clamped: 0, flushed: 0, casts: 0 };
}

/** Every float32 constant (initializer or Constant node) of the graph. */
export function float32Constants(graph: Graph): Value[] {
  return [...graph.values()].filter((v) => constantOf(v)?.dtype === 'float32');
}

/** A new float16 initializer holding `c`'s values, counted in `stats`. */
export function addFloat16Copy(graph: Graph, c: Value, stats: Float16Stats): Value {
  const t = constantOf(c)!;
  const { bits, clamped, flushed } = float32ArrayToFloat16(t.data<'float32'>());
  stats.weights++;
  stats.float32Bytes += t.byteLength;
  stats.float16Bytes += bits.byteLength;
  stats.clamped += clamped;
  stats.flushed += flushed;
  return graph.constant(`${c.name}_float16`, Tensor.fromBytes('float16', t.shape, new Uint8Array(bits.buffer)));
}

/** Moves every use of constant `c` to `replacement`, forgets `c` and hands its name on, so weights keep their names. */
export function replaceConstant(graph: Graph, c: Value, replacement: Value): void {
  const name = c.name;
  c.replaceAllUsesWith(replacement);
  const constantNode = c.producer();
  if (constantNode) graph.remove([constantNode]);
  else graph.deleteValue(c);
  graph.rename(replacement, name);
}

/** Casts values to another float type, once per value and type: every reader of the same value shares the Cast. */
export class Casts {
  readonly #graph: Graph;
  readonly #stats: Float16Stats;
  readonly #made = new Map<Value, Map<string, Value>>();

  constructor(graph: Graph, stats: Float16Stats) {
    this.#graph = graph;
    this.#stats = stats;
  }

  to(v: Value, dtype: 'float16' | 'float32'): Value {
    const made = this.#made.get(v) ?? new Map<string, Value>();
    this.#made.set(v, made);
    const existing = made.get(dtype);
    if (existing) return existing;
    const g = this.#graph;
    const producer = v.producer();
    // Inputs and initializers exist from the start, so their Cast may go first.
    const where = producer ? { after: producer } : { before: g.firstNode };
    const cast = g.add('Cast', [v], { to: attr.int(dtypeCode(dtype)) }, { name: `${v.name}_to_${dtype}`, outputs: [g.uniqueName(`${v.name}_${dtype}`)], ...where });
    cast.output.type = { dtype, shape: v.type?.shape && [...v.type.shape] };
    made.set(dtype, cast.output);
    this.#stats.casts++;
    return cast.output;
  }
}
