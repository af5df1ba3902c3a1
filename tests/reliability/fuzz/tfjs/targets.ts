/** importTfjs on model.json (text) and its shards by path as a fuzz target. */
import { importTfjs } from '@condense/adapter-tfjs';
import { exercise } from '../onnx/exercise.js';
import { AcceptedInvalid, mainBytes, type FuzzSeed, type FuzzTarget } from '../target.js';
import { tfjsMutators } from './mutators.js';

/** What the tfjs importer may answer to a bad model. E_FILE_NOT_FOUND: the manifest names a shard that was not given. */
export const TFJS_REJECT_CODES = ['E_MODEL_INVALID', 'E_UNSUPPORTED_OP', 'E_UNSUPPORTED_DTYPE', 'E_SHAPE_INFERENCE', 'E_FILE_NOT_FOUND', 'E_MODEL_TOO_LARGE'] as const;

const text = new TextDecoder();

export function tfjsTarget(seeds: FuzzSeed[]): FuzzTarget {
  return {
    name: 'tfjs importTfjs (model.json + shards)',
    seeds,
    mutators: tfjsMutators(),
    rejectCodes: TFJS_REJECT_CODES,
    load(input) {
      const weights = Object.fromEntries([...input.files].filter(([name]) => name !== input.main));
      exercise(importTfjs({ modelJson: text.decode(mainBytes(input)), weights }));
      // proto-key mutants carry {"__proto__": {"polluted": true}}: an import that copies keys blindly would plant it on every object.
      if ('polluted' in Object.prototype) throw new AcceptedInvalid('the import wrote a "__proto__" key onto Object.prototype');
    },
  };
}
