import type { DType } from '@condense/core';
import { TensorType } from '../generated/tflite_generated.js';

/** The TFLite tensor types condense reads, as IR dtypes. */
export const DTYPES: Partial<Record<TensorType, DType>> = {
  [TensorType.FLOAT32]: 'float32',
  [TensorType.FLOAT16]: 'float16',
  [TensorType.INT32]: 'int32',
  [TensorType.INT64]: 'int64',
  [TensorType.UINT8]: 'uint8',
  [TensorType.INT8]: 'int8',
  [TensorType.INT16]: 'int16',
  [TensorType.BOOL]: 'bool',
};
