import { CondenseError } from '../errors.js';
import { byteLengthOf, type DType } from '../tensor/dtype.js';
import { Tensor, elementCount } from '../tensor/tensor.js';
import { checkPreprocess, inputLayout, normalization, type ModelInput, type PreprocessSpec } from './image.js';

/** "\x93NUMPY", the first six bytes of every .npy file. */
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** NumPy type codes (the descr after its byte-order character) and the dtypes that hold them. */
const NPY_TYPES: Record<string, DType> = {
  f2: 'float16', f4: 'float32', f8: 'float64', b1: 'bool',
  i1: 'int8', u1: 'uint8', i2: 'int16', u2: 'uint16', i4: 'int32', u4: 'uint32', i8: 'int64', u8: 'uint64',
};

/** What a .npy header says: element type, shape and where the data starts. */
export interface NpyHeader {
  /** The element type, from the header's `descr`. */
  dtype: DType;
  /** The array's shape, from the header's `shape`. */
  shape: number[];
  /** Where the data starts: the header's length. */
  dataOffset: number;
}

const invalid = (what: string, why: string) => new CondenseError('E_BAD_OPTION', `${what} is not a valid .npy file: ${why}.`, { context: { file: what } });

/**
 * The header's length, from the file's first 12 bytes (10 suffice for
 * version 1), so a reader can fetch exactly the header before the data.
 */
export function npyDataOffset(prefix: Uint8Array, what = 'NPY data'): number {
  if (prefix.byteLength < 10 || MAGIC.some((b, i) => prefix[i] !== b)) throw invalid(what, 'it does not start with the NPY magic string (\\x93NUMPY)');
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const major = prefix[6]!;
  if (major === 1) return 10 + view.getUint16(8, true);
  if (major !== 2 && major !== 3) throw invalid(what, `format version ${major}.${prefix[7]!} is not 1, 2 or 3`);
  if (prefix.byteLength < 12) throw invalid(what, 'its header is cut short');
  return 12 + view.getUint32(8, true);
}

/**
 * Parses the header (a Python dict literal) from bytes holding at least all of
 * it. C-ordered little-endian arrays of plain numbers only: anything else is
 * refused with what to do about it, rather than read wrongly.
 */
export function parseNpyHeader(bytes: Uint8Array, what = 'NPY data'): NpyHeader {
  const dataOffset = npyDataOffset(bytes, what);
  if (bytes.byteLength < dataOffset) throw invalid(what, 'its header is cut short');
  const version = bytes[6]!;
  // Versions 1 and 2 write the dict in latin-1, version 3 in UTF-8.
  const text = new TextDecoder(version === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(version === 1 ? 10 : 12, dataOffset));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const dims = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined) throw invalid(what, 'its header has no plain dtype (structured arrays are not supported)');
  if (fortran === undefined || dims === undefined) throw invalid(what, 'its header lacks fortran_order or shape');
  if (fortran === 'True') {
    throw new CondenseError('E_BAD_OPTION', `${what} is stored in Fortran (column-major) order; save it C-ordered (np.save(f, np.ascontiguousarray(a))).`, { context: { file: what } });
  }
  const dtype = NPY_TYPES[descr.slice(1)];
  if (descr[0] === '>' && dtype && byteLengthOf(dtype, 1) > 1) {
    throw new CondenseError('E_BAD_OPTION', `${what} is big-endian (${descr}); save it little-endian (a.astype('<${descr.slice(1)}')).`, { context: { file: what } });
  }
  if (!dtype || !'<|>'.includes(descr[0]!)) throw invalid(what, `element type '${descr}' is not supported (floats, integers and bool are)`);
  const parts = dims.split(',').map((d) => d.trim()).filter((d) => d !== '');
  // Python 2 wrote long integers with an L suffix.
  if (!parts.every((d) => /^\d+L?$/.test(d))) throw invalid(what, `its shape (${dims}) is not a tuple of sizes`);
  return { dtype, shape: parts.map((d) => Number.parseInt(d, 10)), dataOffset };
}

/** Bytes of data the header declares. */
export function npyDataBytes(header: NpyHeader): number {
  return byteLengthOf(header.dtype, elementCount(header.shape));
}

/** Fails unless a file of `total` bytes holds exactly the data its header declares. */
export function checkNpyLength(header: NpyHeader, total: number, what = 'NPY data'): void {
  const held = total - header.dataOffset;
  if (held !== npyDataBytes(header)) throw invalid(what, `shape [${header.shape.join(', ')}] of ${header.dtype} needs ${npyDataBytes(header)} bytes of data but it holds ${held}`);
}

