import { DTYPE_CODES, constantOf, getInt, type Tensor, type Value } from '@condense/core';

/** Float parameters known at export time, widened to float32. */
export interface StaticFloats {
  data: Float32Array;
  shape: number[];
  /** The model stores them as float16 (so should the .tflite). */
  float16: boolean;
  /** The model stores them as integers read through DequantizeLinear (so should the .tflite, where it can). */
  quantized?: QuantizedConstant;
}

/** Integer elements whose real values are scale * (q - zeroPoint), per tensor or per slice along `axis`. */
export interface QuantizedConstant {
  dtype: 'int8' | 'uint8' | 'int32';
  data: Int8Array | Uint8Array | Int32Array;
  scales: Float32Array;
  zeroPoints: number[];
  /** The axis the scales run along; undefined for one scale for the whole tensor. */
  axis: number | undefined;
}

const floatsCache = new WeakMap<Value, StaticFloats | null>();

/**
 * The values of a float tensor fixed at export time: a float32 or float16
 * constant, or a float16 constant read through Cast to float32 (how condense's
 * convert-float16 pass stores weights).
 */
export function staticFloats(v: Value | null | undefined): StaticFloats | undefined {
  if (!v) return undefined;
  let cached = floatsCache.get(v);
  if (cached === undefined) floatsCache.set(v, (cached = readStaticFloats(v) ?? null));
  return cached ?? undefined;
}

function readStaticFloats(v: Value): StaticFloats | undefined {
  const t = constantOf(v);
  if (t?.dtype === 'float32') return { data: t.data<'float32'>() as Float32Array, shape: [...t.shape], float16: false };
  if (t?.dtype === 'float16') return { data: Float32Array.from(t.toNumbers()), shape: [...t.shape], float16: true };
  if (t) return undefined;
  const producer = v.producer();
  if (producer?.domain !== '') return undefined;
  if (producer.op === 'DequantizeLinear') {
    // Blocked quantization (opset 21's block_size) has no TFLite form.
    if (getInt(producer.attrs, 'block_size', 0) !== 0) return undefined;
    return dequantizedConstant(producer.inputs, getInt(producer.attrs, 'axis', 1));
  }
  if (producer.op !== 'Cast' || getInt(producer.attrs, 'to') !== DTYPE_CODES.float32) return undefined;
  const source = constantOf(producer.inputs[0]);
  if (source?.dtype !== 'float16') return undefined;
  return { data: Float32Array.from(source.toNumbers()), shape: [...source.shape], float16: true };
}

/** Integer types a quantized constant may have; 4-bit values are widened to bytes. */
const INTEGER_STORAGE: Record<string, QuantizedConstant['dtype']> = { int8: 'int8', int4: 'int8', uint8: 'uint8', uint4: 'uint8', int32: 'int32' };

/**
 * DequantizeLinear(x, scale, zero point) of constants (how condense's
 * quantize-weights and quantize-static passes store weights and biases), with
 * ONNX's arithmetic: float32((q - zero point)) * scale, rounded to float32.
 */
function dequantizedConstant([x, s, zp]: ReadonlyArray<Value | null>, axisAttr: number): StaticFloats | undefined {
  const q = constantOf(x);
  const scale = constantOf(s);
  const zero = zp ? constantOf(zp) : undefined;
  const dtype = q && INTEGER_STORAGE[q.dtype];
  if (!q || !dtype || scale?.dtype !== 'float32' || (zp && !zero) || scale.rank > 1) return undefined;
  const perAxis = scale.rank === 1 && scale.size > 1;
  const axis = perAxis ? (axisAttr < 0 ? axisAttr + q.rank : axisAttr) : undefined;
  if (axis !== undefined && q.shape[axis] !== scale.size) return undefined;
  const scales = Float32Array.from(scale.toNumbers());
  const zeroPoints = zero ? zero.toNumbers() : new Array<number>(scales.length).fill(0);
  if (zeroPoints.length !== scales.length) return undefined;
  const data = integerData(q, dtype);
  const inner = axis === undefined ? data.length : q.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channels = scales.length;
  const f32 = Math.fround;
  const floats = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const c = axis === undefined ? 0 : Math.floor(i / inner) % channels;
    floats[i] = f32(f32(data[i]! - zeroPoints[c]!) * scales[c]!);
  }
  return { data: floats, shape: [...q.shape], float16: false, quantized: { dtype, data, scales, zeroPoints, axis } };
}

function integerData(t: Tensor, dtype: QuantizedConstant['dtype']): QuantizedConstant['data'] {
  if (t.dtype === dtype) return t.data() as QuantizedConstant['data'];
  return dtype === 'int8' ? Int8Array.from(t.data() as Int8Array) : Uint8Array.from(t.data() as Uint8Array);
}

/** An integer constant (axes, pads, sizes) as numbers. */
export function staticInts(v: Value | null | undefined): number[] | undefined {
  const t = constantOf(v);
  if (!t || !['int64', 'int32', 'int16', 'int8', 'uint8'].includes(t.dtype)) return undefined;
  return t.toNumbers();
}

/** True for values the export reads as parameters instead of computing them at run time. */
export function isStatic(v: Value): boolean {
  return constantOf(v) !== undefined || staticFloats(v) !== undefined;
}

/** A value's shape once export has checked it is static. */
export function dims(v: Value): number[] {
  return (v.type?.shape ?? []) as number[];
}

export function isStaticShape(v: Value): boolean {
  const shape = v.type?.shape;
  return shape !== undefined && shape.every((d) => typeof d === 'number');
}

/**
 * Why `v` cannot serve as a weight, or undefined when it can: a float
 * constant, float16 through Cast, or integers through DequantizeLinear.
 */
export function weightProblem(v: Value | null | undefined, what: string, rank: number): string | undefined {
  const s = staticFloats(v);
  if (s && s.shape.length === rank) return undefined;
  return `the ${what} must be a ${rank}-D constant (float32, float16 through Cast, or 8-bit integers through DequantizeLinear)`;
}
