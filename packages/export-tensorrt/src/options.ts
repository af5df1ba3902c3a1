import { CondenseError, type Dim, type Runtime, type SampleSource } from '@condense/core';

/** What model.onnx computes in: float32 (TensorRT picks precisions from its build flags) or float16 weights and compute with float32 inputs and outputs. */
export type ModelPrecision = 'float32' | 'float16';

/**
 * Q/DQ on the inputs of an Add of two activations. `fuse` (TensorRT's
 * recommendation) leaves float the input that comes straight from a
 * Conv/ConvTranspose/Gemm/MatMul, so TensorRT fuses the Add into that layer's
 * kernel; the other (skip) input is quantized, which makes the fused output
 * int8. `both` quantizes both inputs, at the cost of that fusion.
 */
export type ResidualAddPlacement = 'fuse' | 'both';

/** TensorRT calibrator names as they appear in a calibration cache's first line. */
export type CalibratorName = 'EntropyCalibration2' | 'EntropyCalibration' | 'MinMaxCalibration' | 'LegacyCalibration';

/** How {@link exportTensorrt} makes its files; without samples it makes no int8 files. */
export interface ExportTensorrtOptions {
  /** Runs the float model on `samples` to calibrate activation ranges (an adapter's Runtime; needed with `samples`). */
  runtime?: Runtime;
  /** Calibration batches. Without them only model.onnx and the float16 build command are exported. */
  samples?: SampleSource;
  /** Calibration samples to use, rounded up to whole batches. Default 512 (TensorRT suggests about 500 for ImageNet classifiers). */
  maxSamples?: number;
  /** Precision of model.onnx. Default 'float32'. */
  precision?: ModelPrecision;
  /** Q/DQ on residual Adds. Default 'fuse'. */
  residualAdds?: ResidualAddPlacement;
  /** Pins input shapes (symbolic dimensions); also given to trtexec as --shapes. A symbolic batch is 1 otherwise. */
  inputShapes?: Record<string, Dim[]>;
  /** The TensorRT version that reads calibration.cache, "major.minor.patch"; TensorRT ignores a cache written for another version. Default '8.6.1'. */
  tensorrtVersion?: string;
  /** The calibrator named in calibration.cache (TensorRT reads only a cache of its calibrator's kind). Default 'EntropyCalibration2', what trtexec uses. */
  calibrator?: CalibratorName;
}

export interface ResolvedOptions {
  runtime: Runtime | undefined;
  samples: SampleSource | undefined;
  maxSamples: number;
  precision: ModelPrecision;
  residualAdds: ResidualAddPlacement;
  inputShapes: Record<string, Dim[]>;
  tensorrtVersion: string;
  calibrator: CalibratorName;
}

const PRECISIONS: readonly ModelPrecision[] = ['float32', 'float16'];
const RESIDUAL_ADDS: readonly ResidualAddPlacement[] = ['fuse', 'both'];
export const CALIBRATORS: readonly CalibratorName[] = ['EntropyCalibration2', 'EntropyCalibration', 'MinMaxCalibration', 'LegacyCalibration'];
const KEYS = ['runtime', 'samples', 'maxSamples', 'precision', 'residualAdds', 'inputShapes', 'tensorrtVersion', 'calibrator'];
export const VERSION_PATTERN = /^\d{1,2}\.\d{1,2}\.\d{1,2}$/;

function bad(message: string): CondenseError {
  return new CondenseError('E_BAD_OPTION', `TensorRT export: ${message}`, { context: { adapter: 'tensorrt' } });
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw bad(`option "${name}" must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got ${JSON.stringify(value)}.`);
  return value as T;
}

/** Checks the caller's options once, before any work, and fills in defaults. */
export function resolveOptions(options: ExportTensorrtOptions = {}): ResolvedOptions {
  for (const key of Object.keys(options)) if (!KEYS.includes(key)) throw bad(`unknown option "${key}"; the options are ${KEYS.join(', ')}.`);
  const { runtime, samples, maxSamples = 512, inputShapes = {}, tensorrtVersion = '8.6.1' } = options;
  if (samples && !runtime) throw bad('calibration samples need a runtime to run the model on (the runtime option, or the CLI\'s --adapter).');
  if (!Number.isInteger(maxSamples) || maxSamples < 1) throw bad(`option "maxSamples" must be a whole number of at least 1; got ${JSON.stringify(maxSamples)}.`);
  if (typeof tensorrtVersion !== 'string' || !VERSION_PATTERN.test(tensorrtVersion)) throw bad(`option "tensorrtVersion" must look like "8.6.1" or "10.3.0"; got ${JSON.stringify(tensorrtVersion)}.`);
  return {
    runtime,
    samples,
    maxSamples,
    precision: oneOf('precision', options.precision, PRECISIONS, 'float32'),
    residualAdds: oneOf('residualAdds', options.residualAdds, RESIDUAL_ADDS, 'fuse'),
    inputShapes,
    tensorrtVersion,
    calibrator: oneOf('calibrator', options.calibrator, CALIBRATORS, 'EntropyCalibration2'),
  };
}
