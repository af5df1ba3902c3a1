export { tensorrtExporter } from './exporter.js';
export { exportTensorrt, type TensorrtArtifact } from './export.js';
export { checkTensorrt } from './check.js';
export { insertTensorrtQdq, type TensorrtQdqSummary } from './qdq/index.js';
export { activationTensors, measureAmax } from './amax.js';
export { formatCalibrationCache, parseCalibrationCache, tensorrtVersionNumber, type CalibrationCache } from './calibration-cache.js';
export { ARTIFACTS, buildEngineScript } from './build-script.js';
export type { CalibratorName, ExportTensorrtOptions, ModelPrecision, ResidualAddPlacement } from './options.js';
