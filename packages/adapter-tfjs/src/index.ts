export { importTfjs, parseModelJson, type TfjsModelSource } from './import/index.js';
export type { ImportOptions } from './import/options.js';
export { decodeWeights, type WeightData } from './weights/decode.js';
export type { TfjsModelJson, WeightSpec, WeightsManifestGroup, WeightQuantization, GraphDef, NodeDef, KerasModelTopology } from './model-json.js';
export { exportTfjs, checkTfjs, buildTfjsModel, type BuildOptions, type TfjsGraphModel, type TfjsProblem } from './export/export.js';
export { tfjsExporter } from './export/exporter.js';
export type { ExportTfjsOptions, WeightPrecision } from './export/options.js';
export type { StoredWeightInfo } from './export/weights.js';
export { tfjsRuntime, type TfjsRuntimeOptions, type TfjsBackend } from './runtime/index.js';
