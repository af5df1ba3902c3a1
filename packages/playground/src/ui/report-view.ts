import type { CompressOutcome } from '../protocol.js';
import { byId, el } from './dom.js';
import { formatBytes, formatCount, formatDb, formatMs, formatPercent } from './format.js';

let downloadUrl: string | undefined;

/** The report's headline figures (raw values in data-* attributes), its summary, the full HTML report, and the download. */
export function showReport(outcome: CompressOutcome): void {
  const { report, output } = outcome;
  const s = report.summary;
  const figures = byId('figures');
  figures.replaceChildren();
  const figure = (name: string, label: string, text: string, data: Record<string, number>) => {
    const attrs = Object.fromEntries(Object.entries(data).map(([k, v]) => [`data-${k}`, String(v)]));
    figures.append(el('dt', label), el('dd', text, { 'data-figure': name, ...attrs }));
  };
  const ratio = s.size.after.bytes / s.size.before.bytes;
  figure('size', 'file size', `${formatBytes(s.size.before.bytes)} → ${formatBytes(s.size.after.bytes)} (${formatPercent(ratio)} of the original)`, { before: s.size.before.bytes, after: s.size.after.bytes, ratio });
  if (s.size.before.gzip !== undefined && s.size.after.gzip !== undefined) {
    figure('gzip', 'gzipped', `${formatBytes(s.size.before.gzip)} → ${formatBytes(s.size.after.gzip)} (${formatPercent(s.size.after.gzip / s.size.before.gzip)})`, { before: s.size.before.gzip, after: s.size.after.gzip });
  }
  figure('parameters', 'parameters', `${formatCount(s.parameters.before)} → ${formatCount(s.parameters.after)}`, { before: s.parameters.before, after: s.parameters.after });
  if (s.macs) figure('macs', 'MACs per sample', `${formatCount(s.macs.before)} → ${formatCount(s.macs.after)}`, { before: s.macs.before, after: s.macs.after });
  if (s.fidelity) {
    const f = s.fidelity;
    figure('fidelity', 'fidelity', `top-1 agreement ${formatPercent(f.top1Agreement)} over ${f.samples} samples, SQNR ${formatDb(f.sqnrDb)}, mean cosine ${f.cosine.toFixed(4)} (${outcome.samples})`, { top1: f.top1Agreement, samples: f.samples, sqnr: f.sqnrDb });
  } else {
    figure('fidelity', 'fidelity', 'not measured', {});
  }
  if (s.latency) {
    figure('latency', `latency (${report.runtime ?? 'runtime'})`, `${formatMs(s.latency.beforeMs)} → ${formatMs(s.latency.afterMs)} per batch, median of ${s.latency.runs}`, { before: s.latency.beforeMs, after: s.latency.afterMs });
  }
  byId('summary-text').textContent = outcome.summary;
  byId<HTMLIFrameElement>('report').srcdoc = outcome.html;

  if (downloadUrl) URL.revokeObjectURL(downloadUrl);
  downloadUrl = URL.createObjectURL(new Blob([output.bytes as BlobPart], { type: 'application/octet-stream' }));
  const link = byId<HTMLAnchorElement>('download');
  link.href = downloadUrl;
  link.download = output.name;
  link.textContent = `Download ${output.name} (${formatBytes(output.bytes.byteLength)})`;
  byId('report-section').hidden = false;
}
