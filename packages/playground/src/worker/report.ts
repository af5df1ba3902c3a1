// The one place the page meets @condense/report: build the report in the worker, render it for the page.
import { buildReport, formatSummary, renderHtml, type BuildReportOptions, type CompressionReport } from '@condense/report';

export interface RenderedReport {
  report: CompressionReport;
  html: string;
  summary: string;
}

export async function renderedReport(options: BuildReportOptions): Promise<RenderedReport> {
  const report = await buildReport(options);
  return { report, html: renderHtml(report), summary: formatSummary(report) };
}
