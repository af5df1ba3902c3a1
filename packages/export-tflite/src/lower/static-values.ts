import { DTYPE_CODES, constantOf, getInt, type Value } from '@condense/core';

/** Float parameters known at export time, widened to float32. */
export interface StaticFloats {
  data: Float32Array;
  shape: number[];
  /** The model stores them as float16 (so should the .tflite). */
  float16: boolean;
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
  const cast = v.producer();
  if (cast?.op !== 'Cast' || cast.domain !== '' || getInt(cast.attrs, 'to') !== DTYPE_CODES.float32) return undefined;
  const source = constantOf(cast.inputs[0]);
  if (source?.dtype !== 'float16') return undefined;
  return { data: Float32Array.from(source.toNumbers()), shape: [...source.shape], float16: true };
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
 * Why `v` cannot serve as a weight (a float constant, or float16 through
 * Cast), or undefined when it can. Weights quantized by condense
 * (DequantizeLinear of an int8 constant) get their own answer.
 */
export function weightProblem(v: Value | null | undefined, what: string, rank: number): string | undefined {
  const s = staticFloats(v);
  if (s && s.shape.length === rank) return undefined;
  if (v?.producer()?.op === 'DequantizeLinear') return `the ${what} is int8 (DequantizeLinear); int8 TFLite export is not supported yet, export the float model`;
  return `the ${what} must be a ${rank}-D constant (float32, or float16 through Cast)`;
}