/** A whole .npy file as a tensor viewing its bytes. */
export function parseNpy(bytes: Uint8Array, what = 'NPY data'): Tensor {
  const header = parseNpyHeader(bytes, what);
  checkNpyLength(header, bytes.byteLength, what);
  return Tensor.fromBytes(header.dtype, header.shape, bytes.subarray(header.dataOffset));
}

/**
 * Turns batches of .npy data (first dim = samples) into feeds for `input`:
 * shaped to the input (a sample of the same element count is reshaped, so
 * [N, 28, 28] feeds [N, 1, 28, 28]) and converted to its dtype. Values go in as
 * stored unless the spec gives scale, mean or std: uint8 pixels are not
 * divided by 255 unless asked. The spec is checked here, once.
 */
export function npyFeeder(input: ModelInput, spec: PreprocessSpec = {}): (raw: Tensor, what: string) => Tensor {
  checkPreprocess(spec);
  const imageOnly = (['size', 'resize', 'channels'] as const).filter((k) => spec[k] !== undefined);
  if (imageOnly.length) throw new CondenseError('E_BAD_OPTION', `Preprocessing option "${imageOnly[0]}" applies to images; .npy data is fed at the size and channel order it was saved with.`);
  const normalize = spec.scale !== undefined || spec.mean !== undefined || spec.std !== undefined;
  const target = input.type?.dtype ?? 'float32';
  return (raw, what) => {
    if (raw.rank === 0) throw new CondenseError('E_BAD_OPTION', `${what} holds a scalar; calibration data needs a first dimension of samples.`, { context: { file: what } });
    const shape = [raw.shape[0]!, ...sampleShape(raw.shape.slice(1), input, what)];
    const fixed = input.type?.shape?.[0];
    if (typeof fixed === 'number' && fixed !== shape[0]) {
      throw new CondenseError('E_BAD_OPTION', `${what} holds ${shape[0]} samples but input "${input.name}" takes batches of exactly ${fixed}.`, { context: { file: what } });
    }
    if (!normalize && raw.dtype === target) return raw.reshape(shape);
    if (target !== 'float32') {
      throw new CondenseError('E_BAD_OPTION', `${what} holds ${raw.dtype} data but input "${input.name}" takes ${target}${normalize ? ' (scale, mean and std make float32)' : ''}; save it as ${target}.`, { context: { file: what } });
    }
    return Tensor.from('float32', shape, normalize ? normalized(numbersOf(raw), shape, input, spec) : Float32Array.from(numbersOf(raw)));
  };
}

/** The input's per-sample shape where the data's fits it: equal where the input is static, or the same element count. */
function sampleShape(sample: readonly number[], input: ModelInput, what: string): readonly number[] {
  const want = input.type?.shape?.slice(1);
  if (!want || (want.length === sample.length && want.every((d, i) => typeof d !== 'number' || d === sample[i]))) return sample;
  if (want.every((d): d is number => typeof d === 'number') && elementCount(want) === elementCount(sample)) return want;
  throw new CondenseError('E_BAD_OPTION', `${what} holds samples of shape [${sample.join(', ')}] but input "${input.name}" takes [${want.join(', ')}] per sample.`, { context: { file: what } });
}

/** (x * scale - mean[c]) / std[c], with the channel axis found as for images when the lists are per channel. */
function normalized(values: ArrayLike<number>, shape: number[], input: ModelInput, spec: PreprocessSpec): Float32Array {
  let [channels, stride] = [1, values.length];
  if ((spec.mean?.length ?? 1) > 1 || (spec.std?.length ?? 1) > 1) {
    const { layout } = inputLayout(input, spec);
    const axis = layout === 'nchw' ? 1 : layout === 'nhwc' ? 3 : 0;
    [channels, stride] = axis ? [shape[axis]!, elementCount(shape.slice(axis + 1))] : [1, values.length];
  }
  const norm = normalization(spec, channels, input.name, 1);
  const out = new Float32Array(values.length);
  for (let i = 0; i < out.length; i++) {
    const c = Math.floor(i / stride) % channels;
    out[i] = (values[i]! * norm.scale - norm.mean[c]!) / norm.std[c]!;
  }
  return out;
}

/** Half floats come back from data() as bit patterns and 64-bit integers as bigints; toNumbers() widens those. */
function numbersOf(t: Tensor): ArrayLike<number> {
  return t.dtype === 'float16' || t.dtype === 'bfloat16' || t.dtype.endsWith('int64') ? t.toNumbers() : (t.data() as ArrayLike<number>);
}
