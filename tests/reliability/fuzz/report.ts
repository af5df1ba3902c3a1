import type { FuzzReport } from './harness.js';

/** The report as a Markdown table: one row per mutation kind, one column per outcome, and a total row. */
export function formatReport(r: FuzzReport): string {
  const outcomes = [...r.outcomes.keys()].sort(outcomeOrder);
  const header = ['mutation kind', 'cases', ...outcomes];
  const rows = [...r.byKind.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, counts]) => [kind, String(sum(counts)), ...outcomes.map((o) => String(counts.get(o) ?? 0))]);
  rows.push(['**all**', String(r.cases), ...outcomes.map((o) => String(r.outcomes.get(o) ?? 0))]);
  const lines = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  const s = r.slowest;
  return [
    `${r.target}: ${r.cases} cases, seed ${r.seed}, ${(r.ms / 1000).toFixed(1)} s, ${r.failureCount} failures`,
    ...lines,
    `slowest case: #${s.index} (${s.kind} on ${s.seed}) ${s.ms.toFixed(0)} ms; peak RSS growth ${r.peakRssGrowthMb.toFixed(0)} MiB`,
  ].join('\n');
}

/** valid first, then rejections, then failures. */
function outcomeOrder(a: string, b: string): number {
  const rank = (o: string) => (o === 'valid' ? 0 : o.startsWith('rejected') ? 1 : 2);
  return rank(a) - rank(b) || a.localeCompare(b);
}

function sum(m: Map<string, number>): number {
  let n = 0;
  for (const v of m.values()) n += v;
  return n;
}
