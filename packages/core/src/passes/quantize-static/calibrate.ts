import { CondenseError } from '../../errors.js';
import type { Graph } from '../../ir/graph.js';
import type { Value } from '../../ir/value.js';
import type { Session } from '../../runtime.js';
import type { PassContext } from '../framework/context.js';
import { createObserver, type Observer, type ObserverKind, type ObserverOptions } from './observers.js';

export interface CalibrationResult {
  ranges: Map<Value, [number, number]>;
  samples: number;
}

/**
 * Runs the float model on the calibration samples, one batch at a time, and
 * feeds every point's values to its observer. Observers keep fixed-size state,
 * so memory does not grow with the number of samples.
 */
export async function calibrate(
  session: Session,
  graph: Graph,
  points: Value[],
  ctx: PassContext<{ maxSamples: number }>,
  kind: ObserverKind,
  opts: ObserverOptions,
): Promise<CalibrationResult> {
  const observers = new Map<Value, Observer>(points.map((p) => [p, createObserver(kind, opts)]));
  // Graph inputs are read from the feeds; everything else is fetched from the run.
  const computed = points.filter((p) => !graph.inputs.includes(p));
  const max = ctx.options.maxSamples;
  let samples = 0;
  for await (const feeds of ctx.samples!) {
    const out = computed.length ? { ...feeds, ...(await session.run(feeds, computed.map((p) => p.name))) } : feeds;
    for (const [p, observer] of observers) observer.observe(out[p.name]!.data<'float32'>());
    samples += Number(Object.values(feeds)[0]?.shape[0] ?? 1);
    ctx.progress(Math.min(samples, max), max, 'calibrating');
    if (samples >= max) break;
  }
  if (samples === 0) throw new CondenseError('E_BAD_OPTION', 'The calibration data held no samples; give a file with at least one image (or other input).');
  const ranges = new Map<Value, [number, number]>();
  const blind: string[] = [];
  for (const [p, observer] of observers) {
    const range = observer.range();
    if (range) ranges.set(p, range);
    else blind.push(`"${p.name}"`);
  }
  if (blind.length) throw new CondenseError('E_BAD_OPTION', `Calibration saw no finite value for ${blind.join(', ')}; check the calibration data.`);
  return { ranges, samples };
}
