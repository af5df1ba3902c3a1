import { CondenseError, Tensor, type DType } from '@condense/core';
import { TFJS_DTYPE } from '../dtypes.js';
import type { TfjsCore } from './backends.js';

type TfTensor = ReturnType<TfjsCore['tensor']>;

/** A condense tensor as a tfjs tensor (copied; int64 values must fit int32). */
export function toTfjs(tf: TfjsCore, t: Tensor, name: string, adapter: string): TfTensor {
  const dtype = TFJS_DTYPE[t.dtype];
  if (!dtype) throw new CondenseError('E_UNSUPPORTED_DTYPE', `Input "${name}" is ${t.dtype}, which tfjs tensors cannot carry.`, { context: { value: name, adapter } });
  const shape = [...t.shape];
  if (dtype === 'float32') return tf.tensor(Float32Array.from(t.data<'float32'>()), shape, 'float32');
  if (dtype === 'bool') return tf.tensor(Uint8Array.from(t.data<'bool'>()), shape, 'bool');
  const values = t.toNumbers();
  if (values.some((v) => v < -(2 ** 31) || v >= 2 ** 31)) throw new CondenseError('E_BAD_OPTION', `Input "${name}" has values beyond int32, the widest integers tfjs computes with.`, { context: { value: name, adapter } });
  return tf.tensor(Int32Array.from(values), shape, 'int32');
}

/** A tfjs result as a condense tensor of the IR's dtype. */
export async function fromTfjs(t: TfTensor, dtype: DType): Promise<Tensor> {
  const data = await t.data();
  const shape = [...t.shape];
  if (dtype === 'int64') return Tensor.from('int64', shape, BigInt64Array.from(data as Int32Array, (v) => BigInt(v)));
  if (dtype === 'bool') return Tensor.from('bool', shape, Uint8Array.from(data as Uint8Array, (v) => (v ? 1 : 0)));
  return Tensor.from(dtype, shape, data as Float32Array);
}
