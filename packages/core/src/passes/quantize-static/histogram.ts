/**
 * A histogram of a stream of values whose range is not known in advance: it
 * starts at the first batch's range and, when later values fall outside, grows
 * to cover them and re-bins what it holds. Its size is fixed, so calibration
 * memory does not grow with the number of samples.
 */
export class Histogram {
  readonly counts: Float64Array;
  lo = 0;
  hi = 0;
  total = 0;

  constructor(readonly bins = 2048) {
    this.counts = new Float64Array(bins);
  }

  get width(): number {
    return (this.hi - this.lo) / this.bins;
  }

  /** Centre of bin i. */
  centre(i: number): number {
    return this.lo + (i + 0.5) * this.width;
  }

  add(values: Float32Array, min: number, max: number): void {
    if (!(min <= max)) return;
    if (this.total === 0) {
      this.lo = min;
      this.hi = max > min ? max : min + 1e-8;
    } else if (min < this.lo || max > this.hi) {
      this.#grow(Math.min(min, this.lo), Math.max(max, this.hi));
    }
    const scale = this.bins / (this.hi - this.lo);
    const last = this.bins - 1;
    for (const v of values) {
      if (!Number.isFinite(v)) continue;
      const i = Math.floor((v - this.lo) * scale);
      this.counts[i < 0 ? 0 : i > last ? last : i]!++;
    }
    this.total += values.length;
  }

  /** Re-bins onto [lo, hi], a superset of the current range: each old bin's count goes to the bin holding its centre. */
  #grow(lo: number, hi: number): void {
    const old = Float64Array.from(this.counts);
    const centres = Array.from(old, (_, i) => this.centre(i));
    this.lo = lo;
    this.hi = hi;
    this.counts.fill(0);
    const scale = this.bins / (hi - lo);
    for (let i = 0; i < old.length; i++) {
      if (old[i] === 0) continue;
      const j = Math.min(this.bins - 1, Math.max(0, Math.floor((centres[i]! - lo) * scale)));
      this.counts[j]! += old[i]!;
    }
  }

  /** The value below which a fraction `q` of the counts lie (upper edge of the bin reaching it). */
  quantile(q: number): number {
    const target = q * this.total;
    let seen = 0;
    for (let i = 0; i < this.bins; i++) {
      seen += this.counts[i]!;
      if (seen >= target) return this.lo + (i + 1) * this.width;
    }
    return this.hi;
  }
}
