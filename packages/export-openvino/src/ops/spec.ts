import type { Tensor } from '@condense/core';
import type { LayerAttrs } from './attrs.js';
import type { PortType } from './port-type.js';

/** What a shape rule sees of one layer. */
export interface InferContext {
  /** The op version the layer names (the N of opsetN). */
  version: number;
  attrs: LayerAttrs;
  inputs: readonly PortType[];
  /** The value of input `i` when a Const layer feeds it directly (shape inputs, axes, orders). */
  constant(i: number): Tensor | undefined;
}

/** One OpenVINO layer type: which op versions condense knows, its input count, and its output rule. */
export interface OpSpec {
  /** Accepted op versions: the N of the layer's version="opsetN". */
  versions: readonly number[];
  /** Least and most inputs. */
  inputs: readonly [number, number];
  /** Output element types and dimensions from the inputs; throws OpError when the layer breaks the op's rules. */
  infer(ctx: InferContext): PortType[];
}

/** The numbers of a constant input, or undefined when it is computed at run time. */
export function constantNumbers(ctx: InferContext, i: number): number[] | undefined {
  return ctx.constant(i)?.toNumbers();
}
