import { DTYPE_CODES, Tensor, attr, dtypeBits, isIntegerDType, type Attr, type DType, type Value } from '@condense/core';
import type { RaiseContext } from './context.js';
import type { DequantizeStatic, OvStatic } from './statics.js';

/** ONNX has int4 only from opset 21 and for few ops: 4-bit values outside a DequantizeLinear are widened to a byte. */
function widen(t: Tensor): Tensor {
  if (t.dtype === 'int4') return Tensor.from('int8', t.shape, t.toNumbers());
  if (t.dtype === 'uint4') return Tensor.from('uint8', t.shape, t.toNumbers());
  return t;
}

/** A static OpenVINO value as ONNX: constants, plus the Cast, DequantizeLinear or Gather that decodes them. */
export function materialize(ctx: RaiseContext, s: OvStatic, name: string): Value {
  switch (s.kind) {
    case 'tensor':
      return ctx.graph.constant(name, widen(s.tensor));
    case 'converted':
      return s.tensor.dtype === s.to ? ctx.graph.constant(name, s.tensor) : cast(ctx, ctx.graph.constant(`${name}_stored`, widen(s.tensor)), s.to, name);
    case 'shifted':
      return decodeByHand(ctx, { kind: 'dequantize', q: s.q, zeroPoint: s.zeroPoint, scale: Tensor.from(s.decode, [], [s.decode === 'float16' ? 0x3c00 : 1]), decode: s.decode, output: s.decode, block: undefined }, name);
    case 'dequantize':
      return dequantizeLinear(ctx, s, name) ?? decodeByHand(ctx, s, name);
    case 'gather': {
      const stored = ctx.graph.constant(`${name}_codebook`, s.codebook);
      const codebook = s.codebookTo && s.codebookTo !== s.codebook.dtype ? cast(ctx, stored, s.codebookTo, `${name}_codebook_cast`) : stored;
      const wide = s.indices.dtype === 'int32' || s.indices.dtype === 'int64';
      const rawIndices = ctx.graph.constant(`${name}_indices`, widen(s.indices));
      const indices = wide ? rawIndices : cast(ctx, rawIndices, 'int32', `${name}_indices_cast`);
      return ctx.node('Gather', [codebook, indices], { axis: attr.int(0) }, name);
    }
  }
}

function cast(ctx: RaiseContext, v: Value, to: DType, name: string): Value {
  return ctx.node('Cast', [v], { to: attr.int(DTYPE_CODES[to]) }, name);
}

/** DequantizeLinear when ONNX can say it: one scale, one per element of an axis, or one per block; an integer zero point of q's type. */
function dequantizeLinear(ctx: RaiseContext, s: DequantizeStatic, name: string): Value | undefined {
  const { q, scale } = s;
  const zeroPoint = s.zeroPoint && integerZeroPoint(s.zeroPoint, q.dtype);
  if (s.zeroPoint && !zeroPoint) return undefined;
  const attrs: Record<string, Attr> = {};
  let scaleShape: number[];
  if (s.block) {
    attrs['axis'] = attr.int(s.block.axis);
    attrs['block_size'] = attr.int(s.block.size);
    scaleShape = [...scale.shape];
  } else if (scale.size === 1) {
    scaleShape = [];
  } else {
    const varying = scale.shape.flatMap((d, i) => (d !== 1 ? [i] : []));
    if (varying.length !== 1) return undefined;
    attrs['axis'] = attr.int(varying[0]!);
    scaleShape = [scale.size];
  }
  const inputs = [ctx.graph.constant(`${name}_quantized`, q), ctx.graph.constant(`${name}_scale`, scale.reshape(scaleShape))];
  if (zeroPoint && zeroPoint.toNumbers().some((z) => z !== 0)) inputs.push(ctx.graph.constant(`${name}_zero_point`, zeroPoint.reshape(scaleShape)));
  const out = s.output === s.decode ? name : `${name}_${s.decode}`;
  const dq = ctx.node('DequantizeLinear', inputs, attrs, out);
  return s.output === s.decode ? dq : cast(ctx, dq, s.output, name);
}

/** A zero point as q's integer type (OpenVINO may store it as float); undefined when its values are not such integers. */
function integerZeroPoint(zp: Tensor, dtype: DType): Tensor | undefined {
  if (zp.dtype === dtype) return zp;
  const values = zp.toNumbers();
  const bits = isIntegerDType(dtype) ? dtypeBits(dtype) : 0;
  const signed = dtype.startsWith('int');
  const [lo, hi] = signed ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
  if (!bits || values.some((v) => !Number.isInteger(v) || v < lo || v > hi)) return undefined;
  return Tensor.from(dtype, zp.shape, values);
}

/** The general form, for layouts DequantizeLinear cannot express: Cast, Sub, Mul as OpenVINO computes them. */
function decodeByHand(ctx: RaiseContext, s: DequantizeStatic, name: string): Value {
  let x = cast(ctx, ctx.graph.constant(`${name}_quantized`, widen(s.q)), s.decode, `${name}_convert`);
  if (s.zeroPoint) {
    const zp = s.zeroPoint.dtype === s.decode ? ctx.graph.constant(`${name}_zero_point`, s.zeroPoint) : cast(ctx, ctx.graph.constant(`${name}_zero_point`, widen(s.zeroPoint)), s.decode, `${name}_zero_point_convert`);
    x = ctx.node('Sub', [x, zp], {}, `${name}_subtract`);
  }
  const y = ctx.node('Mul', [x, ctx.graph.constant(`${name}_scale`, s.scale)], {}, s.output === s.decode ? name : `${name}_multiply`);
  return s.output === s.decode ? y : cast(ctx, y, s.output, name);
}
