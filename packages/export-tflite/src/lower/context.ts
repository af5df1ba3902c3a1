import { CondenseError, float32ToFloat16Bits, type Node, type Value } from '@condense/core';
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
import { dims, staticFloats } from './static-values.js';

/** The TFLite tensor holding a value, and how its elements are laid out there. */
export interface TensorRef {
  index: number;
  layout: Layout;
}

/**
 * Rearranges weight values (ONNX layout, float32) into what a TFLite op reads.
 * `channelAxis` is the output-channel axis of the result: where per-channel
 * quantization scales will go once weights can be stored as int8.
 */
export interface WeightArrangement {
  /** Distinguishes several arrangements of one constant. */
  key: string;
  arrange(data: Float32Array, shape: number[]): { data: Float32Array; shape: number[] };
  channelAxis: number;
}

/**
 * State of one export: the tensors and operators emitted so far and which
 * tensor holds each IR value. Rules call it to read operands, make outputs and
 * constants, and emit operators; it owns the layout bookkeeping and weight
 * storage so the rules stay short.
 */
export class LowerContext {
  readonly model: TfliteModel;
  #refs = new Map<Value, TensorRef>();
  #plain = new Map<Value, number>();
  #weights = new Map<string, number>();

  constructor(
    readonly plan: ExportPlan,
    readonly options: ResolvedOptions,
  ) {
    this.model = { description: options.description, tensors: [], operators: [], inputs: [], outputs: [] };
  }

  tensor(t: TfliteTensor): number {
    this.model.tensors.push(t);
    return this.model.tensors.length - 1;
  }

  /** A float32 tensor computed at run time. */
  temp(name: string, shape: number[]): number {
    return this.tensor({ name, type: TensorType.FLOAT32, shape });
  }

  shapeOf(index: number): number[] {
    return this.model.tensors[index]!.shape;
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

  /** The tensor holding a run-time operand, in whatever layout it has. */
  input(v: Value): number {
    return this.ref(v).index;
  }

  /** A run-time operand in ONNX element order, transposing once (and only once) if it is stored otherwise. */
  plainInput(v: Value): number {
    const ref = this.ref(v);
    if (ref.layout.kind === 'plain') return ref.index;
    const cached = this.#plain.get(v);
    if (cached !== undefined) return cached;
    const shape = dims(v);
    let index: number;
    if (ref.layout.kind === 'nhwc') {
      index = this.temp(`${v.name}_nchw`, shape);
      this.transposeInto(ref.index, NHWC_TO_NCHW, index);
    } else {
      // Columns in H, W, C order back to C, H, W: unflatten, transpose, flatten.
      const { c, h, w } = ref.layout;
      const n = shape[0]!;
      const unflat = this.temp(`${v.name}_hwc`, [n, h, w, c]);
      this.reshapeInto(ref.index, unflat);
      const nchw = this.temp(`${v.name}_chw`, [n, c, h, w]);
      this.transposeInto(unflat, NHWC_TO_NCHW, nchw);
      index = this.temp(`${v.name}_flat`, shape);
      this.reshapeInto(nchw, index);
    }
    this.#plain.set(v, index);
    return index;
  }

  /**
   * The tensor a node writes its output `i` to, and the activation to fuse.
   * When the plan folds a following Relu/Relu6 into this node, the tensor is
   * the activation's output and `activation` says which to apply.
   */
  output(node: Node, opts: { index?: number; layout?: Layout } = {}): { index: number; activation: ActivationFunctionType } {
    const own = node.outputs[opts.index ?? 0]!;
    const fused = opts.index ? undefined : this.plan.fused.get(node);
    const value = fused ? fused.node.output : own;
    const layout = opts.layout ?? defaultLayout(dims(value).length);
    const index = this.define(value, layout);
    if (fused) this.bind(own, this.ref(value));
    return { index, activation: fused?.activation ?? ActivationFunctionType.NONE };
  }

  /** Creates the tensor of a value computed at run time. */
  define(v: Value, layout: Layout): number {
    // A 4-D graph output returned as NCHW gets its name on the boundary TRANSPOSE's output.
    const boundary = v.isGraphOutput() && layout.kind === 'nhwc' && this.options.layout === 'nchw';
    const index = this.temp(boundary ? `${v.name}_nhwc` : v.name, storedShape(dims(v), layout));
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
   * A weight or bias tensor: the static value `v` rearranged for the op, stored
   * as float32, or as float16 read through DEQUANTIZE when the model holds it
   * in float16 or the caller asked for float16 weights.
   */
  weight(v: Value, how: WeightArrangement): number {
    const key = `${v.name}\0${how.key}`;
    const cached = this.#weights.get(key);
    if (cached !== undefined) return cached;
    const source = staticFloats(v)!;
    const { data, shape } = how.arrange(source.data, source.shape);
    const name = how.key ? `${v.name}/${how.key}` : v.name;
    const index = this.#storeWeight(name, data, shape, source.float16);
    this.#weights.set(key, index);
    return index;
  }

  /** A bias of zeros for ops whose TFLite form wants one the ONNX node lacks. */
  zeroBias(name: string, size: number): number {
    return this.float32(name, new Float32Array(size), [size]);
  }

  #storeWeight(name: string, data: Float32Array, shape: number[], float16: boolean): number {
    if (!float16 && this.options.weights === 'float32') return this.float32(name, data, shape);
    const half = Uint16Array.from(data, float32ToFloat16Bits);
    const stored = this.tensor({ name: `${name}/float16`, type: TensorType.FLOAT16, shape, data: bytesOf(half) });
    const index = this.temp(name, shape);
    this.emit(BuiltinOperator.DEQUANTIZE, [stored], [index]);
    return index;
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

