import { CondenseError, type Node, type Value } from '@condense/core';
import { ActivationFunctionType, BuiltinOperator, TensorType } from '../generated/tflite_generated.js';
import type { ResolvedOptions } from '../options.js';
import type { TfliteModel, TfliteOptions, TfliteTensor } from '../tflite-model.js';
import {
  NCHW_TO_NHWC,
  NHWC_TO_NCHW,
  defaultLayout,
  isIdentityPerm,
  isReshapeOnly,
  permute,
  storedShape,
  transposeData,
  type Layout,
} from './layout.js';
import type { ExportPlan } from './plan.js';
import { sameParams, type ActivationParams } from './quantized.js';
import { WeightStore } from './weights.js';
import { dims, staticFloats } from './static-values.js';

/** The TFLite tensor holding a value, and how its elements are laid out there. */
export interface TensorRef {
  index: number;
  layout: Layout;
}

type Elements = Float32Array | Int8Array | Uint8Array | Int32Array;

/**
 * Rearranges a weight (ONNX layout) into what a TFLite op reads. It only
 * moves elements, so integer weights go through it as floats do.
 */
export interface WeightArrangement {
  /** Distinguishes several arrangements of one constant. */
  key: string;
  arrange<A extends Elements>(data: A, shape: number[]): { data: A; shape: number[] };
  /** Where axis `a` of the model's tensor lands, so per-channel scales follow their channels; undefined when it does not survive as one axis. */
  axisOf(a: number): number | undefined;
  /** The output-channel axis of the result: where int8 kernels want their per-channel scales. */
  channelAxis: number;
  /** A factor the values are multiplied by (Gemm's alpha, beta): applied to floats, folded into the scales of integers. */
  factor?: number;
}

/**
 * State of one export: the tensors and operators emitted so far and which
 * tensor holds each IR value. Rules call it to read operands, make outputs and
 * constants, and emit operators; it owns the layout and int8/float
 * bookkeeping so the rules stay short.
 *
 * A value may be held by an int8 tensor: the output of a QuantizeLinear, and
 * of the DequantizeLinear reading it (whose float values are that tensor's,
 * dequantized). Integer kernels read such tensors as they are
 * (quantizedInput); float kernels get a DEQUANTIZE of them (input), made once.
 */
export class LowerContext {
  readonly model: TfliteModel;
  readonly weights: WeightStore;
  #refs = new Map<Value, TensorRef>();
  /** Tensor index -> its float copy (DEQUANTIZE) or its copy in ONNX element order, made at most once each. */
  #dequantized = new Map<number, number>();
  #plain = new Map<number, number>();
  /** Integer-kernel outputs awaiting requantization by finishNode. */
  #pending: Array<{ value: Value; quantizers: Node[]; params: ActivationParams }> = [];

  constructor(
    readonly plan: ExportPlan,
    readonly options: ResolvedOptions,
  ) {
    this.model = { description: options.description, tensors: [], operators: [], inputs: [], outputs: [] };
    this.weights = new WeightStore(this);
  }

  tensor(t: TfliteTensor): number {
    this.model.tensors.push(t);
    return this.model.tensors.length - 1;
  }

  /** A float32 tensor computed at run time. */
  temp(name: string, shape: number[]): number {
    return this.tensor({ name, type: TensorType.FLOAT32, shape });
  }

  /** An int8 tensor computed at run time, quantized per tensor; unsigned: the same grid as uint8 (zero point + 128), for io 'uint8'. */
  quantizedTemp(name: string, shape: number[], params: ActivationParams, unsigned = false): number {
    const zeroPoint = unsigned ? params.zeroPoint + 128 : params.zeroPoint;
    const type = unsigned ? TensorType.UINT8 : TensorType.INT8;
    return this.tensor({ name, type, shape, quantization: { scale: [params.scale], zeroPoint: [zeroPoint], axis: 0 } });
  }

  /** A run-time tensor of the same type and quantization as `like`. */
  similar(like: number, name: string, shape: number[]): number {
    const { type, quantization } = this.model.tensors[like]!;
    return this.tensor(quantization ? { name, type, shape, quantization } : { name, type, shape });
  }

  shapeOf(index: number): number[] {
    return this.model.tensors[index]!.shape;
  }

  /** The int8 parameters of a per-tensor quantized tensor, or undefined for a float one. */
  paramsOf(index: number): ActivationParams | undefined {
    const t = this.model.tensors[index]!;
    if (t.type !== TensorType.INT8 || !t.quantization) return undefined;
    return { scale: t.quantization.scale[0]!, zeroPoint: t.quantization.zeroPoint[0]! };
  }

