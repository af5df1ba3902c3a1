/**
 * Every ONNX tensor element type, named the way ONNX names them in lower case.
 * The numeric codes are ONNX's TensorProto.DataType values, so a format adapter
 * can translate without a table of its own.
 */
export const DTYPE_CODES = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
  complex64: 14,
  complex128: 15,
  bfloat16: 16,
  float8e4m3fn: 17,
  float8e4m3fnuz: 18,
  float8e5m2: 19,
  float8e5m2fnuz: 20,
  uint4: 21,
  int4: 22,
  float4e2m1: 23,
  float8e8m0: 24,
  uint2: 25,
  int2: 26,
} as const;

/** An element type: every ONNX tensor type, by its lower-case name (`float32`, `int4`, `bfloat16`, ...). */
export type DType = keyof typeof DTYPE_CODES;

const BY_CODE = new Map<number, DType>(
  Object.entries(DTYPE_CODES).map(([name, code]) => [code, name as DType]),
);

/** The element type for an ONNX TensorProto.DataType code, or undefined for a code ONNX does not define. */
export function dtypeFromCode(code: number): DType | undefined {
  return BY_CODE.get(code);
}

/** ONNX's TensorProto.DataType code for an element type. */
export function dtypeCode(dtype: DType): number {
  return DTYPE_CODES[dtype];
}

/** Whether `name` is an element type condense knows (a type guard for untrusted strings). */
export function isDType(name: string): name is DType {
  return Object.hasOwn(DTYPE_CODES, name);
}

/** Bits one element occupies in ONNX's raw little-endian layout (0 for strings). */
export function dtypeBits(dtype: DType): number {
  switch (dtype) {
    case 'string':
      return 0;
    case 'int2':
    case 'uint2':
      return 2;
    case 'int4':
    case 'uint4':
    case 'float4e2m1':
      return 4;
    case 'int8':
    case 'uint8':
    case 'bool':
    case 'float8e4m3fn':
    case 'float8e4m3fnuz':
    case 'float8e5m2':
    case 'float8e5m2fnuz':
    case 'float8e8m0':
      return 8;
    case 'int16':
    case 'uint16':
    case 'float16':
    case 'bfloat16':
      return 16;
    case 'int32':
    case 'uint32':
    case 'float32':
      return 32;
    case 'int64':
    case 'uint64':
    case 'float64':
    case 'complex64':
      return 64;
    case 'complex128':
      return 128;
  }
}

/** Bytes needed to hold `count` elements, sub-byte types packed LSB first. */
export function byteLengthOf(dtype: DType, count: number): number {
  return Math.ceil((count * dtypeBits(dtype)) / 8);
}

/** Whether the type holds floating-point numbers (every float width, float8 and float4 included). */
export function isFloatDType(dtype: DType): boolean {
  return (
    dtype === 'float32' ||
    dtype === 'float16' ||
    dtype === 'bfloat16' ||
    dtype === 'float64' ||
    dtype.startsWith('float8') ||
    dtype === 'float4e2m1'
  );
}

/** Whether the type holds integers, signed or unsigned, of any width (bool excluded). */
export function isIntegerDType(dtype: DType): boolean {
  return /^u?int\d+$/.test(dtype);
}

/**
 * The typed array that data() returns for each dtype. Half and 8-bit floats
 * come back as their raw bit patterns; sub-byte integers come back unpacked,
 * one element per slot; complex numbers interleave real and imaginary parts.
 */
export interface TypedArrayOf {
  /** 32-bit floats. */
  float32: Float32Array;
  /** 64-bit floats. */
  float64: Float64Array;
  /** IEEE half floats as raw bit patterns (see float16BitsToNumber). */
  float16: Uint16Array;
  /** bfloat16 as raw bit patterns (see bfloat16BitsToNumber). */
  bfloat16: Uint16Array;
  /** 8-bit floats as raw bit patterns. */
  float8e4m3fn: Uint8Array;
  /** 8-bit floats as raw bit patterns. */
  float8e4m3fnuz: Uint8Array;
  /** 8-bit floats as raw bit patterns. */
  float8e5m2: Uint8Array;
  /** 8-bit floats as raw bit patterns. */
  float8e5m2fnuz: Uint8Array;
  /** 8-bit exponent-only scales as raw bit patterns. */
  float8e8m0: Uint8Array;
  /** 4-bit floats, unpacked, one raw bit pattern per byte. */
  float4e2m1: Uint8Array;
  /** Signed bytes. */
  int8: Int8Array;
  /** Unsigned bytes. */
  uint8: Uint8Array;
  /** 16-bit signed integers. */
  int16: Int16Array;
  /** 16-bit unsigned integers. */
  uint16: Uint16Array;
  /** 32-bit signed integers. */
  int32: Int32Array;
  /** 32-bit unsigned integers. */
  uint32: Uint32Array;
  /** 64-bit signed integers, as bigint. */
  int64: BigInt64Array;
  /** 64-bit unsigned integers, as bigint. */
  uint64: BigUint64Array;
  /** 4-bit signed integers, unpacked, one per slot. */
  int4: Int8Array;
  /** 4-bit unsigned integers, unpacked, one per slot. */
  uint4: Uint8Array;
  /** 2-bit signed integers, unpacked, one per slot. */
  int2: Int8Array;
  /** 2-bit unsigned integers, unpacked, one per slot. */
  uint2: Uint8Array;
  /** Booleans as 0 or 1. */
  bool: Uint8Array;
  /** Real and imaginary parts interleaved, 32-bit each. */
  complex64: Float32Array;
  /** Real and imaginary parts interleaved, 64-bit each. */
  complex128: Float64Array;
  /** Strings, decoded as UTF-8 (use Tensor.strings() for the raw bytes). */
  string: string[];
}

/** Any typed array a numeric tensor's data() may return. */
export type TypedArray = Exclude<TypedArrayOf[DType], string[]>;

/** A typed-array constructor: over a buffer slice or a fresh length, with its element size in bytes. */
export type ArrayCtor = {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray;
  new (length: number): TypedArray;
  /** Bytes per element. */
  BYTES_PER_ELEMENT: number;
};

/** Constructor of the typed array that views the raw bytes of a dtype of 8 bits or more. */
export function arrayCtorOf(dtype: DType): ArrayCtor | undefined {
  switch (dtype) {
    case 'float32':
    case 'complex64':
      return Float32Array;
    case 'float64':
    case 'complex128':
      return Float64Array;
    case 'float16':
    case 'bfloat16':
    case 'uint16':
      return Uint16Array;
    case 'int16':
      return Int16Array;
    case 'int32':
      return Int32Array;
    case 'uint32':
      return Uint32Array;
    case 'int64':
      return BigInt64Array as unknown as ArrayCtor;
    case 'uint64':
      return BigUint64Array as unknown as ArrayCtor;
    case 'int8':
      return Int8Array;
    case 'uint8':
    case 'bool':
    case 'float8e4m3fn':
    case 'float8e4m3fnuz':
    case 'float8e5m2':
    case 'float8e5m2fnuz':
    case 'float8e8m0':
      return Uint8Array;
    default:
      return undefined;
  }
}
