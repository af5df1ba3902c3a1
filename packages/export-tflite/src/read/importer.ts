import { CondenseError, Graph, Tensor, attr, type Attr, type DType, type Value } from '@condense/core';
import { ActivationFunctionType, BuiltinOperator, TensorType } from '../generated/tflite_generated.js';
import { NCHW_TO_NHWC, NHWC_TO_NCHW, permute, transposeData } from '../lower/layout.js';
import type { TfliteModel, TfliteOperator, TfliteTensor } from '../tflite-model.js';

const DTYPES: Partial<Record<TensorType, DType>> = {
  [TensorType.FLOAT32]: 'float32',
  [TensorType.FLOAT16]: 'float16',
  [TensorType.INT32]: 'int32',
  [TensorType.INT64]: 'int64',
  [TensorType.UINT8]: 'uint8',
  [TensorType.INT8]: 'int8',
  [TensorType.INT16]: 'int16',
  [TensorType.BOOL]: 'bool',
};

/** Which way a tensor's IR value holds its elements: ONNX's NCHW for 4-D maps (logical), or as TFLite stores them (stored). */
export type Form = 'logical' | 'stored';

/**
 * Builds a condense graph (ONNX ops) computing what a TFLite model computes.
 * TFLite stores every 4-D map NHWC; the graph holds them NCHW, as ONNX ops
 * expect, with a Transpose only where an op works on the stored element
 * order (RESHAPE, TRANSPOSE). A quantized tensor is an int8 (or uint8) value:
 * its float view is a DequantizeLinear of it, and an op writing it ends in a
 * QuantizeLinear, so integer ops come back in QDQ form. Weights come back in
 * ONNX's layouts.
 */
export class GraphImporter {
  readonly graph = new Graph({ opset: { '': 17 } });
  /** The IR value of each tensor computed so far, and which form it is in. */
  #values = new Map<number, { value: Value; form: Form }>();
  #views = new Map<string, Value>();
  #quantization = new Map<number, [Value, Value]>();
  /** Tensors produced by a DEQUANTIZE of a constant: weights, read through the constant. */
  #dequantizedConstants = new Map<number, number>();

  constructor(
    readonly model: TfliteModel,
    /** 4-D graph inputs and outputs stay in stored order when the file was exported with NCHW boundaries. */
    readonly boundaryForm: Form,
  ) {
    for (const op of model.operators) {
      if (op.op === BuiltinOperator.DEQUANTIZE && this.isConstant(op.inputs[0]!)) this.#dequantizedConstants.set(op.outputs[0]!, op.inputs[0]!);
    }
  }

  tensor(t: number): TfliteTensor {
    return this.model.tensors[t]!;
  }

  shape(t: number): number[] {
    return this.tensor(t).shape;
  }

  /** Constant data, or a DEQUANTIZE of constant data: weights and parameters, not run-time tensors. */
  isStatic(t: number): boolean {
    return this.isConstant(t) || this.#dequantizedConstants.has(t);
  }

  isConstant(t: number): boolean {
    return this.tensor(t).data !== undefined;
  }

  /** True for an operator the import handles by reading weights: a DEQUANTIZE of a constant. */
  isWeightDequantize(op: TfliteOperator): boolean {
    return op.op === BuiltinOperator.DEQUANTIZE && this.#dequantizedConstants.has(op.outputs[0]!);
  }

  add(op: string, inputs: Array<Value | null>, attrs: Record<string, Attr> = {}, name?: string): Value {
    return this.graph.add(op, inputs, attrs, name ? { name: this.graph.uniqueName(name) } : {}).output;
  }

  // ---- run-time tensors

  /** A graph input: its IR value in the boundary form. */
  input(t: number): void {
    const tensor = this.tensor(t);
    const dtype = dtypeOf(tensor, 'input');
    const form = this.boundaryForm;
    const shape = tensor.shape.length === 4 && form === 'logical' ? permute(tensor.shape, NHWC_TO_NCHW) : tensor.shape;
    this.#values.set(t, { value: this.graph.input(tensor.name, { dtype, shape }), form });
  }

  /** The form a tensor's IR value was made in: elementwise ops keep it, saving a Transpose. */
  formOf(t: number): Form {
    return this.#values.get(t)?.form ?? 'logical';
  }

