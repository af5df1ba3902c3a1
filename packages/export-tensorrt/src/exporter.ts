import type { Diagnostic, Graph } from '@condense/core';
import { checkTensorrt } from './check.js';
import { exportTensorrt, type TensorrtArtifact } from './export.js';
import type { ExportTensorrtOptions } from './options.js';

/** The exporter in the shape every condense exporter has (format, check, export), for the CLI to drive. */
export const tensorrtExporter = {
  format: 'tensorrt',
  check: (graph: Graph, options?: ExportTensorrtOptions): Diagnostic[] => checkTensorrt(graph, options),
  export: (graph: Graph, options?: ExportTensorrtOptions): Promise<TensorrtArtifact[]> => exportTensorrt(graph, options),
} as const;
