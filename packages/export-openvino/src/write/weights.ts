import { Tensor, dtypeBits, float32ToFloat16Bits } from '@condense/core';
import { scaleShapeFor } from '../shared/axis-runs.js';
import type { PortRef } from './builder.js';
import type { LowerContext } from './context.js';
import type { DequantizeForm, PaletteForm, StaticForm } from './statics.js';

/** Marks a Convert that decodes stored weights, as OpenVINO's own compressed IRs do. */
export const DECOMPRESSION = [{ name: 'decompression', version: '0' }];

/** A static value as OpenVINO constants: plain, f16 through Convert, dequantized or palettized weights. */
export function emitStatic(ctx: LowerContext, form: StaticForm, name: string, shape?: readonly number[]): PortRef {
  switch (form.kind) {
    case 'data':
      return ctx.builder.constant(shape ? form.tensor.reshape(shape) : form.tensor, name);
    case 'float':
      return emitFloat(ctx, shape ? form.tensor.reshape(shape) : form.tensor, name);
    case 'dequantize':
      return emitDequantize(ctx, form, name, shape ?? form.q.shape);
    case 'palette':
      return emitPalette(ctx, form, name, shape);
  }
}

/** float32 as is, or as f16 + Convert when the export compresses weights (or the model stores f16). */
function emitFloat(ctx: LowerContext, tensor: Tensor, name: string): PortRef {
  if (tensor.dtype === 'float32' && !ctx.half) return ctx.builder.constant(tensor, name);
  const half = ctx.builder.constant(toFloat16(tensor), `${name}/compressed`);
  return ctx.add('Convert', { destination_type: 'f32' }, [half], name, DECOMPRESSION);
}

export function toFloat16(t: Tensor): Tensor {
  if (t.dtype === 'float16') return t;
  return Tensor.from('float16', t.shape, Uint16Array.from(t.data<'float32'>() as Float32Array, float32ToFloat16Bits));
}

/**
 * q → Convert → (Subtract zero point) → Multiply scale [→ Reshape for blocks]
 * [→ Convert f32]: OpenVINO's form for compressed weights. 8-bit and narrower
 * weights decompress in f16 when the export compresses to f16 (or the scale
 * is f16), otherwise in f32.
 */
function emitDequantize(ctx: LowerContext, form: DequantizeForm, name: string, shape: readonly number[]): PortRef {
  const { q, zeroPoint } = narrowToFourBits(form);
  const decodeIn = form.scale.dtype === 'float16' || (ctx.half && dtypeBits(q.dtype) <= 8) ? 'f16' : 'f32';
  const layout = scaleLayout(form, shape);
  const values = ctx.builder.constant(q.reshape(layout.values), `${name}/quantized`);
  let x = ctx.add('Convert', { destination_type: decodeIn }, [values], `${name}/convert`, DECOMPRESSION);
  if (zeroPoint && zeroPoint.toNumbers().some((z) => z !== 0)) {
    const zp = ctx.builder.constant(zeroPoint.reshape(layout.scale), `${name}/zero_point`);
    const zpFloat = ctx.add('Convert', { destination_type: decodeIn }, [zp], `${name}/zero_point/convert`, DECOMPRESSION);
    x = ctx.add('Subtract', { auto_broadcast: 'numpy' }, [x, zpFloat], `${name}/subtract`);
  }
  const scaleTensor = form.scale.reshape(layout.scale);
  const scale = ctx.builder.constant(decodeIn === 'f16' ? toFloat16(scaleTensor) : toFloat32(scaleTensor), `${name}/scale`);
  x = ctx.add('Multiply', { auto_broadcast: 'numpy' }, [x, scale], `${name}/multiply`);
  if (layout.values.length !== shape.length || layout.values.some((d, i) => d !== shape[i])) {
    x = ctx.add('Reshape', { special_zero: false }, [x, ctx.ints(shape, `${name}/shape`)], `${name}/reshape`);
  }
  const output = form.output === 'float16' ? 'f16' : 'f32';
  return decodeIn === output ? x : ctx.add('Convert', { destination_type: output }, [x], `${name}/to_${output}`);
}

/**
 * Shapes of the stored values and of the scale (and zero point). Per tensor:
 * a scalar. Per axis: the scale broadcast along the run of `shape` that holds
 * that axis. Blocked: values [..., blocks, blockSize, ...] with the scale
 * [..., blocks, 1, ...], reshaped to `shape` after the Multiply.
 */