  /** The tensor's own IR value (int8 for quantized tensors) in `form`. */
  native(t: number, form: Form = 'logical'): Value {
    const held = this.#values.get(t);
    if (!held) throw new CondenseError('E_MODEL_INVALID', `Not a valid .tflite model: tensor "${this.tensor(t).name}" is read before any operator writes it.`);
    if (held.form === form || this.shape(t).length !== 4) return held.value;
    return this.#view(`${form}:${t}`, () => this.add('Transpose', [held.value], { perm: attr.ints(form === 'stored' ? NCHW_TO_NHWC : NHWC_TO_NCHW) }, `${this.tensor(t).name}/${form}`));
  }

  /** The tensor's float values in `form`: itself, or a DequantizeLinear of its int8 value. */
  float(t: number, form: Form = 'logical'): Value {
    const q = this.tensor(t).quantization;
    if (!q || this.tensor(t).type === TensorType.FLOAT32) return this.native(t, form);
    return this.#view(`float:${form}:${t}`, () => this.add('DequantizeLinear', [this.native(t, form), ...this.#params(t)], {}, `${this.tensor(t).name}/dequantized`));
  }

  /** Records the float result of the op writing `t`, given in `form`; a quantized tensor gets its QuantizeLinear. */
  define(t: number, float: Value, form: Form = 'logical'): void {
    const tensor = this.tensor(t);
    const value = tensor.quantization && tensor.type !== TensorType.FLOAT32 ? this.add('QuantizeLinear', [float, ...this.#params(t)], {}, tensor.name) : float;
    this.#values.set(t, { value, form: tensor.shape.length === 4 ? form : 'logical' });
  }

  /** The IR value of a graph output, in the boundary form. */
  output(t: number): Value {
    return this.native(t, this.boundaryForm);
  }

  /** Scale and zero point of a per-tensor quantized tensor, as QuantizeLinear/DequantizeLinear operands. */
  #params(t: number): [Value, Value] {
    let params = this.#quantization.get(t);
    if (!params) {
      const tensor = this.tensor(t);
      const q = tensor.quantization!;
      if (q.scale.length !== 1) throw new CondenseError('E_UNSUPPORTED_OP', `Tensor "${tensor.name}" is quantized per channel; only weights may be (activations take one scale).`);
      // Inside the model, int8 activations come back as uint8 on the same grid (zero point + 128), the form
      // condense's quantize-static writes and onnxruntime's fastest kernels take; inputs and outputs keep their type.
      const boundary = this.model.inputs.includes(t) || this.model.outputs.includes(t);
      const unsigned = tensor.type === TensorType.INT8 && !boundary;
      const dtype = unsigned ? 'uint8' : dtypeOf(tensor, 'quantized tensor');
      params = [
        this.graph.constant(this.graph.uniqueName(`${tensor.name}/scale`), Tensor.scalar('float32', q.scale[0]!)),
        this.graph.constant(this.graph.uniqueName(`${tensor.name}/zero_point`), Tensor.scalar(dtype, (q.zeroPoint[0] ?? 0) + (unsigned ? 128 : 0))),
      ];
      this.#quantization.set(t, params);
    }
    return params;
  }

  #view(key: string, make: () => Value): Value {
    let v = this.#views.get(key);
    if (!v) this.#views.set(key, (v = make()));
    return v;
  }

  // ---- tensors fixed in the file

