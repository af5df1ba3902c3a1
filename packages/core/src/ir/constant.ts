import { getTensor } from './attr.js';
import type { Value } from './value.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * The tensor a value always holds: an initializer, or the output of a Constant
 * node with a `value` tensor. An initializer that is also a graph input is only
 * a default the caller may override, so it is not constant.
 */
export function constantOf(v: Value | null | undefined): Tensor | undefined {
  if (!v) return undefined;
  if (v.const) return v.graph.inputs.includes(v) ? undefined : v.const;
  const p = v.producer();
  return p?.op === 'Constant' && p.domain === '' ? getTensor(p.attrs, 'value') : undefined;
}
