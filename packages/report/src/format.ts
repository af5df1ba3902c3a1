/** Number formatting shared by the terminal, Markdown and HTML renderings, so they say the same thing. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(v)} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${UNITS[u]}`;
}

export const formatCount = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Large counts (MACs) in thousands, millions, billions. */
export function formatShort(n: number): string {
  const steps: Array<[number, string]> = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, suffix] of steps) if (Math.abs(n) >= size) return `${(n / size).toFixed(n / size < 10 ? 2 : 1)} ${suffix}`;
  return String(Math.round(n));
}

export const formatPercent = (share: number, digits = 2): string => `${(100 * share).toFixed(digits)}%`;

/** "3.97x smaller" / "1.20x larger" / "0.13% larger" (near 1, a ratio would read 1.00x) / "unchanged". */
export function formatShrink(before: number, after: number, smaller = 'smaller', larger = 'larger'): string {
  if (before === after) return 'unchanged';
  if (after === 0 || before === 0) return '-';
  const ratio = after < before ? before / after : after / before;
  const word = after < before ? smaller : larger;
  return ratio < 1.05 ? `${(100 * (ratio - 1)).toFixed(2)}% ${word}` : `${ratio.toFixed(2)}x ${word}`;
}

export function formatDb(db: number | null): string {
  if (db === null) return 'n/a';
  if (db === Infinity) return 'identical';
  return `${db.toFixed(1)} dB`;
}

export const formatMs = (ms: number): string => `${ms.toFixed(ms < 10 ? 3 : 1)} ms`;

/** Signed points between two shares: "-0.10 points". */
export const formatPoints = (before: number, after: number): string => `${after >= before ? '+' : ''}${(100 * (after - before)).toFixed(2)} points`;
