/** readOpenvino on model.xml (decoded as UTF-8) and model.bin as a fuzz target. */
import { readOpenvino } from '@condense/export-openvino';
import { exercise } from '../onnx/exercise.js';
import { mainBytes, type FuzzSeed, type FuzzTarget } from '../target.js';
import { openvinoMutators } from './mutators.js';
import { BIN_FILE } from './seeds.js';

/** What the OpenVINO IR reader may answer to a bad file. */
export const OPENVINO_REJECT_CODES = ['E_MODEL_INVALID', 'E_UNSUPPORTED_OP', 'E_UNSUPPORTED_DTYPE', 'E_SHAPE_INFERENCE', 'E_MODEL_TOO_LARGE'] as const;

const text = new TextDecoder();

export function openvinoTarget(seeds: FuzzSeed[]): FuzzTarget {
  return {
    name: 'openvino readOpenvino (xml + bin)',
    seeds,
    mutators: openvinoMutators(),
    rejectCodes: OPENVINO_REJECT_CODES,
    load: (input) => exercise(readOpenvino(text.decode(mainBytes(input)), input.files.get(BIN_FILE) ?? new Uint8Array())),
  };
}