function scaleLayout(form: DequantizeForm, shape: readonly number[]): { values: number[]; scale: number[] } {
  const { q, scale, axis, blockSize } = form;
  if (scale.size === 1 && scale.rank <= 1) return { values: [...shape], scale: [] };
  if (blockSize > 0) {
    const blocks = q.shape[axis]! / blockSize;
    const values = [...q.shape.slice(0, axis), blocks, blockSize, ...q.shape.slice(axis + 1)];
    return { values, scale: values.map((d, i) => (i === axis + 1 ? 1 : d)) };
  }
  return { values: [...shape], scale: scaleShapeFor(q.shape, axis, shape)! };
}

/** Why a dequantized weight cannot be written with `shape`, or undefined. */
export function dequantizeProblem(form: DequantizeForm, shape: readonly number[]): string | undefined {
  if (form.scale.size === 1 && form.scale.rank <= 1) return undefined;
  if (form.blockSize > 0) {
    if (form.q.shape[form.axis]! % form.blockSize !== 0) return `block size ${form.blockSize} does not divide axis ${form.axis} of [${form.q.shape.join(', ')}]`;
    return undefined;
  }
  if (form.scale.rank !== 1 || form.scale.size !== form.q.shape[form.axis]) return `scale [${form.scale.shape.join(', ')}] is not one value per element of axis ${form.axis}`;
  return scaleShapeFor(form.q.shape, form.axis, shape) ? undefined : `per-axis scales along axis ${form.axis} of [${form.q.shape.join(', ')}] cannot be laid out as [${shape.join(', ')}]`;
}

function toFloat32(t: Tensor): Tensor {
  return t.dtype === 'float32' ? t : Tensor.from('float32', t.shape, Float32Array.from(t.toNumbers()));
}

/**
 * Weights condense unpacked from 2- or 4-bit storage go back to OpenVINO's
 * 4-bit types: uint8 around a zero point of 8 (the signed values stored
 * shifted up) becomes i4 without a zero point, other small uint8 u4.
 */
function narrowToFourBits(form: DequantizeForm): { q: Tensor; zeroPoint: Tensor | undefined } {
  const { q, zeroPoint, unpacked } = form;
  if (!unpacked || (q.dtype !== 'uint8' && q.dtype !== 'int8')) return { q, zeroPoint };
  const values = q.toNumbers();
  const zps = zeroPoint?.toNumbers() ?? [0];
  if (q.dtype === 'uint8' && values.every((v) => v <= 15) && zps.every((z) => z <= 15)) {
    if (zps.every((z) => z === 8)) return { q: Tensor.from('int4', q.shape, values.map((v) => v - 8)), zeroPoint: undefined };
    return { q: Tensor.from('uint4', q.shape, values), zeroPoint: zeroPoint && Tensor.from('uint4', zeroPoint.shape, zps) };
  }
  if (q.dtype === 'int8' && values.every((v) => v >= -8 && v <= 7) && zps.every((z) => z === 0)) return { q: Tensor.from('int4', q.shape, values), zeroPoint: undefined };
  return { q, zeroPoint };
}

/** Gather(codebook, Convert(indices)) with the indices in the narrowest type that holds them. */
function emitPalette(ctx: LowerContext, form: PaletteForm, name: string, shape: readonly number[] | undefined): PortRef {
  const codebook = emitFloat(ctx, form.codebook, `${name}/codebook`);
  const values = form.indices.toNumbers();
  const max = values.reduce((m, v) => Math.max(m, v), 0);
  const min = values.reduce((m, v) => Math.min(m, v), 0);
  const target = shape ?? form.indices.shape;
  const dtype = min < 0 ? 'int32' : max < 16 ? 'uint4' : max < 256 ? 'uint8' : max < 65536 ? 'uint16' : 'int32';
  const stored = ctx.builder.constant(dtype === form.indices.dtype ? form.indices.reshape(target) : Tensor.from(dtype, target, values), `${name}/indices`);
  const indices = ctx.add('Convert', { destination_type: 'i32' }, [stored], `${name}/indices/convert`, DECOMPRESSION);
  return ctx.add('Gather', { batch_dims: 0 }, [codebook, indices, ctx.ints([0], `${name}/axis`, [])], name);
}
