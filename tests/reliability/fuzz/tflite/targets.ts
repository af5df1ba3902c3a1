/** readTflite on bytes as a fuzz target: an accepted file must be a valid model that survives what callers do with one. */
import { readTflite } from '@condense/export-tflite';
import { exercise } from '../onnx/exercise.js';
import { mainBytes, type FuzzSeed, type FuzzTarget } from '../target.js';
import { tfliteMutators } from './mutators.js';

/** What the TFLite reader may answer to a bad file. */
export const TFLITE_REJECT_CODES = ['E_MODEL_INVALID', 'E_UNSUPPORTED_OP', 'E_UNSUPPORTED_DTYPE', 'E_SHAPE_INFERENCE', 'E_MODEL_TOO_LARGE'] as const;

export function tfliteTarget(seeds: FuzzSeed[]): FuzzTarget {
  return {
    name: 'tflite readTflite (bytes)',
    seeds,
    mutators: tfliteMutators(),
    rejectCodes: TFLITE_REJECT_CODES,
    load: (input) => exercise(readTflite(mainBytes(input))),
  };
}
