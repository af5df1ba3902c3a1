import { CondenseError, constantOf, elementCount, float32ToFloat16Bits, getInt, type Value } from '@condense/core';
import { padRank, permute, stridesOf, transposeData, type Perm } from '../layout.js';
import type { TfjsDType } from '../model-json.js';
import { codebookIndices, encodedBytes, gridLevels, gridValue, isHalfExact, rangeGrid, smallestExact, type Encoding } from './encodings.js';
import { evaluate, type Evaluated } from './evaluate.js';
import { tfAttr, type GraphDefWriter } from './graph-def.js';
import type { WeightPrecision } from './options.js';

/** Where a constant goes: stored = reshape(transpose(logical, perm), shape); a logical tensor of lower rank first gets leading axes of size 1. */
export interface Placement {
  perm: Perm;
  shape?: readonly number[];
}

/** A weight in the form the IR computes it: plain values, or integers times a scale per channel (DequantizeLinear). */
type Form = { kind: 'values'; values: Evaluated } | { kind: 'scaled'; ints: Evaluated; scales: Float32Array; channel: Evaluated };

/** What the exporter reports about one stored weight. */
export interface StoredWeightInfo {
  /** The IR value's name. */
  value: string;
  /** How it is stored: a plain dtype, a uint8/uint16 grid, indices into a float32 codebook, or condense's integer weights with scales. */
  encoding: 'float32' | 'float16' | 'uint8' | 'uint16' | 'codebook8' | 'codebook16' | 'int-scaled8' | 'int-scaled16' | 'int32' | 'bool';
  /** Whether tfjs decodes it to exactly the values the IR computes. */
  exact: boolean;
  /** Bytes it takes in the shard (a codebook's included). */
  bytes: number;
}

/**
 * Writes the constants of a graph into the tfjs shard, each once per
 * placement, in the smallest encoding that tfjs decodes to exactly the values
 * the IR computes (or, when `precision` allows, a lossy one).
 */
export class WeightEmitter {
  readonly stored: StoredWeightInfo[] = [];
  readonly #writer: GraphDefWriter;
  readonly #precision: WeightPrecision;
  readonly #cache = new Map<Value, Evaluated>();
  readonly #forms = new Map<Value, Form>();
  readonly #emitted = new Map<string, string>();
  readonly #ids = new Map<Value, number>();

  constructor(writer: GraphDefWriter, precision: WeightPrecision) {
    this.#writer = writer;
    this.#precision = precision;
  }

  /** The tfjs tensor holding constant `v` placed as asked. */
  emit(v: Value, placement: Placement): string {
    if (!this.#ids.has(v)) this.#ids.set(v, this.#ids.size);
    const key = `${this.#ids.get(v)}|${placement.perm.join(',')}|${placement.shape?.join(',') ?? ''}`;
    let name = this.#emitted.get(key);
    if (!name) {
      name = this.#write(v, placement);
      this.#emitted.set(key, name);
    }
    return name;
  }

  /** The constant's elements as the IR computes them. */
  values(v: Value): Evaluated {
    return evaluate(v, this.#cache);
  }

  #form(v: Value): Form {
    let form = this.#forms.get(v);
    if (!form) this.#forms.set(v, (form = this.#analyze(v)));
    return form;
  }

  #analyze(v: Value): Form {
    const dq = v.producer();
    if (dq?.op === 'DequantizeLinear' && dq.domain === '' && !constantOf(v)) {
      const [x, scale, zero] = dq.inputs;
      const q = this.values(x!);
      const s = this.values(scale!);
      const z = zero ? this.values(zero) : undefined;
      // Per-channel scales along `axis`; one scale is the one-channel case.
      const axis = getInt(dq.attrs, 'axis', 1);
      const rank = q.shape.length;
      const a = axis < 0 ? axis + rank : axis;
      const perChannel = s.data.length > 1;
      const stride = perChannel ? stridesOf(q.shape)[a]! : 1;
      const size = perChannel ? q.shape[a]! : 1;
      const channel = new Float64Array(q.data.length);
      const ints = new Float64Array(q.data.length);
      for (let i = 0; i < ints.length; i++) {
        const c = Math.floor(i / stride) % size;
        channel[i] = c;
        ints[i] = q.data[i]! - (z ? z.data[perChannel ? c : 0]! : 0);
      }
      return { kind: 'scaled', ints: { dtype: 'int32', shape: q.shape, data: ints }, scales: Float32Array.from(s.data), channel: { dtype: 'int32', shape: q.shape, data: channel } };
    }
    return { kind: 'values', values: this.values(v) };
  }

