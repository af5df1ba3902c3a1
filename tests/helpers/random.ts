/**
 * A small seeded generator for tests. Streams derived from (seed, index) let a
 * fuzz case or a generated model replay alone, without the ones before it.
 */
export class Random {
  #state: number;

  constructor(seed: number, stream = 0) {
    this.#state = scramble(scramble(seed >>> 0) ^ scramble((stream + 0x632be5ab) >>> 0)) || 1;
  }

  /** A uint32 (xorshift32). */
  next(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next() / 2 ** 32;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** An integer in [lo, hi], both included. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** A standard normal draw (Box-Muller). */
  normal(): number {
    const u = 1 - this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Random.pick from an empty list');
    return items[this.int(items.length)]!;
  }

  /** One item, drawn in proportion to its weight (default 1). */
  weighted<T extends { weight?: number }>(items: readonly T[]): T {
    const total = items.reduce((n, x) => n + (x.weight ?? 1), 0);
    let r = this.float() * total;
    for (const x of items) {
      r -= x.weight ?? 1;
      if (r < 0) return x;
    }
    return items[items.length - 1]!;
  }
}

/** Spreads nearby seeds (0, 1, 2...) over the whole state space. */
function scramble(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}
