import type { Diagnostic, Graph } from '@condense/core';
import { checkTfjs, exportTfjs } from './export.js';
import type { ExportTfjsOptions } from './options.js';

/** The exporter in the shape every condense exporter has (format, check, export), for the CLI to drive. */
export const tfjsExporter = {
  format: 'tfjs',
  check: (graph: Graph, options?: ExportTfjsOptions): Diagnostic[] =>
    checkTfjs(graph, options).map((p) => ({ severity: 'error', code: p.code, message: p.message, ...(p.node ? { node: p.node } : {}) })),
  export: async (graph: Graph, options?: ExportTfjsOptions): Promise<Array<{ name: string; bytes: Uint8Array }>> => exportTfjs(graph, options),
} as const;
