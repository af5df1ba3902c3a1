import { FidelityMeter, type Graph, type Runtime, type SampleSource, type Session, type Tensor } from '@condense/core';
import type { Timing } from '../protocol.js';

export interface SideBySide {
  samples: number;
  before: Timing;
  after: Timing;
  top1Agreement: number;
  sqnrDb: number;
  /** The original model's first output over every sample, for comparing backends. */
  reference: Float32Array;
}

type Progress = (message: string, done?: number, total?: number) => void;

/**
 * Both models on one runtime: their outputs on every sample (agreement), then
 * `runs` timed runs of the first batch, alternating which model goes first so
 * neither gains from a warm cache. One warm-up run each (WebGPU compiles its
 * shaders then) is left out of the timings.
 */
export async function sideBySide(runtime: Runtime, before: Graph, after: Graph, source: SampleSource, runs: number, progress: Progress): Promise<SideBySide> {
  const batches: Array<Record<string, Tensor>> = [];
  for await (const feeds of source) batches.push(feeds);
  progress(`creating ${runtime.name} sessions`);
  const a = await runtime.createSession(before);
  try {
    const b = await runtime.createSession(after);
    try {
      return await measure(a, b, batches, runs, progress);
    } finally {
      await b.release();
    }
  } finally {
    await a.release();
  }
}

async function measure(a: Session, b: Session, batches: Array<Record<string, Tensor>>, runs: number, progress: Progress): Promise<SideBySide> {
  const output = a.outputNames[0]!;
  const other = b.outputNames.includes(output) ? output : b.outputNames[0]!;
  const meter = new FidelityMeter();
  const reference: number[] = [];
  for (const [i, feeds] of batches.entries()) {
    progress('comparing outputs', i, batches.length);
    const x = (await a.run(feeds, [output]))[output]!;
    const y = (await b.run(feeds, [other]))[other]!;
    const rows = x.rank ? x.shape[0]! : 1;
    const values = x.toNumbers();
    meter.add(values, y.toNumbers(), rows, x.rank ? x.shape[x.rank - 1]! : 1);
    reference.push(...values);
  }
  const first = batches[0]!;
  const times: [number[], number[]] = [[], []];
  const timed = async (s: Session, into: number[]) => {
    const t0 = performance.now();
    await s.run(first, [s === a ? output : other]);
    into.push(performance.now() - t0);
  };
  await timed(a, []);
  await timed(b, []);
  for (let r = 0; r < runs; r++) {
    progress('timing', r, runs);
    if (r % 2 === 0) {
      await timed(a, times[0]);
      await timed(b, times[1]);
    } else {
      await timed(b, times[1]);
      await timed(a, times[0]);
    }
  }
  const fidelity = meter.result();
  return { samples: fidelity.samples, before: timing(times[0]), after: timing(times[1]), top1Agreement: fidelity.top1Agreement, sqnrDb: fidelity.sqnrDb, reference: Float32Array.from(reference) };
}

function timing(ms: number[]): Timing {
  const sorted = [...ms].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { medianMs: median, minMs: sorted[0]! };
}
