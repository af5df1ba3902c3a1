import { chooseParams, quantRange, quantize, type QuantRange } from '../quantize-weights/math.js';
import { Histogram } from './histogram.js';

/**
 * How calibration turns the activations it sees into a range [lo, hi] to
 * quantize onto. MinMax keeps every outlier; the others trade the rare extreme
 * values for finer steps where most values lie.
 */
export type ObserverKind = 'minmax' | 'moving-average' | 'percentile' | 'entropy' | 'mse';
export const OBSERVER_KINDS: readonly ObserverKind[] = ['minmax', 'moving-average', 'percentile', 'entropy', 'mse'];

export interface Observer {
  observe(values: Float32Array): void;
  /** The calibrated range, or undefined when no finite value was seen. */
  range(): [number, number] | undefined;
}

export interface ObserverOptions {
  /** Percentile kept by the percentile observer (99.999 keeps all but 1 in 100,000). */
  percentile: number;
  /** Weight of each new batch in the moving average. */
  averagingConstant: number;
  /** The activations' integer range. */
  target: QuantRange;
}

function finiteMinMax(values: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // NaN compares false above; infinities are skipped only when they are the extremes.
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = Infinity;
    hi = -Infinity;
    for (const v of values) {
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return [lo, hi];
}

class MinMax implements Observer {
  lo = Infinity;
  hi = -Infinity;
  observe(values: Float32Array): void {
    const [lo, hi] = finiteMinMax(values);
    this.lo = Math.min(this.lo, lo);
    this.hi = Math.max(this.hi, hi);
  }
  range(): [number, number] | undefined {
    return this.lo <= this.hi ? [this.lo, this.hi] : undefined;
  }
}

/** Exponential moving average of each batch's min and max (the first batch sets them). */
class MovingAverage implements Observer {
  lo = NaN;
  hi = NaN;
  constructor(private readonly c: number) {}
  observe(values: Float32Array): void {
    const [lo, hi] = finiteMinMax(values);
    if (!(lo <= hi)) return;
    if (Number.isNaN(this.lo)) [this.lo, this.hi] = [lo, hi];
    else {
      this.lo += this.c * (lo - this.lo);
      this.hi += this.c * (hi - this.hi);
    }
  }
  range(): [number, number] | undefined {
    return Number.isNaN(this.lo) ? undefined : [this.lo, this.hi];
  }
}

abstract class HistogramObserver implements Observer {
  readonly hist = new Histogram();
  observe(values: Float32Array): void {
    const [lo, hi] = finiteMinMax(values);
    this.hist.add(values, lo, hi);
  }
  range(): [number, number] | undefined {
    return this.hist.total ? this.choose() : undefined;
  }
  protected abstract choose(): [number, number];
}

/** Drops the (100 - p)% most extreme values, half from each tail. */
class Percentile extends HistogramObserver {
  constructor(private readonly p: number) {
    super();
  }
  protected choose(): [number, number] {
    const tail = (1 - this.p / 100) / 2;
    const h = this.hist;
    // A one-sided distribution (after a ReLU) keeps its floor.
    const lo = h.lo >= 0 ? h.lo : h.quantile(tail);
    return [lo, h.quantile(1 - tail)];
  }
}

/**
 * Candidate clipping ranges: each end of the observed range shrunk towards zero
 * on its own grid, since outliers are rarely symmetric (one end may need
 * clipping and the other none). A one-sided range keeps its zero end.
 */
function candidates(h: Histogram, steps = 24): Array<[number, number]> {
  const ends = (edge: number) => (edge === 0 ? [0] : Array.from({ length: steps }, (_, k) => (edge * (steps - k)) / steps));
  const out: Array<[number, number]> = [];
  for (const lo of ends(Math.min(0, h.lo))) for (const hi of ends(Math.max(0, h.hi))) out.push([lo, hi]);
  return out;
}

/** The candidate range with the least expected squared error once values are quantized (clipping and rounding together). */
class Mse extends HistogramObserver {
  constructor(private readonly target: QuantRange) {
    super();
  }
  protected choose(): [number, number] {
    const h = this.hist;
    let best: [number, number] = [h.lo, h.hi];
    let bestError = Infinity;
    for (const [lo, hi] of candidates(h)) {
      const { scale, zeroPoint } = chooseParams(lo, hi, this.target, false);
      let error = 0;
      for (let i = 0; i < h.bins; i++) {
        const n = h.counts[i]!;
        if (n === 0) continue;
        const x = h.centre(i);
        const d = x - (quantize(x, scale, zeroPoint, this.target) - zeroPoint) * scale;
        error += n * d * d;
      }
      if (error < bestError) [bestError, best] = [error, [lo, hi]];
    }
    return best;
  }
}

/**
 * The candidate range whose quantized distribution is closest to the observed
 * one in Kullback-Leibler divergence (TensorRT's entropy calibration): values
 * past the range are folded into the edge bins, the kept bins are merged into
 * as many levels as the integer type has and spread back, and the two
 * distributions are compared.
 */
class Entropy extends HistogramObserver {
  constructor(private readonly target: QuantRange) {
    super();
  }
  protected choose(): [number, number] {
    const h = this.hist;
    const levels = this.target.qmax - this.target.qmin + 1;
    let best: [number, number] = [h.lo, h.hi];
    let bestKl = Infinity;
    // The bin holding 0 is left out: zero is exact in any range, and a ReLU's spike there would swamp the comparison.
    const counts = Float64Array.from(h.counts);
    const zero = Math.floor(-h.lo / h.width);
    if (zero >= 0 && zero < h.bins) counts[zero] = 0;
    for (const [lo, hi] of candidates(h)) {
      const first = Math.max(0, Math.floor((lo - h.lo) / h.width));
      const last = Math.min(h.bins - 1, Math.ceil((hi - h.lo) / h.width) - 1);
      const kept = last - first + 1;
      if (kept < levels) continue;
      const p = counts.slice(first, last + 1);
      for (let i = 0; i < first; i++) p[0]! += counts[i]!;
      for (let i = last + 1; i < h.bins; i++) p[kept - 1]! += counts[i]!;
      const q = new Float64Array(kept);
      for (let l = 0; l < levels; l++) {
        const a = Math.floor((l * kept) / levels);
        const b = Math.floor(((l + 1) * kept) / levels);
        let sum = 0;
        let nonzero = 0;
        for (let i = a; i < b; i++) {
          sum += counts[first + i]!;
          if (counts[first + i]! > 0) nonzero++;
        }
        for (let i = a; i < b; i++) if (counts[first + i]! > 0) q[i] = sum / nonzero;
      }
      const kl = divergence(p, q);
      if (kl < bestKl) [bestKl, best] = [kl, [lo, hi]];
    }
    return best;
  }
}

/** KL(p || q) of two unnormalised histograms; bins where q is empty but p is not cost a fixed penalty instead of infinity. */
function divergence(p: Float64Array, q: Float64Array): number {
  let ps = 0;
  let qs = 0;
  for (let i = 0; i < p.length; i++) {
    ps += p[i]!;
    qs += q[i]!;
  }
  let kl = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) continue;
    const pi = p[i]! / ps;
    const qi = qs > 0 ? q[i]! / qs : 0;
    kl += qi > 0 ? pi * Math.log(pi / qi) : pi * 20;
  }
  return kl;
}

export function createObserver(kind: ObserverKind, opts: ObserverOptions): Observer {
  switch (kind) {
    case 'minmax':
      return new MinMax();
    case 'moving-average':
      return new MovingAverage(opts.averagingConstant);
    case 'percentile':
      return new Percentile(opts.percentile);
    case 'entropy':
      return new Entropy(opts.target);
    case 'mse':
      return new Mse(opts.target);
  }
}

/** uint8 activations, asymmetric: the range quantize-static gives every activation. */
export const ACTIVATION_RANGE = quantRange(8, false, false);
