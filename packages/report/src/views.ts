import type { BarChart } from './charts.js';
import { formatBytes, formatCount, formatDb, formatMs, formatShrink } from './format.js';
import type { CompressionReport, PassRow } from './types.js';

/** The four charts, as data: the HTML draws them, the Markdown lists the same rows as tables. */
export function reportCharts(report: CompressionReport): Array<BarChart & { empty: string }> {
  const measured = report.layers.filter((l): l is typeof l & { sqnrDb: number } => l.sqnrDb !== null && Number.isFinite(l.sqnrDb));
  return [
    {
      id: 'sqnr',
      title: 'Error per layer',
      caption: 'output SQNR against the original, in dB: longer is closer (identical and incomparable layers have no bar).',
      series: [{ name: 'sqnr', label: 'SQNR' }],
      rows: measured.map((l) => ({ label: l.name, bars: [{ value: l.sqnrDb, series: 'sqnr', text: formatDb(l.sqnrDb) }] })),
      empty: report.runtime ? 'No layer output could be compared (see the layer table).' : 'Not measured: no runtime was given.',
    },
    {
      id: 'size',
      title: 'Size per layer',
      caption: 'stored bytes of the constants each layer reads, before and after.',
      series: [
        { name: 'before', label: 'before' },
        { name: 'after', label: 'after' },
      ],
      rows: report.layers.map((l) => ({
        label: l.name,
        bars: [
          { value: l.bytes.before, series: 'before', text: formatBytes(l.bytes.before) },
          { value: l.bytes.after, series: 'after', text: formatBytes(l.bytes.after) },
        ],
      })),
      empty: 'The model has no weighted layers.',
    },
    {
      id: 'sensitivity',
      title: 'Sensitivity ranking',
      caption: `most harmful first (${report.sensitivity[0]?.unit || 'score'}).`,
      series: [{ name: 'score', label: 'score' }],
      rows: report.sensitivity.filter((s) => Number.isFinite(s.score)).map((s) => ({ label: s.layer, bars: [{ value: s.score, series: 'score', text: `${Number(s.score.toFixed(2))}${s.unit === 'dB' ? ' dB' : ''}` }] })),
      empty: 'No ranking: no pass ranked its layers and no layer SQNR was measured.',
    },
    {
      id: 'passes',
      title: 'Pass log',
      caption: 'time each pass took.',
      series: [{ name: 'ms', label: 'ms' }],
      rows: report.passes.map((p) => ({ label: p.pass, bars: [{ value: p.ms, series: 'ms', text: formatMs(p.ms) }] })),
      empty: 'No pass ran.',
    },
  ];
}

/** Cells of the per-layer table, as plain text. */
export const LAYER_COLUMNS = ['layer', 'op', 'parameters before', 'parameters after', 'bytes before', 'bytes after', 'bytes ratio', 'SQNR'];
export function layerCells(l: CompressionReport['layers'][number]): string[] {
  return [
    l.name,
    l.op,
    formatCount(l.parameters.before),
    formatCount(l.parameters.after),
    formatBytes(l.bytes.before),
    formatBytes(l.bytes.after),
    formatShrink(l.bytes.before, l.bytes.after),
    l.sqnrDb === null && l.sqnrNote ? `n/a (${l.sqnrNote})` : formatDb(l.sqnrDb),
  ];
}

/** Cells of the pass log, as plain text: the scalar facts in a line. */
export const PASS_COLUMNS = ['pass', 'changed', 'nodes', 'ms', 'facts', 'warnings'];
export function passCells(p: PassRow): string[] {
  const facts = Object.entries(p.facts)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')
    .map(([k, v]) => `${k} ${typeof v === 'number' ? String(Number(v.toFixed(4))) : String(v)}`)
    .join(', ');
  return [p.pass, p.changed ? 'yes' : 'no', `${p.nodesBefore} -> ${p.nodesAfter}`, p.ms.toFixed(1), facts, p.warnings.join(' ')];
}

/** Facts that are lists of records (quantize-static's per-layer errors, prune-filters' groups) as tables of their own. */
export function factTables(p: PassRow): Array<{ title: string; columns: string[]; rows: string[][] }> {
  return Object.entries(p.facts).flatMap(([key, rows]) => {
    if (!Array.isArray(rows) || rows.length === 0 || rows.some((r) => typeof r !== 'object' || r === null || Array.isArray(r))) return [];
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r as object)))];
    const cell = (v: unknown) => (typeof v === 'number' ? String(Number(v.toFixed(4))) : typeof v === 'string' ? v : JSON.stringify(v) ?? '');
    return [{ title: `${p.pass}: ${key}`, columns, rows: rows.map((r) => columns.map((c) => cell((r as Record<string, unknown>)[c]))) }];
  });
}
