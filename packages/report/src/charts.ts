import { escapeHtml } from './escape.js';

export interface BarRow {
  label: string;
  bars: Array<{ value: number; series: string; text: string }>;
}

export interface BarChart {
  /** Names the chart in the page (data-chart). */
  id: string;
  title: string;
  /** Says what a longer bar means. */
  caption: string;
  series: Array<{ name: string; label: string }>;
  rows: BarRow[];
}

const WIDTH = 760;
const LABEL = 210;
const VALUE_TEXT = 110;
const BAR = 14;
const GAP = 8;
const MAX_LABEL = 30;

const clip = (s: string) => (s.length > MAX_LABEL ? `${s.slice(0, MAX_LABEL - 1)}…` : s);
const num = (x: number) => Number(x.toFixed(2));

/**
 * A horizontal bar chart as inline SVG (no script, no web font): one group of
 * bars per row, scaled from zero so negative values point left. Every bar is a
 * rect.bar carrying its series and a <title> with the exact figure.
 */
export function renderBarChart(chart: BarChart): string {
  const values = chart.rows.flatMap((r) => r.bars.map((b) => b.value)).filter(Number.isFinite);
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const span = hi - lo || 1;
  const plot = WIDTH - LABEL - VALUE_TEXT;
  const x = (v: number) => LABEL + ((v - lo) / span) * plot;
  let y = 4;
  const body: string[] = [];
  for (const row of chart.rows) {
    const height = row.bars.length * BAR;
    body.push(`<text class="label" x="${LABEL - 8}" y="${num(y + height / 2 + 4)}" text-anchor="end"><title>${escapeHtml(row.label)}</title>${escapeHtml(clip(row.label))}</text>`);
    row.bars.forEach((bar, i) => {
      const top = y + i * BAR;
      const [from, to] = [x(Math.min(0, bar.value)), x(Math.max(0, bar.value))];
      body.push(
        `<rect class="bar s-${escapeHtml(bar.series)}" data-series="${escapeHtml(bar.series)}" x="${num(from)}" y="${num(top + 1)}" width="${num(Math.max(to - from, 1))}" height="${BAR - 2}"><title>${escapeHtml(`${row.label}: ${bar.text}`)}</title></rect>`,
        `<text class="value" x="${num(x(Math.max(0, bar.value)) + 4)}" y="${num(top + BAR - 3)}">${escapeHtml(bar.text)}</text>`,
      );
    });
    y += height + GAP;
  }
  const zero = x(0);
  const legend = chart.series.length > 1 ? `<p class="legend">${chart.series.map((s) => `<span class="key s-${escapeHtml(s.name)}"></span>${escapeHtml(s.label)}`).join(' ')}</p>` : '';
  return [
    `<figure class="chart">`,
    `<figcaption><strong>${escapeHtml(chart.title)}</strong> ${escapeHtml(chart.caption)}</figcaption>`,
    legend,
    `<svg data-chart="${escapeHtml(chart.id)}" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" role="img" aria-label="${escapeHtml(chart.title)}">`,
    `<line class="axis" x1="${num(zero)}" x2="${num(zero)}" y1="0" y2="${y}"/>`,
    ...body,
    `</svg>`,
    `</figure>`,
  ]
    .filter(Boolean)
    .join('\n');
}