  /**
   * A weight in ONNX's layout: TFLite's tensor with its axes reordered so
   * ONNX axis i is TFLite axis perm[i]. float32 stays float32; float16 comes
   * back as a Cast of float16 data, integers as a DequantizeLinear (per-channel
   * scales follow their axis), as condense's own passes store them.
   */
  weight(t: number, perm?: number[]): Value {
    const source = this.#dequantizedConstants.get(t) ?? t;
    const tensor = this.tensor(source);
    const order = perm ?? [...tensor.shape.keys()];
    return this.#view(`weight:${source}:${order.join(',')}`, () => {
      const dtype = dtypeOf(tensor, 'weight');
      const raw = Tensor.fromBytes(dtype, tensor.shape, tensor.data!).data() as Float32Array | Uint16Array | Int8Array | Uint8Array | Int32Array;
      const data = transposeData(raw, tensor.shape, order);
      const constant = this.graph.constant(this.graph.uniqueName(tensor.name), Tensor.from(dtype, permute(tensor.shape, order), data));
      if (dtype === 'float32') return constant;
      if (dtype === 'float16') return this.add('Cast', [constant], { to: attr.int(1) }, `${tensor.name}/float32`);
      const q = tensor.quantization;
      if (!q) throw new CondenseError('E_UNSUPPORTED_OP', `Weight "${tensor.name}" is ${dtype} without quantization parameters; it has no float meaning.`);
      const channels = q.scale.length;
      const shape = channels > 1 ? [channels] : [];
      const scale = this.graph.constant(this.graph.uniqueName(`${tensor.name}/scale`), Tensor.from('float32', shape, q.scale));
      const zero = this.graph.constant(this.graph.uniqueName(`${tensor.name}/zero_point`), Tensor.from(dtype, shape, channels > 1 ? q.zeroPoint : [q.zeroPoint[0] ?? 0]));
      return this.add('DequantizeLinear', [constant, scale, zero], channels > 1 ? { axis: attr.int(order.indexOf(q.axis)) } : {}, `${tensor.name}/dequantized`);
    });
  }

  /**
   * A constant operand of an elementwise op whose output has `rank` axes: as
   * in TFLite it broadcasts against the trailing axes of the stored layout,
   * so it is first given the output's rank, then reordered like the maps.
   */
  operand(t: number, rank: number, form: Form): Value {
    const tensor = this.tensor(this.#dequantizedConstants.get(t) ?? t);
    const full = [...new Array<number>(Math.max(rank - tensor.shape.length, 0)).fill(1), ...tensor.shape];
    if (full.length !== 4 || form === 'stored') return this.#reshaped(this.weight(t), full);
    return this.#reshaped(this.weight(t), full, NHWC_TO_NCHW);
  }

  #reshaped(v: Value, shape: number[], perm?: number[]): Value {
    const reshaped = this.add('Reshape', [v, this.int64(shape)]);
    return perm ? this.add('Transpose', [reshaped], { perm: attr.ints(perm) }) : reshaped;
  }

  /** An int32 constant (axes, sizes, paddings) as numbers. */
  ints(t: number): number[] {
    const tensor = this.tensor(t);
    if (!tensor.data || (tensor.type !== TensorType.INT32 && tensor.type !== TensorType.INT64)) {
      throw new CondenseError('E_UNSUPPORTED_OP', `Tensor "${tensor.name}" must be a constant of integers (axes, sizes or paddings computed at run time are not read).`);
    }
    return Tensor.fromBytes(DTYPES[tensor.type]!, tensor.shape, tensor.data).toNumbers();
  }

  int64(values: number[]): Value {
    return this.graph.constant(this.graph.uniqueName('shape'), Tensor.from('int64', [values.length], values.map(BigInt)));
  }

  scalar(value: number): Value {
    return this.graph.constant(this.graph.uniqueName('scalar'), Tensor.scalar('float32', value));
  }

  /** The fused activation of a TFLite op, as the ONNX op after it. */
  activation(v: Value, fused: ActivationFunctionType | undefined): Value {
    switch (fused ?? ActivationFunctionType.NONE) {
      case ActivationFunctionType.NONE:
        return v;
      case ActivationFunctionType.RELU:
        return this.add('Relu', [v]);
      case ActivationFunctionType.RELU6:
        return this.add('Clip', [v, this.scalar(0), this.scalar(6)]);
      case ActivationFunctionType.RELU_N1_TO_1:
        return this.add('Clip', [v, this.scalar(-1), this.scalar(1)]);
      default:
        throw new CondenseError('E_UNSUPPORTED_OP', `Fused activation ${ActivationFunctionType[fused!]} is not read.`);
    }
  }
}

function dtypeOf(tensor: TfliteTensor, what: string): DType {
  const dtype = DTYPES[tensor.type];
  if (!dtype) throw new CondenseError('E_UNSUPPORTED_DTYPE', `The ${what} "${tensor.name}" is ${TensorType[tensor.type] ?? tensor.type}, which condense does not read.`);
  return dtype;
}
