import type { TensorType } from '../ir/value.js';
import type { InferContext } from './context.js';

/** Computes the output types of one op; undefined entries stay unknown. */
export type ShapeRule = (ctx: InferContext) => Array<TensorType | undefined>;
