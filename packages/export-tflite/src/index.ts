export { exportTflite } from './export.js';
export { checkTflite } from './check.js';
export { tfliteExporter, type TfliteArtifact } from './exporter.js';
export type { ExportTfliteOptions, WeightPrecision } from './options.js';
export type { TfliteProblem } from './problems.js';
