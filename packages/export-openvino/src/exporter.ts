import type { Graph } from '@condense/core';
import { checkOpenvino, type OpenvinoExportProblem } from './write/check.js';
import { exportOpenvino } from './write/export.js';
import type { ExportOpenvinoOptions } from './write/options.js';

export interface OpenvinoArtifact {
  name: string;
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