  emit(op: BuiltinOperator, inputs: number[], outputs: number[], options?: TfliteOptions): void {
    this.model.operators.push(options ? { op, inputs, outputs, options } : { op, inputs, outputs });
  }

  int32(name: string, values: readonly number[], shape: number[] = [values.length]): number {
    const data = Int32Array.from(values);
    return this.tensor({ name, type: TensorType.INT32, shape, data: bytesOf(data) });
  }

  float32(name: string, data: Float32Array, shape: number[]): number {
    return this.tensor({ name, type: TensorType.FLOAT32, shape, data: bytesOf(data) });
  }

  // ---- values computed at run time

  ref(v: Value): TensorRef {
    const ref = this.#refs.get(v);
    if (!ref) throw new CondenseError('E_INTERNAL', `TFLite export: value "${v.name}" was used before it was computed.`, { context: { value: v.name } });
    return ref;
  }

  /** Records that `v` is held by an existing tensor (graph inputs, ops that change nothing). */
  bind(v: Value, ref: TensorRef): void {
    this.#refs.set(v, ref);
  }

  layoutOf(v: Value): Layout {
    return this.ref(v).layout;
  }

  /** True when `v` is held by an int8 tensor. */
  isQuantized(v: Value): boolean {
    return this.paramsOf(this.ref(v).index) !== undefined;
  }

  /** The float tensor of a run-time operand, in whatever layout it has (dequantized once if it is held in int8). */
  input(v: Value): number {
    return this.#float(this.ref(v).index);
  }

  /** A run-time operand as float in ONNX element order, transposing once (and only once) if it is stored otherwise. */
  plainInput(v: Value): number {
    return this.#float(this.#plainOf(v));
  }

  /** The int8 tensor holding a run-time operand, in whatever layout it has; for integer kernels. */
  quantizedInput(v: Value): number {
    const { index } = this.ref(v);
    if (!this.paramsOf(index)) throw new CondenseError('E_INTERNAL', `TFLite export: value "${v.name}" is not held in int8.`, { context: { value: v.name } });
    return index;
  }

  /** The int8 tensor of a run-time operand in ONNX element order. */
  quantizedPlainInput(v: Value): number {
    this.quantizedInput(v);
    return this.#plainOf(v);
  }

  /** A run-time operand for a float kernel or an integer one, in its stored layout or (plain) in ONNX element order. */
  read(v: Value, quantized: boolean, plain = false): number {
    if (quantized) return plain ? this.quantizedPlainInput(v) : this.quantizedInput(v);
    return plain ? this.plainInput(v) : this.input(v);
  }

