import { CondenseError, FidelityMeter, type Fidelity, type Graph, type Runtime, type Session, type Tensor } from '@condense/core';
import { SqnrMeter } from './sqnr.js';
import type { CompressionReport, Samples } from './types.js';

/** A layer output fetched from both models by name. */
export interface Probe {
  layer: string;
  value: string;
}

export interface Measurements {
  /** Undefined when the samples held none. */
  fidelity?: Fidelity;
  accuracy?: NonNullable<CompressionReport['summary']['accuracy']>;
  latency?: NonNullable<CompressionReport['summary']['latency']>;
  /** Per probed layer: its SQNR, or why there is none. */
  sqnr: Map<string, number | { reason: string }>;
  warnings: string[];
}

export interface MeasureOptions {
  runtime: Runtime;
  before: Graph;
  after: Graph;
  samples: Samples;
  probes: Probe[];
  labels?: ArrayLike<number>;
  maxSamples: number;
  latencyRuns: number;
  onProgress: (done: number, total: number, message: string) => void;
}

const FLOAT = new Set(['float32', 'float64', 'float16', 'bfloat16']);

/** Index of the largest of `n` scores starting at `offset`. */
function argmax(scores: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  for (let c = 1; c < n; c++) if (scores[offset + c]! > scores[offset + best]!) best = c;
  return best;
}

