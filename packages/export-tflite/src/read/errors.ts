import { CondenseError } from '@condense/core';

export function invalidTflite(why: string, cause?: unknown): CondenseError {
  return new CondenseError('E_MODEL_INVALID', `Not a valid .tflite model: ${why}.`, cause === undefined ? {} : { cause });
}

export { quoted } from '@condense/core';
