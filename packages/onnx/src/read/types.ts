import { CondenseError, type Dim, type TensorType } from '@condense/core';
import type { TypeProto } from '../proto.js';
import { dtypeOfCode } from './tensor.js';

/** Prefix of symbols standing for dimensions the file leaves unnamed; the writer turns them back into unnamed dims. */
export const UNNAMED_DIM = 'unk__';

/**
 * A TypeProto as a TensorType, or undefined when the IR cannot say it
 * (sequences, maps, optionals, sparse tensors, denotations): the caller then
 * keeps the TypeProto itself so the file round-trips.
 */
export function tensorTypeFromProto(tp: TypeProto | undefined, what: string, counter: { n: number }): TensorType | undefined {
  if (!tp || tp.value.case !== 'tensorType' || tp.denotation) return undefined;
  const t = tp.value.value;
  if (t.elemType === 0) return undefined;
  const dtype = dtypeOfCode(t.elemType, what);
  if (!t.shape) return { dtype };
  if (t.shape.dim.some((d) => d.denotation)) return undefined;
  const shape: Dim[] = t.shape.dim.map((d) => {
    if (d.value.case === 'dimValue') {
      const n = Number(d.value.value);
      if (!Number.isSafeInteger(n)) throw new CondenseError('E_ONNX_PARSE', `${what} declares dimension ${d.value.value}, which is out of range for a tensor size.`);
      // Some exporters write -1 for "any size": an unnamed symbol says that.
      if (n >= 0) return n;
    }
    if (d.value.case === 'dimParam' && d.value.value) return d.value.value;
    return `${UNNAMED_DIM}${counter.n++}`;
  });
  return { dtype, shape };
}
