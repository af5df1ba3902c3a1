export { buildReport } from './build.js';
export { renderHtml } from './html.js';
export { renderMarkdown } from './markdown.js';
export { parseReport, renderJson } from './json.js';
export { formatSummary } from './summary.js';
export { renderReport, reportFormat } from './render.js';
export type { BuildReportOptions, CompressionReport, LayerRow, PassRow, ReportFormat, Samples, SizeFigures } from './types.js';