  #float(index: number): number {
    if (!this.paramsOf(index)) return index;
    let float = this.#dequantized.get(index);
    if (float === undefined) {
      const t = this.model.tensors[index]!;
      float = this.temp(`${t.name}/dequantized`, t.shape);
      this.emit(BuiltinOperator.DEQUANTIZE, [index], [float]);
      this.#dequantized.set(index, float);
    }
    return float;
  }

  /** The tensor of `v` (its own type) in ONNX element order. */
  #plainOf(v: Value): number {
    const ref = this.ref(v);
    if (ref.layout.kind === 'plain') return ref.index;
    const cached = this.#plain.get(ref.index);
    if (cached !== undefined) return cached;
    const shape = dims(v);
    const like = (name: string, s: number[]) => this.similar(ref.index, name, s);
    let index: number;
    if (ref.layout.kind === 'nhwc') {
      index = like(`${v.name}_nchw`, shape);
      this.transposeInto(ref.index, NHWC_TO_NCHW, index);
    } else {
      // Columns in H, W, C order back to C, H, W: unflatten, transpose, flatten.
      const { c, h, w } = ref.layout;
      const n = shape[0]!;
      const unflat = like(`${v.name}_hwc`, [n, h, w, c]);
      this.reshapeInto(ref.index, unflat);
      const nchw = like(`${v.name}_chw`, [n, c, h, w]);
      this.transposeInto(unflat, NHWC_TO_NCHW, nchw);
      index = like(`${v.name}_flat`, shape);
      this.reshapeInto(nchw, index);
    }
    this.#plain.set(ref.index, index);
    return index;
  }

  /**
   * The tensor a node writes its output `i` to, and the activation to fuse.
   * When the plan folds a following Relu/Relu6 into this node, the tensor is
   * the activation's output and `activation` says which to apply. When the
   * plan runs the node on integer kernels, the tensor is int8 with the
   * parameters of the QuantizeLinear nodes it absorbs. Kernels that keep
   * their input's scale (pools, reshapes, pads) pass that as `params`;
   * finishNode then requantizes to the absorbed parameters if they differ.
   */
  output(node: Node, opts: { index?: number; layout?: Layout; params?: ActivationParams } = {}): { index: number; activation: ActivationFunctionType } {
    const own = node.outputs[opts.index ?? 0]!;
    const fused = opts.index ? undefined : this.plan.fused.get(node);
    const int8 = opts.index ? undefined : this.plan.int8.get(node);
    const value = fused ? fused.node.output : own;
    const layout = opts.layout ?? defaultLayout(dims(value).length);
    const params = opts.params ?? int8?.params;
    const index = this.define(value, layout, params);
    if (fused) this.bind(own, this.ref(value));
    if (int8) {
      if (params && sameParams(params, int8.params)) for (const q of int8.quantizers) this.bind(q.output, this.ref(value));
      else this.#pending.push({ value, quantizers: int8.quantizers, params: int8.params });
    }
    return { index, activation: fused?.activation ?? ActivationFunctionType.NONE };
  }

  /** Called after each node: requantizes integer-kernel outputs written at their input's scale to what their quantizers ask. */
  finishNode(): void {
    for (const { value, quantizers, params } of this.#pending.splice(0)) {
      const ref = this.ref(value);
      const requantized = { index: this.requantized(ref.index, params), layout: ref.layout };
      this.bind(value, requantized);
      for (const q of quantizers) this.bind(q.output, requantized);
    }
  }

  /** An int8 tensor with `params` holding `index`'s values: itself, or a QUANTIZE (requantization) of it. */
  requantized(index: number, params: ActivationParams): number {
    const held = this.paramsOf(index);
    if (held && sameParams(held, params)) return index;
    const t = this.model.tensors[index]!;
    const out = this.quantizedTemp(`${t.name}/requantized`, t.shape, params);
    this.emit(BuiltinOperator.QUANTIZE, [index], [out]);
    return out;
  }

  /** Creates the tensor of a value computed at run time: float32, or int8 with `params`. */
  define(v: Value, layout: Layout, params?: ActivationParams): number {
    // A 4-D graph output returned as NCHW gets its name on the boundary TRANSPOSE's output.
    const boundary = v.isGraphOutput() && layout.kind === 'nhwc' && this.options.layout === 'nchw';
    const name = boundary ? `${v.name}_nhwc` : v.name;
    const shape = storedShape(dims(v), layout);
    const index = params ? this.quantizedTemp(name, shape, params) : this.temp(name, shape);
    this.bind(v, { index, layout });
    return index;
  }

  /** dst = src transposed by `perm`, as a RESHAPE when only size-1 axes move. */
  transposeInto(src: number, perm: readonly number[], dst: number): void {
    const shape = this.shapeOf(src);
    if (isIdentityPerm(perm) || isReshapeOnly(shape, perm)) return this.reshapeInto(src, dst);
    const name = this.model.tensors[dst]!.name;
    this.emit(BuiltinOperator.TRANSPOSE, [src, this.int32(`${name}/perm`, perm)], [dst]);
  }

  /** dst = src with dst's shape (same elements, same order). */
  reshapeInto(src: number, dst: number): void {
    const shape = this.shapeOf(dst);
    const name = this.model.tensors[dst]!.name;
    this.emit(BuiltinOperator.RESHAPE, [src, this.int32(`${name}/shape`, shape)], [dst], { kind: 'reshape', newShape: shape });
  }

  // ---- values fixed at export time

  /**
   * A weight or bias for a float kernel: the static value `v` rearranged for
   * the op, stored as float32, or in the model's integers or float16 read
   * through DEQUANTIZE (see WeightStore).
   */
  weight(v: Value, how: WeightArrangement): number {
    return this.weights.float(v, how);
  }

  /** A bias of zeros for ops whose TFLite form wants one the ONNX node lacks. */
  zeroBias(name: string, size: number): number {
    return this.float32(name, new Float32Array(size), [size]);
  }

  /**
   * A static operand of an elementwise op whose output has rank `rank` in
   * `layout`: ONNX broadcasting aligns trailing axes, so the constant is first
   * given the output's rank, then stored in its layout.
   */
  broadcastConstant(v: Value, rank: number, layout: Layout): number {
    const { data, shape } = staticFloats(v)!;
    const full = [...new Array<number>(Math.max(rank - shape.length, 0)).fill(1), ...shape];
    if (layout.kind !== 'nhwc') return this.float32(v.name, data, full);
    return this.float32(`${v.name}/nhwc`, transposeData(data, full, NCHW_TO_NHWC), permute(full, NCHW_TO_NHWC));
  }

  /** A scalar float32 constant, shaped [1] so every kernel broadcasts it. */
  scalar(name: string, value: number): number {
    return this.float32(name, Float32Array.of(value), [1]);
  }
}

export function bytesOf(a: Float32Array | Int32Array | Uint16Array | Int8Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
