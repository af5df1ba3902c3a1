import { quoted } from './check-json.js';
import { CondenseError, type DType, type Dim } from '@condense/core';
import { NHWC_AS_NCHW } from '../layout.js';
import type { TfBuilder, TfTensor } from './builder.js';
import type { ImportOptions } from './options.js';

/** A graph input. A 4-D float input may be declared NCHW (inputLayout), so the IR needs no transpose at all. */
export function graphInput(b: TfBuilder, name: string, dtype: DType, shape: Dim[] | undefined, options: ImportOptions): TfTensor {
  const pinned = options.inputShapes?.[name];
  const dims = pinned ?? shape;
  if (!dims) throw new CondenseError('E_SHAPE_INFERENCE', `Input ${quoted(name)} has no known rank; give its shape with the inputShapes option.`, { context: { value: name } });
  const nchw = options.inputLayout === 'nchw' && dims.length === 4 && dtype === 'float32';
  return b.input(name, dtype, dims, nchw ? NHWC_AS_NCHW : undefined);
}
