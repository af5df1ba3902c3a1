/** Disjoint sets over 0..n-1, grown on demand (path halving, union by size). */
export class UnionFind {
  readonly #parent: number[] = [];
  readonly #size: number[] = [];

  /** Adds `count` singleton elements; returns the first one's id. */
  grow(count: number): number {
    const first = this.#parent.length;
    for (let i = 0; i < count; i++) {
      this.#parent.push(first + i);
      this.#size.push(1);
    }
    return first;
  }

  find(x: number): number {
    const p = this.#parent;
    while (p[x]! !== x) {
      p[x] = p[p[x]!]!;
      x = p[x]!;
    }
    return x;
  }

  union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if (this.#size[ra]! < this.#size[rb]!) [ra, rb] = [rb, ra];
    this.#parent[rb] = ra;
    this.#size[ra]! += this.#size[rb]!;
  }
}
