/**
 * Streaming SQNR, 10·log10(Σ ref² / Σ (ref − cand)²), as core's FidelityMeter
 * defines it for outputs. Layer outputs are large (a Conv's feature maps), and
 * this needs none of FidelityMeter's per-row cosine and argmax work, which
 * made the per-layer figures cost more than running the models.
 */
export class SqnrMeter {
  #signal = 0;
  #noise = 0;

  add(reference: ArrayLike<number>, candidate: ArrayLike<number>): void {
    let signal = 0;
    let noise = 0;
    for (let i = 0; i < reference.length; i++) {
      const a = reference[i]!;
      const d = a - candidate[i]!;
      signal += a * a;
      noise += d * d;
    }
    this.#signal += signal;
    this.#noise += noise;
  }

  /** Infinity when identical; NaN when both are empty or all zero. */
  get db(): number {
    if (this.#noise === 0) return this.#signal === 0 ? NaN : Infinity;
    return 10 * Math.log10(this.#signal / this.#noise);
  }
}
