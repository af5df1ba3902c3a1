import { DTYPE_CODES, constantOf, getInt, isIntegerDType, type Tensor, type Value } from '@condense/core';
import { evaluateIntegerNode } from './static-ints.js';

/** A weight read through DequantizeLinear: q (integers), a scale and zero point per tensor, per axis or per block. */
export interface DequantizeForm {
  kind: 'dequantize';
  q: Tensor;
  scale: Tensor;
  zeroPoint: Tensor | undefined;
  /** Axis of a per-axis or blocked scale (ignored for a scalar scale). */
  axis: number;
  /** Elements per scale along `axis`; 0 when not blocked. */
  blockSize: number;
  /** q was computed from packed bytes (so it may go back to a 4-bit type). */
  unpacked: boolean;
  /** The dtype the graph reads: the scale's, or float32 through a Cast. */
  output: 'float32' | 'float16';
}

/** A weight read through Gather(codebook, indices): palettization. */
export interface PaletteForm {
  kind: 'palette';
  codebook: Tensor;
  indices: Tensor;
}

/**
 * A value fixed at export time, in the form the model keeps it in: float
 * (float32, or float16 read through a Cast), other data (integers: shapes,
 * axes, indices), dequantized or palettized weights.
 */
export type StaticForm = { kind: 'float'; tensor: Tensor } | { kind: 'data'; tensor: Tensor } | DequantizeForm | PaletteForm;

const FLOAT32 = DTYPE_CODES.float32;

/** Finds, once per value, whether it is static and in which form. */
export class StaticResolver {
  readonly #cache = new Map<Value, StaticForm | null>();

  resolve(v: Value | null | undefined): StaticForm | undefined {
    if (!v) return undefined;
    let form = this.#cache.get(v);
    if (form === undefined) {
      form = this.#compute(v) ?? null;
      this.#cache.set(v, form);
    }
    return form ?? undefined;
  }

  /** The tensor of a static value that is plain data or float (not a weight decoded at load). */
  tensor(v: Value | null | undefined): Tensor | undefined {
    const f = this.resolve(v);
    return f?.kind === 'float' || f?.kind === 'data' ? f.tensor : undefined;
  }

  /** Numbers of a static tensor (axes, pads, scales, shapes). */
  numbers(v: Value | null | undefined): number[] | undefined {
    return this.tensor(v)?.toNumbers();
  }

  #compute(v: Value): StaticForm | undefined {
    const t = constantOf(v);
    if (t) return t.dtype === 'float32' || t.dtype === 'float16' ? { kind: 'float', tensor: t } : { kind: 'data', tensor: t };
    const node = v.producer();
    if (!node || node.domain !== '' || node.outputs.length !== 1) return undefined;
    const inputs = node.inputs.map((i) => this.resolve(i));
    const first = inputs[0];
    switch (node.op) {
      case 'Identity':
        return first;
      case 'Cast': {
        if (getInt(node.attrs, 'to', 0) !== FLOAT32) break;
        // float16 weights read through Cast (convert-float16), or a float16 dequantization widened to float32.
        if (first?.kind === 'float' && first.tensor.dtype === 'float16') return first;
        if (first?.kind === 'dequantize' && first.output === 'float16') return { ...first, output: 'float32' };
        break;
      }
      case 'DequantizeLinear': {
        const [q, scale, zeroPoint] = inputs;
        if (q?.kind !== 'data' || scale?.kind !== 'float' || (node.inputs[2] && zeroPoint?.kind !== 'data')) return undefined;
        const rank = q.tensor.rank;
        const axis = getInt(node.attrs, 'axis', 1);
        return {
          kind: 'dequantize',
          q: q.tensor,
          scale: scale.tensor,
          zeroPoint: zeroPoint?.kind === 'data' ? zeroPoint.tensor : undefined,
          axis: axis < 0 ? axis + rank : axis,
          blockSize: getInt(node.attrs, 'block_size', 0),
          unpacked: constantOf(node.inputs[0]) === undefined,
          output: scale.tensor.dtype === 'float16' ? 'float16' : 'float32',
        };
      }
      case 'Gather': {
        const [codebook, indices] = inputs;
        if (codebook?.kind === 'float' && codebook.tensor.rank === 1 && indices?.kind === 'data' && getInt(node.attrs, 'axis', 0) === 0) {
          return { kind: 'palette', codebook: codebook.tensor, indices: indices.tensor };
        }
        break;
      }
    }
    if (!inputs.every((f, i) => !node.inputs[i] || f?.kind === 'data')) return undefined;
    const shape = v.type?.shape;
    const outShape = shape?.every((d) => typeof d === 'number') ? (shape as number[]) : undefined;
    const result = evaluateIntegerNode(node, inputs.map((f) => (f?.kind === 'data' ? f.tensor : undefined)), outShape);
    return result && isIntegerDType(result.dtype) ? { kind: 'data', tensor: result } : undefined;
  }
}
