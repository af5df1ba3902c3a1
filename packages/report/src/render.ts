import { CondenseError } from '@condense/core';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import type { CompressionReport, ReportFormat } from './types.js';

const RENDERERS: Record<ReportFormat, (r: CompressionReport) => string> = { html: renderHtml, md: renderMarkdown, json: renderJson };

const EXTENSIONS: Record<string, ReportFormat> = { html: 'html', htm: 'html', md: 'md', markdown: 'md', json: 'json' };

/** The report in `format`; an unknown format is an E_BAD_OPTION error. */
export function renderReport(report: CompressionReport, format: ReportFormat): string {
  const render = Object.hasOwn(RENDERERS, format) ? RENDERERS[format] : undefined;
  if (!render) throw new CondenseError('E_BAD_OPTION', `Unknown report format "${String(format)}"; use html, md or json.`);
  return render(report);
}

/** The format a file name asks for, by its extension (.html/.htm, .md/.markdown, .json), or undefined. */
export function reportFormat(fileName: string): ReportFormat | undefined {
  const dot = fileName.lastIndexOf('.');
  const ext = dot < 0 ? '' : fileName.slice(dot + 1).toLowerCase();
  return Object.hasOwn(EXTENSIONS, ext) ? EXTENSIONS[ext] : undefined;
}
