export { exportOpenvino, type OpenvinoIr } from './write/export.js';
export { checkOpenvino, type OpenvinoExportProblem } from './write/check.js';
export type { ExportOpenvinoOptions, OpenvinoPrecision } from './write/options.js';
export { openvinoExporter, type OpenvinoArtifact } from './exporter.js';
export { readOpenvino } from './read/read.js';
export { validateOpenvino } from './validate/validate.js';
export type { OpenvinoProblem } from './validate/problems.js';
