import { BuiltinOperator, TensorType } from '../generated/tflite_generated.js';
import type { TfliteOperator, TfliteTensor } from '../tflite-model.js';

/**
 * The lowest operator version whose kernels understand what this operator
 * uses, as TFLite's converter assigns them. A runtime refuses a version newer
 * than it knows, so a model asks for no more than it needs.
 */
export function opVersion(op: TfliteOperator, tensors: readonly TfliteTensor[]): number {
  const input = (i: number) => tensors[op.inputs[i] ?? -1];
  const first = input(0);
  const rank = first?.shape.length ?? 0;
  const o = op.options;
  const int8 = first?.type === TensorType.INT8;
  // Hybrid: float activations through int8 weights; per-channel when the weights have a scale per channel.
  const hybrid = first?.type === TensorType.FLOAT32 && input(1)?.type === TensorType.INT8;
  const perChannel = (t: TfliteTensor | undefined) => (t?.quantization?.scale.length ?? 0) > 1;
  switch (op.op) {
    case BuiltinOperator.CONV_2D:
      if (int8) return 3;
      if (hybrid) return perChannel(input(1)) ? 5 : 2;
      return 1;
    case BuiltinOperator.DEPTHWISE_CONV_2D:
      if (hybrid) return perChannel(input(1)) ? 6 : 4;
      if (int8) return 3;
      return o?.kind === 'depthwiseConv2d' && (o.dilationH !== 1 || o.dilationW !== 1) ? 2 : 1;
    case BuiltinOperator.FULLY_CONNECTED:
      if (hybrid && perChannel(input(1))) return 12;
      if (op.inputs.length < 3 || op.inputs[2] === -1) return 6;
      if (o?.kind === 'fullyConnected' && o.keepNumDims) return 5;
      if (int8) return 4;
      if (hybrid) return o?.kind === 'fullyConnected' && o.asymmetricQuantizeInputs ? 9 : 3;
      return 1;
    case BuiltinOperator.TRANSPOSE_CONV:
      if (o?.kind === 'transposeConv' && o.activation !== 0) return 4;
      if (op.inputs.length > 3 && op.inputs[3] !== -1) return 3;
      return input(1)?.type === TensorType.INT8 ? 2 : 1;
    case BuiltinOperator.DEQUANTIZE:
      if (first?.type === TensorType.FLOAT16) return 3;
      if (int8) return perChannel(first) ? 5 : 2;
      return 1;
    case BuiltinOperator.QUANTIZE:
      return perChannel(tensors[op.outputs[0]!]) ? 3 : 1;
    case BuiltinOperator.RESIZE_BILINEAR:
      if (o?.kind === 'resize' && o.halfPixelCenters) return 3;
      return int8 ? 2 : 1;
    case BuiltinOperator.RESIZE_NEAREST_NEIGHBOR:
      if (o?.kind === 'resize' && (o.halfPixelCenters || o.alignCorners)) return 3;
      return int8 ? 2 : 1;
    case BuiltinOperator.TRANSPOSE:
      if (rank > 5) return 6;
      if (rank > 4) return 4;
      return int8 ? 2 : 1;
    case BuiltinOperator.PAD:
      if (rank > 4) return 4;
      return int8 ? 2 : 1;
    case BuiltinOperator.SUB:
    case BuiltinOperator.MAXIMUM:
    case BuiltinOperator.MINIMUM:
      if (broadcastsBeyond4d(op, tensors)) return 3;
      return int8 ? 2 : 1;
    case BuiltinOperator.DIV:
      return broadcastsBeyond4d(op, tensors) ? 2 : 1;
    case BuiltinOperator.MUL:
      return int8 ? mulVersion(op, tensors) : 1;
    case BuiltinOperator.ADD:
    case BuiltinOperator.MAX_POOL_2D:
    case BuiltinOperator.AVERAGE_POOL_2D:
    case BuiltinOperator.CONCATENATION:
    case BuiltinOperator.SOFTMAX:
    case BuiltinOperator.MEAN:
    case BuiltinOperator.REDUCE_MAX:
    case BuiltinOperator.RELU:
    case BuiltinOperator.RELU6:
    case BuiltinOperator.LOGISTIC:
    case BuiltinOperator.TANH:
      return int8 ? 2 : 1;
    default:
      return 1;
  }
}

/** int8 MUL: version 3 once the rescale input1 x input2 / output reaches 1. */
function mulVersion(op: TfliteOperator, tensors: readonly TfliteTensor[]): number {
  const [a, b] = op.inputs.map((i) => tensors[i]?.quantization?.scale[0] ?? 0);
  const out = tensors[op.outputs[0]!]?.quantization?.scale[0] ?? 0;
  return a && b && out && (a * b) / out >= 1 ? 3 : 2;
}

function broadcastsBeyond4d(op: TfliteOperator, tensors: readonly TfliteTensor[]): boolean {
  const [a, b] = op.inputs.map((i) => tensors[i]?.shape ?? []);
  if (!a || !b) return false;
  const differ = a.length !== b.length || a.some((d, i) => d !== b[i]);
  return differ && Math.max(a.length, b.length) > 4;
}
