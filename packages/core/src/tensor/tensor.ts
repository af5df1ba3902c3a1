import { CondenseError } from '../errors.js';
import { arrayCtorOf, byteLengthOf, dtypeBits, type DType, type TypedArray, type TypedArrayOf } from './dtype.js';

/** Where a tensor's bytes come from: a view into bytes already in memory, or a loader run on first use. */
type Source =
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'lazy'; load: () => Uint8Array; byteLength: number }
  | { kind: 'strings'; strings: Uint8Array[] };

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** The number of elements a tensor of this shape holds (1 for a scalar, `[]`). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * An immutable n-dimensional array in ONNX's raw layout (little-endian, sub-byte
 * types packed LSB first). Tensors made from file bytes are views into those
 * bytes: loading a model never copies its weights, and a lazily loaded tensor
 * (external data) reads nothing until bytes() or data() is called.
 *
 * The arrays returned by bytes() and data() may share memory with the model
 * file's buffer: treat them as read-only and build a new Tensor to change data.
 */
export class Tensor {
  /** The element type. */
  readonly dtype: DType;
  /** The dimensions, outermost first; `[]` for a scalar. Frozen. */
  readonly shape: readonly number[];
  #source: Source;

  private constructor(dtype: DType, shape: readonly number[], source: Source) {
    for (const d of shape) {
      if (!Number.isSafeInteger(d) || d < 0) {
        throw new CondenseError('E_MODEL_INVALID', `Tensor dimension ${String(d)} is not a non-negative integer.`);
      }
    }
    this.dtype = dtype;
    this.shape = Object.freeze([...shape]);
    this.#source = source;
    const expected = dtype === 'string' ? undefined : byteLengthOf(dtype, elementCount(shape));
    const actual = source.kind === 'bytes' ? source.bytes.byteLength : source.kind === 'lazy' ? source.byteLength : undefined;
    if (expected !== undefined && actual !== expected) {
      throw new CondenseError(
        'E_MODEL_INVALID',
        `A ${dtype} tensor of shape [${shape.join(', ')}] needs ${expected} bytes but has ${String(actual)}.`,
      );
    }
    if (source.kind === 'strings' && source.strings.length !== elementCount(shape)) {
      throw new CondenseError(
        'E_MODEL_INVALID',
        `A string tensor of shape [${shape.join(', ')}] needs ${elementCount(shape)} strings but has ${source.strings.length}.`,
      );
    }
  }

  /** A tensor viewing `bytes` (ONNX raw layout). No copy is made. */
  static fromBytes(dtype: DType, shape: readonly number[], bytes: Uint8Array): Tensor {
    if (dtype === 'string') throw new CondenseError('E_UNSUPPORTED_DTYPE', 'String tensors are made with Tensor.fromStrings.');
    return new Tensor(dtype, shape, { kind: 'bytes', bytes });
  }

  /** A tensor whose bytes are produced by `load` the first time they are needed (external data). */
  static lazy(dtype: DType, shape: readonly number[], load: () => Uint8Array): Tensor {
    if (dtype === 'string') throw new CondenseError('E_UNSUPPORTED_DTYPE', 'String tensors cannot be loaded lazily.');
    return new Tensor(dtype, shape, { kind: 'lazy', load, byteLength: byteLengthOf(dtype, elementCount(shape)) });
  }

  /** A string tensor; JavaScript strings are stored as UTF-8, byte arrays as given. */
  static fromStrings(shape: readonly number[], strings: ReadonlyArray<string | Uint8Array>): Tensor {
    const encoded = strings.map((s) => (typeof s === 'string' ? utf8.encode(s) : s));
    return new Tensor('string', shape, { kind: 'strings', strings: encoded });
  }

