import { formatBytes, formatDb, formatMs, formatPercent, formatPoints, formatShort, formatShrink } from './format.js';
import type { CompressionReport, SizeFigures } from './types.js';

/** One headline figure: what it is, the figure, and how it was measured. */
export interface SummaryLine {
  label: string;
  value: string;
  detail: string;
}

const sizeSource = (s: SizeFigures) => (s.source === 'weights' ? 'stored weights only' : 'file');

/** The headline figures every rendering shows, in the same words. */
export function summaryLines(report: CompressionReport): SummaryLine[] {
  const s = report.summary;
  const lines: SummaryLine[] = [
    { label: 'size', value: formatShrink(s.size.before.bytes, s.size.after.bytes), detail: `${formatBytes(s.size.before.bytes)} -> ${formatBytes(s.size.after.bytes)} (${sizeSource(s.size.after)})` },
  ];
  for (const key of ['brotli', 'gzip'] as const) {
    const [b, a] = [s.size.before[key], s.size.after[key]];
    if (b !== undefined && a !== undefined) lines.push({ label: key, value: formatShrink(b, a), detail: `${formatBytes(b)} -> ${formatBytes(a)}` });
  }
  if (s.accuracy) lines.push({ label: 'accuracy', value: `${formatPercent(s.accuracy.after)} top-1`, detail: `${formatPercent(s.accuracy.before)} before, ${formatPoints(s.accuracy.before, s.accuracy.after)}, ${s.accuracy.samples} labelled samples` });
  if (s.fidelity) {
    const f = s.fidelity;
    lines.push({ label: 'fidelity', value: `${formatPercent(f.top1Agreement, 1)} same top-1`, detail: `output SQNR ${formatDb(f.sqnrDb)}, mean cosine ${f.cosine.toFixed(4)} (worst ${f.minCosine.toFixed(4)}), ${f.samples} samples` });
  }
  if (s.latency) {
    const l = s.latency;
    lines.push({ label: 'speed', value: formatShrink(l.afterMs, l.beforeMs, 'slower', 'faster'), detail: `${formatMs(l.beforeMs)} -> ${formatMs(l.afterMs)} per batch, median of ${l.runs} alternating runs${report.runtime ? ` on ${report.runtime}` : ''}` });
  }
  if (s.macs) lines.push({ label: 'MACs', value: formatShrink(s.macs.before, s.macs.after, 'fewer', 'more'), detail: `${formatShort(s.macs.before)} -> ${formatShort(s.macs.after)} per sample` });
  lines.push({ label: 'parameters', value: formatShrink(s.parameters.before, s.parameters.after, 'fewer', 'more'), detail: `${formatShort(s.parameters.before)} -> ${formatShort(s.parameters.after)}` });
  return lines;
}

/** A few plain lines for a terminal: size (raw and brotli), accuracy or fidelity, speed, MACs. */
export function formatSummary(report: CompressionReport): string {
  const lines = summaryLines(report);
  const width = Math.max(...lines.map((l) => l.label.length));
  return lines.map((l) => `${l.label.padEnd(width)}  ${l.value} (${l.detail})`).join('\n');
}
