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
  switch (op.op) {
    case BuiltinOperator.DEPTHWISE_CONV_2D:
      return o?.kind === 'depthwiseConv2d' && (o.dilationH !== 1 || o.dilationW !== 1) ? 2 : 1;
    case BuiltinOperator.FULLY_CONNECTED:
      if (op.inputs.length < 3 || op.inputs[2] === -1) return 6;
      return o?.kind === 'fullyConnected' && o.keepNumDims ? 5 : 1;
    case BuiltinOperator.TRANSPOSE_CONV:
      if (o?.kind === 'transposeConv' && o.activation !== 0) return 4;
      return op.inputs.length > 3 && op.inputs[3] !== -1 ? 3 : 1;
    case BuiltinOperator.DEQUANTIZE:
      return first?.type === TensorType.FLOAT16 ? 3 : 1;
    case BuiltinOperator.RESIZE_BILINEAR:
      return o?.kind === 'resize' && o.halfPixelCenters ? 3 : 1;
    case BuiltinOperator.RESIZE_NEAREST_NEIGHBOR:
      return o?.kind === 'resize' && (o.halfPixelCenters || o.alignCorners) ? 3 : 1;
    case BuiltinOperator.TRANSPOSE:
      return rank > 5 ? 6 : rank > 4 ? 4 : 1;
    case BuiltinOperator.PAD:
      return rank > 4 ? 4 : 1;
    case BuiltinOperator.SUB:
    case BuiltinOperator.MAXIMUM:
    case BuiltinOperator.MINIMUM:
      return broadcastsBeyond4d(op, tensors) ? 3 : 1;
    case BuiltinOperator.DIV:
      return broadcastsBeyond4d(op, tensors) ? 2 : 1;
    default:
      return 1;
  }
}

function broadcastsBeyond4d(op: TfliteOperator, tensors: readonly TfliteTensor[]): boolean {
  const [a, b] = op.inputs.map((i) => tensors[i]?.shape ?? []);
  if (!a || !b) return false;
  const differ = a.length !== b.length || a.some((d, i) => d !== b[i]);
  return differ && Math.max(a.length, b.length) > 4;
}
