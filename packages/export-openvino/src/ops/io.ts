import { isElementType } from '../ir/element-type.js';
import { parseShape } from './attrs.js';
import { opFail } from './op-error.js';
import type { PortType } from './port-type.js';
import type { InferContext } from './spec.js';

/** Parameter and Const declare their type and shape in attributes. */
export function inferDeclared(ctx: InferContext): PortType[] {
  const type = ctx.attrs.string('element_type');
  if (!isElementType(type)) opFail(`element_type "${type}" is not an element type condense supports`);
  return [{ type, dims: parseShape(ctx.attrs.string('shape'), 'shape') }];
}

export const inferNothing = (): PortType[] => [];
