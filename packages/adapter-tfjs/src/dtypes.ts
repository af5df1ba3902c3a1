import type { DType } from '@condense/core';

/**
 * The tfjs dtype each IR dtype travels as. tfjs computes with float32, int32
 * and bool only: every integer type the models use fits int32 (values are
 * checked where they are written or fed).
 */
export const TFJS_DTYPE: Partial<Record<DType, 'float32' | 'int32' | 'bool'>> = {
  float32: 'float32', int32: 'int32', int64: 'int32', int16: 'int32', int8: 'int32', uint16: 'int32', uint8: 'int32', bool: 'bool',
};