  #write(v: Value, placement: Placement): string {
    const form = this.#form(v);
    const place = (t: Evaluated) => placed(t, placement);
    if (form.kind === 'scaled') {
      const ints = place(form.ints);
      const channel = place(form.channel);
      const scaled = this.#scaled(v, ints, form.scales, channel);
      if (scaled) return scaled;
      // Integers too wide for uint16, or scales that do not broadcast in this placement: store the products.
      const values = Float64Array.from(ints.data, (q, i) => Math.fround(q * form.scales[channel.data[i]!]!));
      return this.#writeValues(v, { dtype: 'float32', shape: ints.shape, data: values });
    }
    return this.#writeValues(v, place(form.values));
  }

  /**
   * DequantizeLinear weights: integers stored exactly (uint8 or uint16 with
   * scale 1), times a float32 scale per channel, computed by a Mul when the
   * model runs: float32 rounding of the same product, so exactly ONNX's value.
   * One scale for the whole tensor needs no Mul at all: it is the grid's step.
   */
  #scaled(v: Value, ints: Evaluated, scales: Float32Array, channel: Evaluated): string | undefined {
    let lo = Infinity;
    let hi = -Infinity;
    for (const q of ints.data) {
      lo = Math.min(lo, q);
      hi = Math.max(hi, q);
    }
    const bits = hi - lo < 256 ? 8 : hi - lo < 65536 ? 16 : undefined;
    if (!bits) return undefined;
    const base = v.name;
    if (scales.length === 1) {
      const scale = scales[0]!;
      const grid: Encoding = { kind: 'grid', bits, scale, min: lo * scale };
      const exact = ints.data.every((q) => gridValue(q - lo, scale, lo * scale) === Math.fround(q * scale));
      if (exact) return this.#store(v, base, 'float32', ints.shape, Float64Array.from(ints.data, (q) => Math.fround(q * scale)), grid, true);
      return undefined;
    }
    const broadcast = broadcastShape(channel);
    if (!broadcast) return undefined;
    const stored = this.#store(v, `${base}/quantized`, 'float32', ints.shape, ints.data, { kind: 'grid', bits, scale: 1, min: lo }, true, `int-scaled${bits}`);
    const scaleValues = broadcast.channels.map((c) => scales[c]!);
    const scaleName = this.#writer.constant(`${base}/scale`, { dtype: 'float32', shape: broadcast.shape, bytes: bytesOf(Float32Array.from(scaleValues)) });
    this.stored[this.stored.length - 1]!.bytes += 4 * scaleValues.length;
    return this.#writer.op('Mul', base, [stored, scaleName], { T: tfAttr.type('float32') });
  }

  #writeValues(v: Value, t: Evaluated): string {
    const base = v.name;
    const dtype = tfjsDType(t, v.name);
    if (dtype !== 'float32') return this.#writeInts(v, base, dtype, t);
    return this.#store(v, base, 'float32', t.shape, t.data, this.#choose(t.data), undefined);
  }

  #choose(data: Float64Array): Encoding {
    const exact = smallestExact(data);
    const p = this.#precision;
    if (p === 'exact' || data.length <= 1) return exact;
    if (p === 'float32') return { kind: 'float32' };
    const lossy: Encoding = p === 'float16' ? { kind: 'float16' } : rangeGrid(data, p === 'uint8' ? 8 : 16);
    return encodedBytes(lossy, data.length) < encodedBytes(exact, data.length) ? lossy : exact;
  }

  /** Integer and bool constants: int32 (uint8/uint16 with scale 1 when the range fits), bool as bytes. */
  #writeInts(v: Value, base: string, dtype: 'int32' | 'bool', t: Evaluated): string {
    if (dtype === 'bool') {
      this.stored.push({ value: v.name, encoding: 'bool', exact: true, bytes: t.data.length });
      return this.#writer.constant(base, { dtype, shape: t.shape, bytes: Uint8Array.from(t.data) });
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (const q of t.data) {
      lo = Math.min(lo, q);
      hi = Math.max(hi, q);
    }
    const bits = t.data.length > 16 ? (hi - lo < 256 ? 8 : hi - lo < 65536 ? 16 : undefined) : undefined;
    if (bits) return this.#store(v, base, 'int32', t.shape, t.data, { kind: 'grid', bits, scale: 1, min: lo }, true);
    this.stored.push({ value: v.name, encoding: 'int32', exact: true, bytes: 4 * t.data.length });
    return this.#writer.constant(base, { dtype, shape: t.shape, bytes: bytesOf(Int32Array.from(t.data)) });
  }

  /** Writes `data` (the values tfjs must read back) in encoding `e`; a codebook adds its lookup. */
  #store(v: Value, base: string, dtype: TfjsDType, shape: number[], data: Float64Array, e: Encoding, exact: boolean | undefined, label?: StoredWeightInfo['encoding']): string {
    const count = data.length;
    const lossless = exact ?? isLossless(data, e);
    const info = (encoding: StoredWeightInfo['encoding']) => this.stored.push({ value: v.name, encoding: label ?? encoding, exact: lossless, bytes: encodedBytes(e, count) });
    switch (e.kind) {
      case 'float32':
        info('float32');
        return this.#writer.constant(base, { dtype, shape, bytes: bytesOf(Float32Array.from(data)) });
      case 'float16':
        info('float16');
        return this.#writer.constant(base, { dtype, shape, bytes: bytesOf(Uint16Array.from(data, float32ToFloat16Bits)), quantization: { dtype: 'float16' } });
      case 'grid': {
        info(e.bits === 8 ? 'uint8' : 'uint16');
        const levels = gridLevels(data, e);
        const bytes = e.bits === 8 ? Uint8Array.from(levels) : bytesOf(Uint16Array.from(levels));
        return this.#writer.constant(base, { dtype, shape, bytes, quantization: { dtype: e.bits === 8 ? 'uint8' : 'uint16', scale: e.scale, min: e.min } });
      }
      case 'codebook': {
        info(e.bits === 8 ? 'codebook8' : 'codebook16');
        const indices = codebookIndices(data, e);
        const book = this.#writer.constant(`${base}/codebook`, { dtype: 'float32', shape: [e.codebook.length], bytes: bytesOf(e.codebook) });
        const index = this.#writer.constant(`${base}/indices`, {
          dtype: 'int32',
          shape,
          bytes: e.bits === 8 ? Uint8Array.from(indices) : bytesOf(Uint16Array.from(indices)),
          quantization: { dtype: e.bits === 8 ? 'uint8' : 'uint16', scale: 1, min: 0 },
        });
        const axis = this.#writer.constant(`${base}/axis`, { dtype: 'int32', shape: [], bytes: bytesOf(Int32Array.of(0)) });
        return this.#writer.op('GatherV2', base, [book, index, axis], { Tparams: tfAttr.type('float32'), Tindices: tfAttr.type('int32'), Taxis: tfAttr.type('int32'), batch_dims: tfAttr.i(0) });
      }
    }
  }

}

