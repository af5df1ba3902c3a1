import { CondenseError } from '../../errors.js';
import type { Graph } from '../../ir/graph.js';
import type { Value } from '../../ir/value.js';
import type { Session } from '../../runtime.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { PassContext } from '../framework/context.js';
import { createObserver, type Observer, type ObserverKind, type ObserverOptions } from './observers.js';

export interface CalibrationResult {
  ranges: Map<Value, [number, number]>;
  /** Points with no finite value in any sample (empty, or NaN/infinite throughout): they stay float. */
  blind: Value[];
  samples: number;
}

/**
 * Runs the float model on the calibration samples and feeds every point's
 * values to its observer. With `workers` sessions, that many batches run at
 * once (the runtime computes off the main thread; observers update here, one
 * batch at a time). Observers keep fixed-size state and at most `workers`
 * batches are in flight, so memory does not grow with the number of samples.
 */
export async function calibrate(
  session: Session,
  graph: Graph,
  points: Value[],
  ctx: PassContext<{ maxSamples: number; workers: number }>,
  kind: ObserverKind,
  opts: ObserverOptions,
): Promise<CalibrationResult> {
  const observers = new Map<Value, Observer>(points.map((p) => [p, createObserver(kind, opts)]));
  // Graph inputs are read from the feeds; everything else is fetched from the run.
  const computed = points.filter((p) => !graph.inputs.includes(p));
  const max = ctx.options.maxSamples;
  const extra = await Promise.all(Array.from({ length: ctx.options.workers - 1 }, () => ctx.runtime!.createSession(graph)));
  const idle = [session, ...extra];
  const inFlight = new Set<Promise<void>>();
  let samples = 0;
  let queued = 0;
  const observe = async (worker: Session, feeds: Record<string, Tensor>, rows: number) => {
    const out = computed.length ? { ...feeds, ...(await worker.run(feeds, computed.map((p) => p.name))) } : feeds;
    idle.push(worker);
    for (const [p, observer] of observers) observer.observe(out[p.name]!.data<'float32'>());
    samples += rows;
    ctx.progress(Math.min(samples, max), max, 'calibrating');
  };
  try {
    for await (const feeds of ctx.samples!) {
      const rows = Number(Object.values(feeds)[0]?.shape[0] ?? 1);
      const job: Promise<void> = observe(idle.pop()!, feeds, rows).finally(() => inFlight.delete(job));
      inFlight.add(job);
      // Its failure surfaces through race/all below; until then it must not count as unhandled.
      job.catch(() => {});
      queued += rows;
      if (queued >= max) break;
      if (idle.length === 0) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await Promise.allSettled(inFlight);
    await Promise.all(extra.map((s) => s.release()));
  }
  if (samples === 0) throw new CondenseError('E_BAD_OPTION', 'The calibration data held no samples; give a file with at least one image (or other input).');
  const ranges = new Map<Value, [number, number]>();
  const blind: Value[] = [];
  for (const [p, observer] of observers) {
    const range = observer.range();
    if (range) ranges.set(p, range);
    else blind.push(p);
  }
  // Some blind points (an empty tensor, a channel poisoned by NaN weights) leave those values float; all blind means the data is at fault.
  if (blind.length && ranges.size === 0) throw new CondenseError('E_BAD_OPTION', `Calibration saw no finite value for ${blind.map((p) => `"${p.name}"`).join(', ')}; check the calibration data.`);
  return { ranges, blind, samples };
}
