import { describe, expect, it } from 'vitest';
import { Histogram } from '../src/passes/quantize-static/histogram.js';
import { ACTIVATION_RANGE, createObserver, type ObserverKind } from '../src/passes/quantize-static/observers.js';

// mulberry32: a small generator whose consecutive outputs are independent enough for Gaussian tails.
let seed = 7;
const uniform = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
};
/** Standard normal samples (Box-Muller). */
const gaussian = (n: number) => Float32Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()));
const opts = { percentile: 99.9, averagingConstant: 0.5, target: ACTIVATION_RANGE };

function rangeOf(kind: ObserverKind, batches: Float32Array[]): [number, number] {
  const o = createObserver(kind, opts);
  for (const b of batches) o.observe(b);
  return o.range()!;
}

describe('calibration observers', () => {
  // A Gaussian batch plus one far outlier: the outlier sets MinMax's range and should not set the others'.
  const batches = [gaussian(20_000), Float32Array.of(...gaussian(9_999), 40)];

  it('minmax keeps every value; moving-average averages per-batch ranges', () => {
    const [lo, hi] = rangeOf('minmax', batches);
    expect(hi).toBe(40);
    expect(lo).toBeLessThan(-3);
    const first = rangeOf('minmax', [batches[0]!]);
    const [, avgHi] = rangeOf('moving-average', batches);
    expect(avgHi).toBeCloseTo(first[1] + 0.5 * (40 - first[1]), 5);
  });

  it('percentile and entropy clip the outlier and keep the bulk of the distribution', () => {
    for (const kind of ['percentile', 'entropy'] as const) {
      const [lo, hi] = rangeOf(kind, batches);
      expect(hi, kind).toBeLessThan(15);
      expect(hi, kind).toBeGreaterThan(2.5);
      expect(lo, kind).toBeLessThan(-2.5);
    }
    // 99.9% two-sided keeps about ±3.3 standard deviations.
    const [lo, hi] = rangeOf('percentile', batches);
    expect(hi).toBeGreaterThan(3.0);
    expect(hi).toBeLessThan(3.7);
    expect(lo).toBeLessThan(-3.0);
  });

  it('mse clips a Gaussian where the squared error is least: about 2.5 sigma at 4 bits, far inside its extremes', () => {
    const o = createObserver('mse', { ...opts, target: { qmin: 0, qmax: 15 } });
    o.observe(gaussian(30_000));
    const [lo, hi] = o.range()!;
    expect(hi).toBeGreaterThan(1.9);
    expect(hi).toBeLessThan(3.1);
    expect(lo).toBeLessThan(-1.9);
    expect(lo).toBeGreaterThan(-3.1);
  });

  it('keeps the floor of a ReLU output at zero', () => {
    const relu = [gaussian(10_000).map((v) => Math.max(0, v))];
    for (const kind of ['percentile', 'entropy', 'mse'] as const) expect(rangeOf(kind, relu)[0], kind).toBe(0);
  });

  it('reports no range when nothing finite was seen', () => {
    for (const kind of ['minmax', 'moving-average', 'percentile'] as const) {
      const o = createObserver(kind, opts);
      o.observe(Float32Array.of(NaN, Infinity));
      expect(o.range(), kind).toBeUndefined();
    }
  });
});

describe('growing histogram', () => {
  it('keeps every count when later batches widen the range, at fixed size', () => {
    const h = new Histogram(256);
    h.add(Float32Array.of(0, 0.5, 1), 0, 1);
    h.add(Float32Array.of(-10, 10), -10, 10);
    expect(h.counts.length).toBe(256);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(5);
    expect([h.lo, h.hi]).toEqual([-10, 10]);
    expect(h.quantile(0.2)).toBeCloseTo(-10, 0);
    expect(h.quantile(1)).toBeCloseTo(10, 0);
  });
});