  /**
   * A tensor holding `values`, copied. Sub-byte integer types take one value per
   * element and are packed here; every other dtype takes its data() array type.
   */
  static from<D extends DType>(dtype: D, shape: readonly number[], values: TypedArrayOf[D] | ArrayLike<number> | ArrayLike<bigint>): Tensor {
    if (dtype === 'string') return Tensor.fromStrings(shape, values as unknown as string[]);
    const count = elementCount(shape);
    const bits = dtypeBits(dtype);
    if (values.length !== count * (dtype.startsWith('complex') ? 2 : 1)) {
      throw new CondenseError('E_BAD_OPTION', `Tensor.from: ${values.length} values do not fill shape [${shape.join(', ')}].`);
    }
    if (bits < 8) return Tensor.fromBytes(dtype, shape, packSubByte(values as ArrayLike<number>, bits));
    const Ctor = arrayCtorOf(dtype)!;
    const array = new Ctor(values.length);
    (array as unknown as { set(v: ArrayLike<unknown>): void }).set(values as ArrayLike<unknown>);
    return Tensor.fromBytes(dtype, shape, new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  }

  /** A rank-0 tensor holding one value. */
  static scalar(dtype: DType, value: number | bigint): Tensor {
    return Tensor.from(dtype, [], [value] as ArrayLike<number>);
  }

  /** The number of elements. */
  get size(): number {
    return elementCount(this.shape);
  }

  /** The number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** Bytes in ONNX raw layout, without loading a lazy tensor (string tensors: sum of UTF-8 lengths). */
  get byteLength(): number {
    const s = this.#source;
    if (s.kind === 'bytes') return s.bytes.byteLength;
    if (s.kind === 'lazy') return s.byteLength;
    return s.strings.reduce((n, b) => n + b.byteLength, 0);
  }

  /** True until a lazily loaded tensor has been read. */
  get isLazy(): boolean {
    return this.#source.kind === 'lazy';
  }

  /** The raw little-endian bytes (ONNX raw_data layout). A view, never a copy, once loaded. */
  bytes(): Uint8Array {
    const s = this.#source;
    if (s.kind === 'bytes') return s.bytes;
    if (s.kind === 'lazy') {
      const bytes = s.load();
      if (bytes.byteLength !== s.byteLength) {
        throw new CondenseError('E_EXTERNAL_DATA', `External data holds ${bytes.byteLength} bytes where ${s.byteLength} were declared.`);
      }
      this.#source = { kind: 'bytes', bytes };
      return bytes;
    }
    throw new CondenseError('E_UNSUPPORTED_DTYPE', 'String tensors have no raw bytes; use strings().');
  }

  /** UTF-8 bytes of each element of a string tensor. */
  strings(): Uint8Array[] {
    const s = this.#source;
    if (s.kind !== 'strings') throw new CondenseError('E_UNSUPPORTED_DTYPE', `A ${this.dtype} tensor has no strings.`);
    return s.strings;
  }

  /**
   * The elements as the dtype's typed array (see TypedArrayOf). A view into the
   * bytes when they are aligned; otherwise, and for sub-byte types, a copy.
   */
  data<D extends DType = DType>(): TypedArrayOf[D] {
    if (this.dtype === 'string') return this.strings().map((b) => fromUtf8.decode(b)) as TypedArrayOf[D];
    const bytes = this.bytes();
    const bits = dtypeBits(this.dtype);
    if (bits < 8) return unpackSubByte(bytes, this.size, bits, this.dtype.startsWith('int')) as TypedArrayOf[D];
    const Ctor = arrayCtorOf(this.dtype)!;
    const width = Ctor.BYTES_PER_ELEMENT;
    const length = bytes.byteLength / width;
    if (bytes.byteOffset % width === 0) return new Ctor(bytes.buffer, bytes.byteOffset, length) as TypedArrayOf[D];
    const copy = new Uint8Array(bytes);
    return new Ctor(copy.buffer, 0, length) as TypedArrayOf[D];
  }

  /** Elements widened to float64 numbers (int64 beyond 2^53 loses precision); for arithmetic on small tensors. */
  toNumbers(): number[] {
    if (this.dtype === 'string') throw new CondenseError('E_UNSUPPORTED_DTYPE', 'String tensors have no numeric value.');
    const data = this.data() as TypedArray;
    const out = new Array<number>(data.length);
    const decode = floatDecoder(this.dtype);
    for (let i = 0; i < data.length; i++) out[i] = decode(Number(data[i]));
    return out;
  }

  /** The same bytes seen with another shape of the same element count. */
  reshape(shape: readonly number[]): Tensor {
    if (elementCount(shape) !== this.size) {
      throw new CondenseError('E_BAD_OPTION', `Cannot reshape [${this.shape.join(', ')}] to [${shape.join(', ')}].`);
    }
    const s = this.#source;
    return new Tensor(this.dtype, shape, s.kind === 'lazy' ? s : { ...s });
  }
}

function packSubByte(values: ArrayLike<number>, bits: number): Uint8Array {
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const out = new Uint8Array(Math.ceil(values.length / perByte));
  for (let i = 0; i < values.length; i++) {
    out[Math.floor(i / perByte)]! |= (Number(values[i]) & mask) << ((i % perByte) * bits);
  }
  return out;
}

function unpackSubByte(bytes: Uint8Array, count: number, bits: number, signed: boolean): Int8Array | Uint8Array {
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const signBit = 1 << (bits - 1);
  const out = signed ? new Int8Array(count) : new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const v = (bytes[Math.floor(i / perByte)]! >> ((i % perByte) * bits)) & mask;
    out[i] = signed && v & signBit ? v - (1 << bits) : v;
  }
  return out;
}

/** Maps the raw element of a dtype to its numeric value (half floats are stored as bits). */
function floatDecoder(dtype: DType): (raw: number) => number {
  if (dtype === 'float16') return float16BitsToNumber;
  if (dtype === 'bfloat16') return (bits) => bfloat16BitsToNumber(bits);
  return (v) => v;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The number a bfloat16 bit pattern (as data() returns it) stands for. */
export function bfloat16BitsToNumber(bits: number): number {
  u32[0] = bits << 16;
  return f32[0]!;
}

/** The number an IEEE half-precision bit pattern (as data() returns it) stands for; subnormals, infinities and NaN included. */
export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
