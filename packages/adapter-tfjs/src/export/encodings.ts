import { float16BitsToNumber, float32ToFloat16Bits } from '@condense/core';

/**
 * How a float tensor can be stored in a tfjs weights shard. tfjs's loader
 * turns uint8/uint16 q into min + scale * q (float64, then rounded to float32)
 * and widens float16 exactly; a codebook stores small indices and looks the
 * values up with GatherV2 when the model runs.
 */
export type Encoding =
  | { kind: 'float32' }
  | { kind: 'float16' }
  | { kind: 'grid'; bits: 8 | 16; scale: number; min: number }
  | { kind: 'codebook'; bits: 8 | 16; codebook: Float32Array };

export const LEVELS = { 8: 256, 16: 65536 } as const;

/** Bytes the shard holds for `count` elements in `e`. */
export function encodedBytes(e: Encoding, count: number): number {
  switch (e.kind) {
    case 'float32':
      return 4 * count;
    case 'float16':
      return 2 * count;
    case 'grid':
      return (e.bits / 8) * count;
    case 'codebook':
      return (e.bits / 8) * count + 4 * e.codebook.length;
  }
}

const toHalf = (v: number) => float16BitsToNumber(float32ToFloat16Bits(v));

export function isHalfExact(data: ArrayLike<number>): boolean {
  for (let i = 0; i < data.length; i++) if (toHalf(data[i]!) !== data[i] && !Number.isNaN(data[i]!)) return false;
  return true;
}

/** What tfjs reads back for stored q. */
export const gridValue = (q: number, scale: number, min: number) => Math.fround(q * scale + min);

/** Distinct values, ascending (NaN and infinities make a tensor unfit for grids and codebooks). */
function distinct(data: ArrayLike<number>, limit: number): number[] | undefined {
  const seen = new Set<number>();
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) return undefined;
    seen.add(v);
    if (seen.size > limit) return undefined;
  }
  return [...seen].sort((a, b) => a - b);
}

/** The doubles that round to float32 `v`: halfway to its float32 neighbours. */
function roundingInterval(v: number): [number, number] {
  // Zero's neighbours are the smallest subnormals, ±2^-149.
  if (v === 0) return [-(2 ** -150), 2 ** -150];
  const f = new Float32Array([v]);
  const u = new Int32Array(f.buffer);
  const bits = u[0]!;
  const neighbour = (step: number) => {
    u[0] = bits + (v >= 0 ? step : -step);
    return f[0]!;
  };
  const a = neighbour(-1);
  const b = neighbour(1);
  const [down, up] = a < b ? [a, b] : [b, a];
  return [(down + v) / 2, (v + up) / 2];
}

/**
 * How many grid steps span the values, if they sit on an even grid of fewer
 * than `levels` points: the step divides the smallest gap between
 * neighbours (when not every level is used, by a small whole number).
 */
function gridSteps(values: number[], levels: number): number | undefined {
  const first = values[0]!;
  const range = values[values.length - 1]! - first;
  let gap = Infinity;
  for (let i = 1; i < values.length; i++) gap = Math.min(gap, values[i]! - values[i - 1]!);
  for (let parts = 1; parts <= 16; parts++) {
    const steps = Math.round((range / gap) * parts);
    if (steps >= levels) return undefined;
    const step = range / steps;
    // Float32 rounding moves each value by far less than a thousandth of a step.
    if (values.every((v) => Math.abs((v - first) / step - Math.round((v - first) / step)) < 1e-3)) return steps;
  }
  return undefined;
}

/**
 * An affine grid min + scale * q (q < 2^bits) that hits every value exactly
 * after tfjs's float32 rounding, when the values are evenly spaced. Float32
 * values of an even spacing are only nearly even, so scale and min are fitted:
 * each value allows an interval of doubles (those that round to it), and the
 * scale that leaves the widest room for min is found by ternary search (the
 * room is a concave function of the scale).
 */
