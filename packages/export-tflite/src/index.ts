export { exportTflite } from './export.js';
export { checkTflite } from './check.js';
export { tfliteExporter, type TfliteArtifact } from './exporter.js';
export { checkTfliteOptions, type ExportTfliteOptions, type WeightPrecision } from './options.js';
export { unsupportedError, type TfliteProblem } from './problems.js';
export { readTflite, type ReadTfliteOptions } from './read/index.js';
