import type { Graph } from '@condense/core';
import { checkTflite } from './check.js';
import { exportTflite } from './export.js';
import type { ExportTfliteOptions } from './options.js';
import type { TfliteProblem } from './problems.js';

/** One file of the export: the CLI writes it under `name`. */
export interface TfliteArtifact {
  /** The file name (model.tflite). */
  name: string;
  /** The file's contents. */
  bytes: Uint8Array;
}

/** The exporter in the shape every condense exporter has (format, check, export), for the CLI to drive. */
export const tfliteExporter = {
  format: 'tflite',
  check: (graph: Graph, options?: ExportTfliteOptions): TfliteProblem[] => checkTflite(graph, options),
  export: async (graph: Graph, options?: ExportTfliteOptions): Promise<TfliteArtifact[]> => [{ name: 'model.tflite', bytes: exportTflite(graph, options) }],
} as const;
