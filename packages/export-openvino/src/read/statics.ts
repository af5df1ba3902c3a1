import { isIntegerDType as isInteger, type DType, type Tensor } from '@condense/core';
import { dtypeOf, isElementType } from '../ir/element-type.js';
import type { IndexedModel, Source } from '../ir/indexed.js';
import { LayerAttrs } from '../ops/attrs.js';
import { axisOfScale } from '../shared/axis-runs.js';

/**
 * Weights OpenVINO decodes at load time, recognized so they come back in the
 * form condense uses: a Const; a Const read through Convert (f16 weights);
 * integers through Convert → Subtract → Multiply (dequantized weights);
 * Gather over a codebook (palettized weights).
 */
export type OvStatic =
  | { kind: 'tensor'; tensor: Tensor }
  | { kind: 'converted'; tensor: Tensor; to: DType }
  | { kind: 'shifted'; q: Tensor; zeroPoint: Tensor; decode: DType }
  | DequantizeStatic
  | { kind: 'gather'; codebook: Tensor; codebookTo: DType | undefined; indices: Tensor };

/**
 * q, zero point and scale as OpenVINO broadcasts them: scale (and zero point)
 * have q's rank, 1 where they do not vary. A blocked form comes from a
 * Reshape merging [..., blocks, blockSize, ...] into one axis.
 */
export interface DequantizeStatic {
  kind: 'dequantize';
  q: Tensor;
  zeroPoint: Tensor | undefined;
  scale: Tensor;
  /** The float type the Multiply computes in. */
  decode: DType;
  /** The float type the graph reads (decode, or after a final Convert). */
  output: DType;
  /** Set once a Reshape has merged blocks: scale then has ONNX's blocked shape (q's, with `axis` divided by `size`). */
  block: { axis: number; size: number } | undefined;
}

const isFloat = (d: DType) => d === 'float32' || d === 'float16';

export class ReaderStatics {
  readonly #cache = new Map<string, OvStatic | null>();

  constructor(readonly indexed: IndexedModel) {}

  resolve(source: Source | undefined): OvStatic | undefined {
    if (!source) return undefined;
    const key = `${source.layer.id}:${source.index}`;
    let s = this.#cache.get(key);
    if (s === undefined) {
      s = this.#compute(source) ?? null;
      this.#cache.set(key, s);
    }
    return s ?? undefined;
  }

  /** The same static value viewed with another shape, or undefined when its form cannot be reshaped in place. */
  reshaped(s: OvStatic, shape: number[]): OvStatic | undefined {
    return reshapeStatic(s, shape);
  }

  /** A plain Const's tensor. */
  tensor(source: Source | undefined): Tensor | undefined {
    const s = this.resolve(source);
    return s?.kind === 'tensor' ? s.tensor : undefined;
  }

  /** Numbers of a Const (axes, orders, shapes, pads, scalars). */
  numbers(source: Source | undefined): number[] | undefined {
    return this.tensor(source)?.toNumbers();
  }

  #compute({ layer }: Source): OvStatic | undefined {
    const indexed = this.indexed;
    if (layer.type === 'Const') {
      const t = indexed.constant(layer);
      return t && { kind: 'tensor', tensor: t };
    }
    const inputs = indexed.sources(layer).map((s) => this.resolve(s));
    const [a, b] = inputs;
    const attrs = new LayerAttrs(layer.data);
    switch (layer.type) {
      case 'Convert': {
        const to = attrs.string('destination_type', '');
        if (!isElementType(to)) return undefined;
        const dtype = dtypeOf(to);
        if (a?.kind === 'tensor') return { kind: 'converted', tensor: a.tensor, to: dtype };
        if (a?.kind === 'dequantize' && isFloat(dtype)) return { ...a, output: dtype };
        return undefined;
      }
      case 'Subtract': {
        if (a?.kind !== 'converted' || !isInteger(a.tensor.dtype) || !isFloat(a.to)) return undefined;
        const zp = b?.kind === 'converted' && b.to === a.to ? b.tensor : b?.kind === 'tensor' && b.tensor.dtype === a.to ? b.tensor : undefined;
        return zp && { kind: 'shifted', q: a.tensor, zeroPoint: zp, decode: a.to };
      }
      case 'Multiply': {
        for (const [x, s] of [[a, b], [b, a]] as const) {
          const scale = s?.kind === 'tensor' ? s.tensor : undefined;
          if (!scale) continue;
          if (x?.kind === 'converted' && isInteger(x.tensor.dtype) && x.to === scale.dtype) return dequantize(x.tensor, undefined, scale);
          if (x?.kind === 'shifted' && x.decode === scale.dtype) return dequantize(x.q, x.zeroPoint, scale);
        }
        return undefined;
      }
      case 'Reshape': {
        const shape = this.numbers(indexed.source(layer, 1));
        const out = layer.outputs[0]?.dims;
        if (!a || !shape || !out || out.some((d) => d < 0)) return undefined;
        return reshapeStatic(a, out);
      }
      case 'Gather': {
        const axis = this.numbers(indexed.source(layer, 2));
        if (axis?.length !== 1 || axis[0] !== 0 || attrs.int('batch_dims', 0) !== 0) return undefined;
        const codebook = a?.kind === 'tensor' && isFloat(a.tensor.dtype) ? { t: a.tensor, to: undefined } : a?.kind === 'converted' && isFloat(a.tensor.dtype) && isFloat(a.to) ? { t: a.tensor, to: a.to } : undefined;
        const indices = b?.kind === 'tensor' ? b.tensor : b?.kind === 'converted' && isInteger(b.to) ? b.tensor : undefined;
        if (!codebook || codebook.t.rank !== 1 || !indices || !isInteger(indices.dtype)) return undefined;
        return { kind: 'gather', codebook: codebook.t, codebookTo: codebook.to, indices };
      }
      default:
        return undefined;
    }
  }
}

