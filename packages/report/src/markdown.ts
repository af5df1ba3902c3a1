import { escapeMarkdownCell } from './escape.js';
import { summaryLines } from './summary.js';
import type { CompressionReport } from './types.js';
import { LAYER_COLUMNS, PASS_COLUMNS, factTables, layerCells, passCells, reportCharts } from './views.js';

function table(columns: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(escapeMarkdownCell).join(' | ')} |`;
  return [line(columns), `|${columns.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}

/** The report as Markdown: the same figures as the HTML, with each chart's rows as a table. */
export function renderMarkdown(report: CompressionReport): string {
  const inline = (s: string) => escapeMarkdownCell(s);
  const charts = reportCharts(report).filter((c) => c.id === 'sensitivity');
  const out = [
    '# Compression report',
    '',
    `${inline(report.input)} -> ${inline(report.output)}  `,
    `recipe: ${inline(report.recipe)}${report.runtime ? `; measured on the ${inline(report.runtime)} runtime` : '; not run in a runtime'}`,
    '',
    '## Summary',
    '',
    table(['', 'figure', 'detail'], summaryLines(report).map((l) => [l.label, l.value, l.detail])),
  ];
  if (report.warnings.length) out.push('', '## Notes', '', ...report.warnings.map((w) => `- ${inline(w)}`));
  out.push('', `## Layers (${report.layers.length})`, '', table(LAYER_COLUMNS, report.layers.map(layerCells)));
  for (const c of charts) {
    out.push('', `## ${c.title}`, '', c.rows.length ? `${c.caption[0]!.toUpperCase()}${c.caption.slice(1)}\n\n${table(['rank', 'layer', 'score'], c.rows.map((r, i) => [String(i + 1), r.label, r.bars[0]!.text]))}` : c.empty);
  }
  out.push('', '## Pass log', '', table(PASS_COLUMNS, report.passes.map(passCells)));
  for (const t of report.passes.flatMap(factTables)) out.push('', `### ${inline(t.title)}`, '', table(t.columns, t.rows));
  return `${out.join('\n')}\n`;
}
