import { renderBarChart } from './charts.js';
import { escapeHtml } from './escape.js';
import { summaryLines } from './summary.js';
import type { CompressionReport } from './types.js';
import { LAYER_COLUMNS, PASS_COLUMNS, factTables, layerCells, passCells, reportCharts } from './views.js';

const STYLE = `
:root { color-scheme: light; --fg: #1d2330; --muted: #5b6475; --line: #d9dee7; --before: #9aa6bd; --after: #2f6fdb; --accent: #2f6fdb; --warn: #9a5b00; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 24px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.meta { color: var(--muted); margin: 0; word-break: break-all; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 12px; margin-top: 16px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 20px; font-weight: 600; margin: 2px 0; }
.card .detail { color: var(--muted); font-size: 12px; }
.warnings li { color: var(--warn); }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.name { word-break: break-all; }
figure.chart { margin: 16px 0; overflow-x: auto; }
figcaption { margin-bottom: 6px; color: var(--muted); } figcaption strong { color: var(--fg); }
svg text { font: 11px system-ui, sans-serif; fill: var(--fg); } svg text.value { fill: var(--muted); }
svg line.axis { stroke: var(--line); }
.bar, .key { fill: var(--accent); background: var(--accent); }
.s-before { fill: var(--before); background: var(--before); } .s-after { fill: var(--after); background: var(--after); }
.legend { margin: 0 0 4px; color: var(--muted); } .key { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 10px; }
details { margin: 8px 0; } summary { cursor: pointer; }
`;

const NUMERIC = new Set(['parameters before', 'parameters after', 'bytes before', 'bytes after', 'bytes ratio', 'SQNR', 'nodes', 'ms']);

function table(columns: string[], rows: string[][], nameColumn = 0): string {
  const cls = (c: string, i: number) => (NUMERIC.has(c) ? ' class="num"' : i === nameColumn ? ' class="name"' : '');
  return [
    '<table>',
    `<thead><tr>${columns.map((c, i) => `<th${cls(c, i)}>${escapeHtml(c)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...rows.map((r) => `<tr>${r.map((cell, i) => `<td${cls(columns[i]!, i)}>${escapeHtml(cell)}</td>`).join('')}</tr>`),
    '</tbody>',
    '</table>',
  ].join('\n');
}

/**
 * One self-contained HTML file: inline CSS and SVG, no script at all, and a
 * Content-Security-Policy that forbids scripts and every network fetch, so the
 * page works offline and a hostile node name can at worst be text.
 */
export function renderHtml(report: CompressionReport): string {
  const cards = summaryLines(report).map(
    (l) => `<div class="card" data-figure="${escapeHtml(l.label)}"><div class="label">${escapeHtml(l.label)}</div><div class="value">${escapeHtml(l.value)}</div><div class="detail">${escapeHtml(l.detail)}</div></div>`,
  );
  const charts = reportCharts(report).map((c) => (c.rows.length ? renderBarChart(c) : `<p class="empty" data-chart-empty="${escapeHtml(c.id)}"><strong>${escapeHtml(c.title)}</strong>: ${escapeHtml(c.empty)}</p>`));
  const facts = report.passes.flatMap(factTables).map((t) => `<details><summary>${escapeHtml(t.title)} (${t.rows.length} rows)</summary>\n${table(t.columns, t.rows)}\n</details>`);
  const title = `condense report: ${report.input} -> ${report.output}`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    '<h1>Compression report</h1>',
    `<p class="meta">${escapeHtml(report.input)} &rarr; ${escapeHtml(report.output)}</p>`,
    `<p class="meta">recipe: ${escapeHtml(report.recipe)}${report.runtime ? `; measured on the ${escapeHtml(report.runtime)} runtime` : '; not run in a runtime'}</p>`,
    '</header>',
    '<section id="summary">',
    '<h2>Summary</h2>',
    `<div class="cards">${cards.join('\n')}</div>`,
    '</section>',
    report.warnings.length ? `<section id="warnings"><h2>Notes</h2><ul class="warnings">${report.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></section>` : '',
    '<section id="charts">',
    '<h2>Charts</h2>',
    ...charts,
    '</section>',
    '<section id="layers">',
    `<h2>Layers (${report.layers.length})</h2>`,
    table(LAYER_COLUMNS, report.layers.map(layerCells)),
    '</section>',
    '<section id="passes">',
    '<h2>Pass log</h2>',
    table(PASS_COLUMNS, report.passes.map(passCells)),
    ...facts,
    '</section>',
    '</body>',
    '</html>',
    '',
  ]
    .filter((line) => line !== '')
    .join('\n');
}
