import { CondenseError } from '@condense/core';
import type { CompressionReport } from './types.js';

/** JSON has no Infinity or NaN: an identical layer's SQNR (Infinity) is written as the string "Infinity" so it survives. */
const NON_FINITE: Record<string, number> = { Infinity, '-Infinity': -Infinity, NaN };

/** The report as indented JSON; parseReport reads it back exactly. */
export function renderJson(report: CompressionReport): string {
  return `${JSON.stringify(report, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`;
}

/** Reads a report written by renderJson, restoring infinite figures. */
export function parseReport(json: string): CompressionReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json, (_, v: unknown) => (typeof v === 'string' && v in NON_FINITE ? NON_FINITE[v] : v));
  } catch (e) {
    throw new CondenseError('E_BAD_OPTION', `The report is not valid JSON (${e instanceof Error ? e.message : String(e)}); give the text renderJson wrote.`, { cause: e });
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { version?: unknown }).version !== 1) {
    throw new CondenseError('E_BAD_OPTION', 'The JSON is not a condense report of version 1; give the text renderJson wrote.');
  }
  return parsed as CompressionReport;
}
