/**
 * How a layer's weight error falls with rank. A layer is one or more
 * matrices cut to the same rank (a Conv: one per input channel, since the
 * depthwise conv gives each input channel the same number of kernels; a
 * dense layer: its one weight), each described by its squared singular
 * values. The error of a truncated SVD is exactly the energy it drops, so the
 * whole curve comes from the spectra without building any approximation.
 */
export class RankProfile {
  readonly maxRank: number;
  readonly #total: number;
  /** dropped[r]: the energy left out when every matrix keeps its first r components. */
  readonly #dropped: Float64Array;

  constructor(spectra: readonly Float64Array[]) {
    this.maxRank = Math.max(0, ...spectra.map((s) => s.length));
    this.#dropped = new Float64Array(this.maxRank + 1);
    for (const s of spectra) {
      let tail = 0;
      for (let r = s.length - 1; r >= 0; r--) {
        tail += s[r]!;
        this.#dropped[r] = this.#dropped[r]! + tail;
      }
    }
    this.#total = this.#dropped[0]!;
  }

  /** Weight SQNR in dB at `rank` (Infinity when nothing is dropped). */
  sqnrDb(rank: number): number {
    const noise = this.#dropped[Math.min(rank, this.maxRank)]!;
    return noise <= 0 ? Infinity : 10 * Math.log10(this.#total / noise);
  }

  /** The smallest rank (at least 1) whose SQNR reaches `minSqnrDb`. */
  smallestRank(minSqnrDb: number): number {
    for (let r = 1; r < this.maxRank; r++) if (this.sqnrDb(r) >= minSqnrDb) return r;
    return Math.max(1, this.maxRank);
  }

  /** SQNR (dB, two decimals) at each of `ranks`, keyed by rank. */
  curve(ranks: Iterable<number>): Record<number, number> {
    const out: Record<number, number> = {};
    for (const r of ranks) out[r] = roundDb(this.sqnrDb(r));
    return out;
  }
}

export const roundDb = (db: number): number => Math.round(100 * db) / 100;

/** 1, 2, 4, … up to `max`, plus `max` and `also`: enough of a wide layer's curve to read the trade-off, without hundreds of entries. */
export function sampledRanks(max: number, also: number): number[] {
  const ranks = new Set<number>();
  for (let r = 1; r < max; r *= 2) ranks.add(r);
  ranks.add(max);
  ranks.add(also);
  return [...ranks].sort((a, b) => a - b);
}