/** The first `rows` samples of a tensor as numbers: a view for float32, widened otherwise. */
function rowsOf(t: Tensor, rows: number): ArrayLike<number> {
  const width = t.rank ? t.size / t.shape[0]! : t.size;
  const data = t.dtype === 'float32' || t.dtype === 'float64' ? (t.data() as Float32Array) : Float64Array.from(t.toNumbers());
  return data.subarray(0, rows * width);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Runs both models on the same samples in one pass over them (so a stream
 * read once is enough): the first output's fidelity, top-1 accuracy against
 * `labels`, and each probed layer's output SQNR. Then times both models on
 * the first batch, alternating, after a warm-up.
 */
export async function measure(o: MeasureOptions): Promise<Measurements> {
  const a = await o.runtime.createSession(o.before);
  try {
    const b = await o.runtime.createSession(o.after);
    try {
      const result = await evaluate(a, b, o);
      if (o.latencyRuns > 0 && result.first) result.latency = await time(a, b, result.first, o);
      return result;
    } finally {
      await b.release();
    }
  } finally {
    await a.release();
  }
}

async function evaluate(a: Session, b: Session, o: MeasureOptions): Promise<Measurements & { first?: Record<string, Tensor> }> {
  const output = a.outputNames[0]!;
  // A compressed model keeps its output names; otherwise outputs pair by position.
  const other = b.outputNames.includes(output) ? output : (b.outputNames[a.outputNames.indexOf(output)] ?? b.outputNames[0]!);
  const warnings: string[] = [];
  const sqnr = new Map<string, number | { reason: string }>();
  const meters = new Map(o.probes.map((p) => [p.layer, new SqnrMeter()]));
  let probes = o.probes;
  const fidelity = new FidelityMeter();
  const correct = { before: 0, after: 0 };
  let first: Record<string, Tensor> | undefined;
  let seen = 0;
  const values = () => [...new Set(probes.map((p) => p.value))];
  for await (const feeds of o.samples) {
    first ??= feeds;
    let ra: Record<string, Tensor>;
    let rb: Record<string, Tensor>;
    try {
      ra = await a.run(feeds, [...new Set([output, ...values()])]);
      rb = await b.run(feeds, [...new Set([other, ...values()])]);
    } catch (e) {
      if (!probes.length) throw e;
      // Some runtimes cannot expose every intermediate value; the model-level figures still stand.
      warnings.push(`The ${o.runtime.name} runtime could not fetch the layer outputs (${e instanceof Error ? e.message : String(e)}); no per-layer SQNR.`);
      for (const p of probes) sqnr.set(p.layer, { reason: 'the runtime could not fetch layer outputs' });
      probes = [];
      ra = await a.run(feeds, [output]);
      rb = await b.run(feeds, [other]);
    }
    const x = ra[output]!;
    const y = rb[other]!;
    const rows = x.rank ? x.shape[0]! : 1;
    // The last batch may run past maxSamples; only the rows within it count.
    const take = Math.min(rows, o.maxSamples - seen);
    const classes = x.rank ? x.shape[x.rank - 1]! : 1;
    const [px, py] = [rowsOf(x, take), rowsOf(y, take)];
    if (px.length !== py.length) throw new CondenseError('E_RUNTIME', `The models' outputs "${output}" and "${other}" differ in shape ([${x.shape.join(', ')}] and [${y.shape.join(', ')}]); a report compares models with the same outputs.`);
    fidelity.add(px, py, take, classes);
    if (o.labels) {
      if (o.labels.length < seen + take) throw new CondenseError('E_BAD_OPTION', `The labels end at ${o.labels.length} but the samples go on; give one label per sample.`);
      for (let i = 0; i < take; i++) {
        const label = o.labels[seen + i];
        if (argmax(px, i * classes, classes) === label) correct.before++;
        if (argmax(py, i * classes, classes) === label) correct.after++;
      }
    }
    for (const p of probes) compareLayer(p, ra[p.value]!, rb[p.value]!, take, rows, meters, sqnr);
    seen += take;
    o.onProgress(seen, o.maxSamples, 'evaluating');
    if (seen >= o.maxSamples) break;
  }
  for (const p of probes) if (!sqnr.has(p.layer)) sqnr.set(p.layer, numeric(meters.get(p.layer)!.db));
  if (!seen) {
    warnings.push('The samples held no batch: nothing was measured.');
    for (const p of probes) sqnr.set(p.layer, { reason: 'no samples' });
  }
  const accuracy = o.labels && seen ? { before: correct.before / seen, after: correct.after / seen, samples: seen } : undefined;
  return { fidelity: seen ? fidelity.result() : undefined, accuracy, sqnr, warnings, first };
}

/** NaN (no signal, no noise) has no meaning as a figure. */
const numeric = (db: number): number | { reason: string } => (Number.isNaN(db) ? { reason: 'its output is zero in both models' } : db);

function compareLayer(p: Probe, x: Tensor, y: Tensor, take: number, rows: number, meters: Map<string, SqnrMeter>, sqnr: Map<string, number | { reason: string }>): void {
  if (sqnr.has(p.layer)) return;
  if (!FLOAT.has(x.dtype) || !FLOAT.has(y.dtype)) {
    sqnr.set(p.layer, { reason: `its output is ${y.dtype} in the compressed model` });
    return;
  }
  if (x.shape.join() !== y.shape.join()) {
    sqnr.set(p.layer, { reason: `its output changed shape ([${x.shape.join(', ')}] to [${y.shape.join(', ')}])` });
    return;
  }
  // A layer whose first axis is not the batch is compared whole, and only when every row of the batch counts.
  const batched = x.rank > 0 && x.shape[0] === rows;
  if (!batched && take < rows) return;
  const n = batched ? take : x.rank ? x.shape[0]! : 1;
  meters.get(p.layer)!.add(rowsOf(x, n), rowsOf(y, n));
}

async function time(a: Session, b: Session, feeds: Record<string, Tensor>, o: MeasureOptions): Promise<NonNullable<Measurements['latency']>> {
  // Warm-up: first runs allocate and pick kernels.
  for (let i = 0; i < 2; i++) {
    await a.run(feeds);
    await b.run(feeds);
  }
  const before: number[] = [];
  const after: number[] = [];
  // Alternating runs share whatever the machine is doing at the time, so the ratio stays fair.
  for (let i = 0; i < o.latencyRuns; i++) {
    let t = performance.now();
    await a.run(feeds);
    before.push(performance.now() - t);
    t = performance.now();
    await b.run(feeds);
    after.push(performance.now() - t);
    o.onProgress(i + 1, o.latencyRuns, 'timing');
  }
  const [beforeMs, afterMs] = [median(before), median(after)];
  return { beforeMs, afterMs, ratio: afterMs / beforeMs, runs: o.latencyRuns };
}
