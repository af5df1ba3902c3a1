import type { DType } from '@condense/core';

/**
 * OpenVINO element types as the IR spells them: `element_type` on Const and
 * Parameter (`f32`), `precision` on ports (`FP32`). Only the types with an
 * ONNX counterpart are listed: those are the ones a condense model can hold.
 */
export const ELEMENT_TYPES = {
  f32: { precision: 'FP32', dtype: 'float32', bits: 32 },
  f16: { precision: 'FP16', dtype: 'float16', bits: 16 },
  bf16: { precision: 'BF16', dtype: 'bfloat16', bits: 16 },
  f64: { precision: 'FP64', dtype: 'float64', bits: 64 },
  i4: { precision: 'I4', dtype: 'int4', bits: 4 },
  i8: { precision: 'I8', dtype: 'int8', bits: 8 },
  i16: { precision: 'I16', dtype: 'int16', bits: 16 },
  i32: { precision: 'I32', dtype: 'int32', bits: 32 },
  i64: { precision: 'I64', dtype: 'int64', bits: 64 },
  u4: { precision: 'U4', dtype: 'uint4', bits: 4 },
  u8: { precision: 'U8', dtype: 'uint8', bits: 8 },
  u16: { precision: 'U16', dtype: 'uint16', bits: 16 },
  u32: { precision: 'U32', dtype: 'uint32', bits: 32 },
  u64: { precision: 'U64', dtype: 'uint64', bits: 64 },
  boolean: { precision: 'BOOL', dtype: 'bool', bits: 8 },
} as const satisfies Record<string, { precision: string; dtype: DType; bits: number }>;

export type ElementType = keyof typeof ELEMENT_TYPES;

const BY_PRECISION = new Map<string, ElementType>(Object.entries(ELEMENT_TYPES).map(([t, v]) => [v.precision, t as ElementType]));
const BY_DTYPE = new Map<DType, ElementType>(Object.entries(ELEMENT_TYPES).map(([t, v]) => [v.dtype as DType, t as ElementType]));

export function isElementType(name: string): name is ElementType {
  return Object.hasOwn(ELEMENT_TYPES, name);
}

export function elementTypeOfPrecision(precision: string): ElementType | undefined {
  return BY_PRECISION.get(precision.toUpperCase());
}

export function precisionOf(type: ElementType): string {
  return ELEMENT_TYPES[type].precision;
}

export function dtypeOf(type: ElementType): DType {
  return ELEMENT_TYPES[type].dtype;
}

export function elementTypeOf(dtype: DType): ElementType | undefined {
  return BY_DTYPE.get(dtype);
}

/** Bytes a Const of this type and element count occupies in the .bin (sub-byte types packed, the last byte padded). */
export function byteSize(type: ElementType, count: number): number {
  return Math.ceil((count * ELEMENT_TYPES[type].bits) / 8);
}

export const isFloatType = (t: ElementType): boolean => t === 'f32' || t === 'f16' || t === 'bf16' || t === 'f64';
export const isIntegerType = (t: ElementType): boolean => !isFloatType(t) && t !== 'boolean';