function dequantize(q: Tensor, zeroPoint: Tensor | undefined, scale: Tensor): DequantizeStatic | undefined {
  // Scale and zero point must broadcast to q without growing it.
  for (const t of [scale, zeroPoint]) {
    if (!t) continue;
    if (t.rank > q.rank) return undefined;
    const full = [...new Array<number>(q.rank - t.rank).fill(1), ...t.shape];
    if (full.some((d, i) => d !== 1 && d !== q.shape[i])) return undefined;
  }
  const align = (t: Tensor) => (t.rank === q.rank || t.size === 1 ? t : t.reshape([...new Array<number>(q.rank - t.rank).fill(1), ...t.shape]));
  return { kind: 'dequantize', q, zeroPoint: zeroPoint && align(zeroPoint), scale: align(scale), decode: scale.dtype, output: scale.dtype, block: undefined };
}

/** A static value viewed with another shape (weights reshaped for grouped convolutions, blocks merged). */
function reshapeStatic(s: OvStatic, shape: number[]): OvStatic | undefined {
  switch (s.kind) {
    case 'tensor':
    case 'converted':
      return { ...s, tensor: s.tensor.reshape(shape) };
    case 'gather':
      return { ...s, indices: s.indices.reshape(shape) };
    case 'shifted':
      return undefined;
    case 'dequantize': {
      if (s.block) return undefined;
      const { q, scale, zeroPoint } = s;
      const axis = axisOfScale(q.shape, scale.shape, shape);
      if (axis === 'tensor') return { ...s, q: q.reshape(shape), scale: scale.reshape([]), zeroPoint: zeroPoint?.reshape([]) };
      if (axis !== undefined) {
        const broadcast = shape.map((d, i) => (i === axis ? d : 1));
        return { ...s, q: q.reshape(shape), scale: scale.reshape(broadcast), zeroPoint: zeroPoint && zeroPoint.size > 1 ? zeroPoint.reshape(broadcast) : zeroPoint };
      }
      const block = blockOf(q.shape, scale.shape, shape);
      if (!block) return undefined;
      const blocked = shape.map((d, i) => (i === block.axis ? d / block.size : d));
      return { ...s, q: q.reshape(shape), scale: scale.reshape(blocked), zeroPoint: zeroPoint && zeroPoint.size > 1 ? zeroPoint.reshape(blocked) : zeroPoint, block };
    }
  }
}

/** [..., blocks, size, ...] with a scale of [..., blocks, 1, ...] merged into [..., blocks*size, ...]: blocked quantization along that axis. */
function blockOf(q: readonly number[], scale: readonly number[], to: readonly number[]): { axis: number; size: number } | undefined {
  if (q.length !== to.length + 1) return undefined;
  for (let axis = 0; axis < to.length; axis++) {
    const merged = [...q.slice(0, axis), q[axis]! * q[axis + 1]!, ...q.slice(axis + 2)];
    if (merged.every((d, i) => d === to[i]) && scale[axis + 1] === 1 && scale.every((d, i) => i === axis + 1 || d === q[i])) return { axis, size: q[axis + 1]! };
  }
  return undefined;
}
