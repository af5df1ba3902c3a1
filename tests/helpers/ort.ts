import { float16BitsToNumber, type Tensor } from '@condense/core';
import { supportsDType, toOrtTensor, type OrtModule } from '@condense/ort-runtime';
import * as ort from 'onnxruntime-node';

/** A condense tensor as an onnxruntime-node tensor, or undefined for element types onnxruntime cannot carry. */
export function toOrt(t: Tensor): ort.Tensor | undefined {
  return supportsDType(t.dtype) ? toOrtTensor(ort as unknown as OrtModule, t, 'input') : undefined;
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
