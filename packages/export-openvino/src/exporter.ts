import type { Graph } from '@condense/core';
import { checkOpenvino, type OpenvinoExportProblem } from './write/check.js';
import { exportOpenvino } from './write/export.js';
import type { ExportOpenvinoOptions } from './write/options.js';

/** One file of the export: the CLI writes it under `name`. */
export interface OpenvinoArtifact {
  /** The file name (model.xml or model.bin). */
  name: string;
  /** The file's contents (model.xml as UTF-8). */
  bytes: Uint8Array;
}

const utf8 = new TextEncoder();

/** The exporter in the shape every condense exporter has (format, check, export), for the CLI to drive. */
export const openvinoExporter = {
  format: 'openvino',
  check: (graph: Graph, options?: ExportOpenvinoOptions): OpenvinoExportProblem[] => checkOpenvino(graph, options),
  export: async (graph: Graph, options?: ExportOpenvinoOptions): Promise<OpenvinoArtifact[]> => {
    const { xml, bin } = exportOpenvino(graph, options);
    return [
      { name: 'model.xml', bytes: utf8.encode(xml) },
      { name: 'model.bin', bytes: bin },
    ];
  },
} as const;