function isLossless(data: Float64Array, e: Encoding): boolean {
  if (e.kind === 'float32' || e.kind === 'codebook') return true;
  if (e.kind === 'float16') return isHalfExact(data);
  const levels = gridLevels(data, e);
  return levels.every((q, i) => gridValue(q, e.scale, e.min) === data[i]);
}

function bytesOf(a: Float32Array | Uint16Array | Int32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function tfjsDType(t: Evaluated, name: string): 'float32' | 'int32' | 'bool' {
  if (t.dtype === 'bool') return 'bool';
  if (t.dtype === 'float32' || t.dtype === 'float16' || t.dtype === 'float64' || t.dtype === 'bfloat16') return 'float32';
  if (t.dtype.startsWith('int') || t.dtype.startsWith('uint')) {
    if (t.data.some((v) => v < -(2 ** 31) || v >= 2 ** 31)) throw new CondenseError('E_UNSUPPORTED_DTYPE', `Constant "${name}" has integers beyond int32, tfjs's widest.`, { context: { value: name } });
    return 'int32';
  }
  throw new CondenseError('E_UNSUPPORTED_DTYPE', `Constant "${name}" is ${t.dtype}, which tfjs cannot hold.`, { context: { value: name } });
}

/** A tensor moved to its placement. */
function placed(t: Evaluated, p: Placement): Evaluated {
  const logical = padRank(t.shape, p.perm.length);
  const data = transposeData(t.data, logical, p.perm, (n) => new Float64Array(n));
  const shape = p.shape ? [...p.shape] : permute(logical, p.perm);
  if (elementCount(shape) !== data.length) throw new CondenseError('E_INTERNAL', `Cannot place [${t.shape.join(', ')}] as [${shape.join(', ')}].`);
  return { dtype: t.dtype, shape, data };
}

/**
 * The smallest shape a per-channel scale broadcasts in, given each element's
 * channel in the placed tensor: the axes along which the channel changes.
 * Undefined when the channel is not a function of those axes alone.
 */
function broadcastShape(channel: Evaluated): { shape: number[]; channels: number[] } | undefined {
  const shape = channel.shape;
  const strides = stridesOf(shape);
  const varies = shape.map((d, a) => d > 1 && Array.from({ length: d }, (_, k) => channel.data[k * strides[a]!]!).some((c) => c !== channel.data[0]));
  const bshape = shape.map((d, a) => (varies[a] ? d : 1));
  const bstrides = stridesOf(bshape);
  const channels = new Array<number>(elementCount(bshape));
  for (let i = 0; i < channel.data.length; i++) {
    let at = 0;
    for (let a = 0; a < shape.length; a++) if (varies[a]) at += (Math.floor(i / strides[a]!) % shape[a]!) * bstrides[a]!;
    if (channels[at] === undefined) channels[at] = channel.data[i]!;
    else if (channels[at] !== channel.data[i]) return undefined;
  }
  return { shape: bshape, channels };
}
