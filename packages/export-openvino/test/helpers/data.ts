/** Deterministic values in [lo, hi). */
export function noise(shape: readonly number[], seed = 1, lo = -1, hi = 1): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= max)) max = Number.isNaN(d) ? Infinity : d;
  }
  return max;
}

export function argmaxRows(data: ArrayLike<number>, columns: number): number[] {
  const rows: number[] = [];
  for (let r = 0; r < data.length / columns; r++) {
    let best = 0;
    for (let c = 1; c < columns; c++) if (data[r * columns + c]! > data[r * columns + best]!) best = c;
    rows.push(best);
  }
  return rows;
}
