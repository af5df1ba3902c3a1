import type { ActivationFunctionType, BuiltinOperator, Padding, TensorType } from './generated/tflite_generated.js';

/**
 * A TFLite model as plain data, one subgraph: what lowering produces and the
 * flatbuffer writer serializes (and what a reader hands to the importer).
 * Operators refer to tensors by index; -1 marks an omitted optional input.
 */
export interface TfliteModel {
  description: string;
  tensors: TfliteTensor[];
  /** In execution order. */
  operators: TfliteOperator[];
  inputs: number[];
  outputs: number[];
}

export interface TfliteTensor {
  name: string;
  type: TensorType;
  shape: number[];
  /** Little-endian element bytes of a constant; absent for tensors computed at run time. */
  data?: Uint8Array;
  /** real = scale * (q - zeroPoint), per tensor or per slice along `axis`. */
  quantization?: TfliteQuantization;
}

export interface TfliteQuantization {
  scale: number[];
  zeroPoint: number[];
  axis: number;
}

export interface TfliteOperator {
  op: BuiltinOperator;
  inputs: number[];
  outputs: number[];
  options?: TfliteOptions;
}

interface Window {
  padding: Padding;
  strideH: number;
  strideW: number;
}

/** Builtin options, one kind per options table; the operator's code picks the table where kinds are shared. */
export type TfliteOptions =
  | ({ kind: 'conv2d'; dilationH: number; dilationW: number; activation: ActivationFunctionType } & Window)
  | ({ kind: 'depthwiseConv2d'; depthMultiplier: number; dilationH: number; dilationW: number; activation: ActivationFunctionType } & Window)
  | ({ kind: 'transposeConv'; activation: ActivationFunctionType } & Window)
  | ({ kind: 'pool2d'; filterH: number; filterW: number; activation: ActivationFunctionType } & Window)
  /** asymmetricQuantizeInputs: hybrid kernels (float input, int8 weights) quantize each input row with its own zero point. */
  | { kind: 'fullyConnected'; activation: ActivationFunctionType; keepNumDims: boolean; asymmetricQuantizeInputs: boolean }
  /** ADD, SUB, MUL, DIV. */
  | { kind: 'arithmetic'; activation: ActivationFunctionType }
  | { kind: 'concatenation'; axis: number; activation: ActivationFunctionType }
  | { kind: 'softmax'; beta: number }
  | { kind: 'reshape'; newShape: number[] }
  /** MEAN, REDUCE_MAX. */
  | { kind: 'reducer'; keepDims: boolean }
  /** RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR. */
  | { kind: 'resize'; alignCorners: boolean; halfPixelCenters: boolean }
  | { kind: 'leakyRelu'; alpha: number };