export function findGrid(data: ArrayLike<number>, bits: 8 | 16): Encoding | undefined {
  const values = distinct(data, LEVELS[bits]);
  if (!values) return undefined;
  const first = values[0]!;
  const last = values[values.length - 1]!;
  if (values.length === 1) return { kind: 'grid', bits, scale: 1, min: first };
  const steps = gridSteps(values, LEVELS[bits]);
  if (steps === undefined) return undefined;
  const q = values.map((v) => Math.round(((v - first) / (last - first)) * steps));
  if (q.some((k, i) => i > 0 && k <= q[i - 1]!)) return undefined;
  const bounds = values.map(roundingInterval);
  const room = (scale: number) => {
    let lo = -Infinity;
    let hi = Infinity;
    bounds.forEach(([a, b], i) => {
      lo = Math.max(lo, a - q[i]! * scale);
      hi = Math.min(hi, b - q[i]! * scale);
    });
    return { lo, hi };
  };
  let low = (bounds[bounds.length - 1]![0] - bounds[0]![1]) / steps;
  let high = (bounds[bounds.length - 1]![1] - bounds[0]![0]) / steps;
  for (let i = 0; i < 100 && high > low; i++) {
    const m1 = low + (high - low) / 3;
    const m2 = high - (high - low) / 3;
    const r1 = room(m1);
    const r2 = room(m2);
    if (r1.hi - r1.lo < r2.hi - r2.lo) low = m1;
    else high = m2;
  }
  const fitted = (low + high) / 2;
  const { lo, hi } = room(fitted);
  // Where ties to even decide some values, the room shrinks to a point that double rounding may miss; the
  // short decimals a converter wrote (0.3, 0.6 / 256) are then the parameters that hit every value.
  const scales = [fitted, ...shortDecimals((last - first) / steps, 17)];
  const mins = [(lo + hi) / 2, first, ...shortDecimals(first, 9).filter((m) => Math.fround(m) === first)];
  for (const scale of scales) {
    for (const min of mins) if (values.every((v, i) => gridValue(q[i]!, scale, min) === v)) return { kind: 'grid', bits, scale, min };
  }
  return undefined;
}

/** `x` rounded to 1, 2, ... significant decimal digits. */
function shortDecimals(x: number, digits: number): number[] {
  return Array.from({ length: digits }, (_, i) => Number(x.toPrecision(i + 1)));
}

/** A codebook of the distinct values, when there are few enough for 2^bits indices. */
export function findCodebook(data: ArrayLike<number>, bits: 8 | 16): Encoding | undefined {
  const values = distinct(data, LEVELS[bits]);
  return values && { kind: 'codebook', bits, codebook: Float32Array.from(values) };
}

/** The smallest encoding that gives back every value exactly. */
export function smallestExact(data: ArrayLike<number>): Encoding {
  const candidates: Encoding[] = [{ kind: 'float32' }];
  if (isHalfExact(data)) candidates.push({ kind: 'float16' });
  for (const bits of [8, 16] as const) {
    const grid = findGrid(data, bits);
    if (grid) candidates.push(grid);
    // A codebook costs a GatherV2 at run time: worth it only where a grid does not fit.
    else {
      const book = findCodebook(data, bits);
      if (book) candidates.push(book);
    }
  }
  // Ties go to the earlier (simpler) encoding.
  return candidates.reduce((best, e) => (encodedBytes(e, data.length) < encodedBytes(best, data.length) ? e : best));
}

/** tfjs-converter's lossy affine quantization: the tensor's range in 2^bits even steps. */
export function rangeGrid(data: ArrayLike<number>, bits: 8 | 16): Encoding {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    min = Math.min(min, data[i]!);
    max = Math.max(max, data[i]!);
  }
  const scale = max > min ? (max - min) / (LEVELS[bits] - 1) : 1;
  return { kind: 'grid', bits, scale, min };
}

/** Stored q for a grid (rounded to the nearest level, so lossy grids work too). */
export function gridLevels(data: ArrayLike<number>, e: Extract<Encoding, { kind: 'grid' }>): number[] {
  return Array.from(data, (v) => Math.min(LEVELS[e.bits] - 1, Math.max(0, Math.round((v - e.min) / e.scale))));
}

/** Stored indices into a codebook (which holds every value). */
export function codebookIndices(data: ArrayLike<number>, e: Extract<Encoding, { kind: 'codebook' }>): number[] {
  const at = new Map(Array.from(e.codebook, (v, i) => [v, i]));
  return Array.from(data, (v) => at.get(v)!);
}
