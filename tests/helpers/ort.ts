import { float16BitsToNumber, type DType, type Tensor } from '@condense/core';
import * as ort from 'onnxruntime-node';

/** DTypes whose ORT tensor type has the same name or a known alias. */
const ORT_TYPE: Partial<Record<DType, ort.Tensor.Type>> = {
  float32: 'float32', float64: 'float64', float16: 'float16', int8: 'int8', uint8: 'uint8', int16: 'int16', uint16: 'uint16',
  int32: 'int32', uint32: 'uint32', int64: 'int64', uint64: 'uint64', bool: 'bool', string: 'string',
};

export function toOrt(t: Tensor): ort.Tensor | undefined {
  const type = ORT_TYPE[t.dtype];
  if (!type) return undefined;
  const shape = [...t.shape];
  if (t.dtype === 'string') return new ort.Tensor('string', t.data<'string'>(), shape);
  if (t.dtype === 'bool') return new ort.Tensor('bool', Uint8Array.from(t.data<'bool'>()), shape);
  // Copy: ORT may keep a reference to the buffer.
  const data = t.data() as unknown as { slice(): ort.Tensor.DataType };
  return new ort.Tensor(type, data.slice() as never, shape);
}

/** Element-wise comparison with numpy's allclose semantics (NaN equal to NaN), with the worst absolute and relative differences. */
export function allClose(a: ort.Tensor, b: ort.Tensor, rtol = 1e-3, atol = 1e-7): { ok: boolean; maxAbs: number; maxRel: number } {
  if (a.type !== b.type || a.dims.join() !== b.dims.join()) return { ok: false, maxAbs: Infinity, maxRel: Infinity };
  const x = a.data as ArrayLike<unknown>;
  const y = b.data as ArrayLike<unknown>;
  let ok = true;
  let maxAbs = 0;
  let maxRel = 0;
  const fp16 = a.type === 'float16';
  for (let i = 0; i < x.length; i++) {
    let p = x[i];
    let q = y[i];
    if (typeof p === 'string' || typeof p === 'boolean' || typeof p === 'bigint') {
      if (p !== q) ok = false;
      continue;
    }
    if (fp16) {
      p = float16BitsToNumber(p as number);
      q = float16BitsToNumber(q as number);
    }
    const u = p as number;
    const v = q as number;
    if (Number.isNaN(u) && Number.isNaN(v)) continue;
    if (u === v) continue;
    const d = Math.abs(u - v);
    if (!(d <= atol + rtol * Math.abs(v))) ok = false;
    if (Number.isNaN(d)) ok = false;
    else {
      maxAbs = Math.max(maxAbs, d);
      if (v !== 0) maxRel = Math.max(maxRel, d / Math.abs(v));
    }
  }
  return { ok, maxAbs, maxRel };
}

export { ort };

/** Compares every output of two runs: ok when all are close; the worst absolute and relative differences. */
export function compareOutputs(actual: Record<string, ort.Tensor>, expected: Record<string, ort.Tensor>, rtol: number, atol: number): { ok: boolean; maxAbs: number; maxRel: number } {
  let ok = Object.keys(actual).length === Object.keys(expected).length;
  let maxAbs = 0;
  let maxRel = 0;
  for (const [name, e] of Object.entries(expected)) {
    const a = actual[name];
    if (!a) {
      ok = false;
      continue;
    }
    const c = allClose(a, e, rtol, atol);
    ok &&= c.ok;
    maxAbs = Math.max(maxAbs, c.maxAbs);
    maxRel = Math.max(maxRel, c.maxRel);
  }
  return { ok, maxAbs, maxRel };
}
