import { CondenseError, Graph, Tensor, attr, type Attr, type DType, type Value } from '@condense/core';
import { ActivationFunctionType, BuiltinOperator, TensorType } from '../generated/tflite_generated.js';
import { DTYPES } from './dtypes.js';
import { invalidTflite, quoted } from './errors.js';
import { NCHW_TO_NHWC, NHWC_TO_NCHW, permute, transposeData } from '../lower/layout.js';
import type { TfliteModel, TfliteOperator, TfliteTensor } from '../tflite-model.js';

/** Types a quantized run-time tensor may hold (DequantizeLinear's integer inputs). */
const QUANTIZED = new Set<DType>(['int8', 'uint8', 'int16']);

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
      const [x] = op.inputs;
      const [y] = op.outputs;
      if (op.op !== BuiltinOperator.DEQUANTIZE || x === undefined || y === undefined || model.tensors[x]?.data === undefined) continue;
      // The weight is read through the DEQUANTIZE in the constant's own shape: the two must agree.
      if (model.tensors[y]?.shape.join() !== model.tensors[x]!.shape.join()) throw invalidTflite(`a DEQUANTIZE of weight ${quoted(model.tensors[x]!.name)} changes its shape`);
      this.#dequantizedConstants.set(y, x);
    }
  }

  /** The operator being read, for messages. */
  operator = '';

  /** Tensor `t`, which the operator needs: an index that is missing, -1 (an omitted optional input) or out of range is refused. */
  tensor(t: number | undefined): TfliteTensor {
    const tensor = t === undefined ? undefined : this.model.tensors[t];
    if (!tensor) throw invalidTflite(`${this.operator || 'the graph'} lacks a tensor it needs (an input or output is missing, -1 or out of range)`);
    return tensor;
  }

  shape(t: number): number[] {
    return this.tensor(t).shape;
  }

  /** The shape of a tensor the operator needs at `rank` axes (a filter, an NHWC map...). */
  shapeOfRank(t: number, rank: number, what: string): number[] {
    const shape = this.shape(t);
    if (shape.length !== rank) throw invalidTflite(`${this.operator} takes a ${rank}-D ${what}; tensor ${quoted(this.tensor(t).name)} has ${shape.length} dimensions`);
    return shape;
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
    // Inputs are fed by name: a name that is empty or taken would feed the wrong tensor.
    if (!tensor.name || this.graph.value(tensor.name)) throw invalidTflite(`graph input ${quoted(tensor.name)} is unnamed or named like another tensor`);
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
    if (!held) throw new CondenseError('E_MODEL_INVALID', `Not a valid .tflite model: tensor ${quoted(this.tensor(t).name)} is read before any operator writes it.`);
    if (held.form === form || this.shape(t).length !== 4) return held.value;
    return this.#view(`${form}:${t}`, () => this.add('Transpose', [held.value], { perm: attr.ints(form === 'stored' ? NCHW_TO_NHWC : NHWC_TO_NCHW) }, `${this.tensor(t).name}/${form}`));
  }

  /** The tensor's float values in `form`: itself, or a DequantizeLinear of its int8 value. */
  float(t: number, form: Form = 'logical'): Value {
    const tensor = this.tensor(t);
    const q = tensor.quantization;
    if (!q && tensor.type !== TensorType.FLOAT32) throw invalidTflite(`${this.operator} computes on tensor ${quoted(tensor.name)} as floats, but it holds ${TensorType[tensor.type] ?? `type ${tensor.type}`} without quantization parameters`);
    if (!q || tensor.type === TensorType.FLOAT32) return this.native(t, form);
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
      if (q.scale.length !== 1) throw new CondenseError('E_UNSUPPORTED_OP', `Tensor ${quoted(tensor.name)} is quantized per channel; only weights may be (activations take one scale).`);
      // Inside the model, int8 activations come back as uint8 on the same grid (zero point + 128), the form
      // condense's quantize-static writes and onnxruntime's fastest kernels take; inputs and outputs keep their type.
      const boundary = this.model.inputs.includes(t) || this.model.outputs.includes(t);
      const unsigned = tensor.type === TensorType.INT8 && !boundary;
      const dtype = unsigned ? 'uint8' : dtypeOf(tensor, 'quantized tensor');
      if (!QUANTIZED.has(dtype)) throw new CondenseError('E_UNSUPPORTED_DTYPE', `Tensor ${quoted(tensor.name)} is quantized but holds ${dtype}; quantized tensors are int8, uint8 or int16.`);
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
      if (!tensor.data) throw invalidTflite(`${this.operator} takes weight ${quoted(tensor.name)} as a constant, but it has no data`);
      const raw = Tensor.fromBytes(dtype, tensor.shape, tensor.data!).data() as Float32Array | Uint16Array | Int8Array | Uint8Array | Int32Array;
      const data = transposeData(raw, tensor.shape, order);
      const constant = this.graph.constant(this.graph.uniqueName(tensor.name), Tensor.from(dtype, permute(tensor.shape, order), data));
      if (dtype === 'float32') return constant;
      if (dtype === 'float16') return this.add('Cast', [constant], { to: attr.int(1) }, `${tensor.name}/float32`);
      if (!QUANTIZED.has(dtype) && dtype !== 'int32') throw new CondenseError('E_UNSUPPORTED_DTYPE', `Weight ${quoted(tensor.name)} holds ${dtype}; quantized weights are int8, uint8, int16 or int32.`);
      const q = tensor.quantization;
      if (!q) throw new CondenseError('E_UNSUPPORTED_OP', `Weight ${quoted(tensor.name)} is ${dtype} without quantization parameters; it has no float meaning.`);
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
      throw new CondenseError('E_UNSUPPORTED_OP', `Tensor ${quoted(tensor.name)} must be a constant of integers (axes, sizes or paddings computed at run time are not read).`);
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
        throw new CondenseError('E_UNSUPPORTED_OP', `${this.operator} fuses activation ${ActivationFunctionType[fused!] ?? `code ${fused}`}, which condense does not read.`);
    }
  }
}

function dtypeOf(tensor: TfliteTensor, what: string): DType {
  const dtype = DTYPES[tensor.type];
  if (!dtype) throw new CondenseError('E_UNSUPPORTED_DTYPE', `The ${what} ${quoted(tensor.name)} is ${TensorType[tensor.type] ?? tensor.type}, which condense does not read.`);
  return dtype;
}
