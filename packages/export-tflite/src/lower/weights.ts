import { float32ToFloat16Bits, roundHalfEven, type Value } from '@condense/core';
import { BuiltinOperator, TensorType } from '../generated/tflite_generated.js';
import { bytesOf, type LowerContext, type WeightArrangement } from './context.js';
import { staticFloats, type QuantizedConstant } from './static-values.js';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** An int8 weight as integer kernels read it, with one scale per output channel. */
export interface KernelWeight {
  index: number;
  scales: Float32Array;
}

/**
 * Stores weights and biases once per (value, arrangement): as float32, as
 * float16 or integers read through DEQUANTIZE for float kernels, or as the
 * int8 and int32 tensors integer and hybrid kernels read.
 */
export class WeightStore {
  #cache = new Map<string, number>();
  #scales = new Map<number, Float32Array>();

  constructor(private readonly ctx: LowerContext) {}

  /**
   * A float operand: the model's integers read through DEQUANTIZE when it
   * stores them so (quantize-weights' int8 weights: a quarter of the bytes,
   * the same values), float16 likewise when the model or the caller asks for
   * it, float32 otherwise.
   */
  float(v: Value, how: WeightArrangement): number {
    return this.#once(`float\0${v.name}\0${how.key}`, () => {
      const source = staticFloats(v)!;
      const name = how.key ? `${v.name}/${how.key}` : v.name;
      const integers = source.quantized && source.quantized.dtype !== 'int32' ? this.#integers(v, how, false) : undefined;
      let { data, shape } = how.arrange(source.data, source.shape);
      if (integers !== undefined) return this.#dequantize(integers, name, shape);
      const factor = how.factor ?? 1;
      if (factor !== 1) data = data.map((x) => x * factor);
      if (!source.float16 && this.ctx.options.weights === 'float32') return this.ctx.float32(name, data, shape);
      const half = Uint16Array.from(data, float32ToFloat16Bits);
      const stored = this.ctx.tensor({ name: `${name}/float16`, type: TensorType.FLOAT16, shape, data: bytesOf(half) });
      return this.#dequantize(stored, name, shape);
    });
  }

  /** The int8 weight of an integer or hybrid kernel; kernelWeightProblem must have accepted it. */
  int8(v: Value, how: WeightArrangement): KernelWeight {
    const index = this.#integers(v, how, true)!;
    return { index, scales: this.#scales.get(index)! };
  }

  /**
   * The int32 bias of an integer kernel: scale input x weight per output
   * channel, zero point 0 (TFLite's spec). The model's own int32 values are
   * kept when it quantized them at exactly those scales (quantize-static
   * does); otherwise the float bias is rounded to them.
   */
  int32Bias(name: string, bias: Value | null | undefined, how: WeightArrangement, inputScale: number, weightScales: Float32Array): number {
    const units = weightScales.length;
    const scales = Float32Array.from(weightScales, (s) => inputScale * s);
    const source = bias ? staticFloats(bias) : undefined;
    let values: ArrayLike<number> = new Int32Array(units);
    if (bias && source) {
      const raw = source.quantized && reusableInt32(source.quantized, source.shape, how, scales);
      values = raw ?? quantizeBias(how, source.data, source.shape, scales);
    }
    return this.ctx.tensor({
      name: `${name}/int32`,
      type: TensorType.INT32,
      shape: [units],
      data: bytesOf(Int32Array.from(values)),
      quantization: { scale: Array.from(scales), zeroPoint: new Array<number>(units).fill(0), axis: 0 },
    });
  }

  #dequantize(stored: number, name: string, shape: number[]): number {
    const index = this.ctx.temp(name, shape);
    this.ctx.emit(BuiltinOperator.DEQUANTIZE, [stored], [index]);
    return index;
  }

  /**
   * The model's integers rearranged, with their scales following their axis.
   * perChannel: scales along the output channels, as integer kernels want
   * them (a single scale is repeated). Undefined when the scales cannot follow.
   */
  #integers(v: Value, how: WeightArrangement, perChannel: boolean): number | undefined {
    const source = staticFloats(v)!;
    const q = source.quantized!;
    const axis = q.axis === undefined ? undefined : how.axisOf(q.axis);
    const factor = how.factor ?? 1;
    if ((q.axis !== undefined && axis === undefined) || !(factor > 0)) return undefined;
    return this.#once(`${q.dtype}${perChannel ? '/kernel' : ''}\0${v.name}\0${how.key}`, () => {
      const { data, shape } = how.arrange(q.data, source.shape);
      let scales = Float32Array.from(q.scales, (s) => s * factor);
      let zeroPoints = q.zeroPoints;
      if (perChannel && axis === undefined) {
        const channels = shape[how.channelAxis]!;
        scales = new Float32Array(channels).fill(scales[0]!);
        zeroPoints = new Array<number>(channels).fill(zeroPoints[0]!);
      }
      const name = `${how.key ? `${v.name}/${how.key}` : v.name}/${q.dtype}`;
      const type = q.dtype === 'uint8' ? TensorType.UINT8 : TensorType.INT8;
      const index = this.ctx.tensor({ name, type, shape, data: bytesOf(data), quantization: { scale: Array.from(scales), zeroPoint: zeroPoints, axis: axis ?? how.channelAxis } });
      this.#scales.set(index, scales);
      return index;
    });
  }

  #once(key: string, make: () => number): number {
    let index = this.#cache.get(key);
    if (index === undefined) this.#cache.set(key, (index = make()));
    return index;
  }
}

/**
 * Why `v` cannot be the weight of an integer (or hybrid) kernel, or
 * undefined: TFLite's spec wants int8 values, zero point 0, and one scale per
 * output channel (or one for all).
 */
export function kernelWeightProblem(v: Value | null | undefined, how: WeightArrangement): string | undefined {
  const q = staticFloats(v)?.quantized;
  if (!q) return 'the weight is not stored as integers (DequantizeLinear of a constant)';
  if (q.dtype !== 'int8') return `the weight is ${q.dtype}; integer kernels take int8 weights`;
  if (q.zeroPoints.some((z) => z !== 0)) return 'the weight has nonzero zero points; integer kernels take symmetric weights';
  if (q.axis !== undefined && how.axisOf(q.axis) !== how.channelAxis) return 'the weight is quantized along another axis than its output channels';
  if (!((how.factor ?? 1) > 0)) return 'a non-positive alpha cannot be folded into the weight scales';
  return undefined;
}

/** The model's int32 bias when it is already at `scales` (one per output channel after arranging); undefined otherwise. */
function reusableInt32(q: QuantizedConstant, shape: number[], how: WeightArrangement, scales: Float32Array): Int32Array | undefined {
  if (q.dtype !== 'int32' || (how.factor ?? 1) !== 1 || q.zeroPoints.some((z) => z !== 0)) return undefined;
  const { data } = how.arrange(q.data as Int32Array, shape);
  if (data.length !== scales.length) return undefined;
  const axis = q.axis === undefined ? undefined : how.axisOf(q.axis);
  if (q.axis !== undefined && axis !== 0) return undefined;
  const same = scales.every((s, c) => (axis === undefined ? q.scales[0] : q.scales[c]) === s);
  return same ? data : undefined;
}

function quantizeBias(how: WeightArrangement, data: Float32Array, shape: number[], scales: Float32Array): number[] {
  const factor = how.factor ?? 1;
  const floats = how.arrange(data, shape).data;
  return Array.from(scales, (s, c) => Math.max(INT32_MIN, Math.min(INT32_MAX, roundHalfEven((factor * floats[c]!) / s))));
}
