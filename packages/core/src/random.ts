/**
 * mulberry32: a tiny seeded generator of uniform numbers in [0, 1), so that
 * k-means++ seeding and generated evaluation inputs are the same on every run,
 * machine and runtime. Not for anything that needs unpredictability.
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
