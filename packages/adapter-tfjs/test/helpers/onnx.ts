/** The oracle for imported models: onnxruntime-node runs the IR as ONNX. */
import type { Model } from '@condense/core';
import { encodeModelBytes } from '@condense/onnx';
import * as ort from 'onnxruntime-node';

/**
 * Runs the model once on the CPU with one float32 input; returns the first
 * output's values. QDQ fusion is off: with it, onnxruntime runs weight-only
 * DequantizeLinear + Conv as an integer convolution that also rounds the
 * activations, which is not what the model says (nor what tfjs computes).
 */
export async function runOnnx(model: Model, data: Float32Array, shape: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(encodeModelBytes(model), { logSeverityLevel: 3, extra: { session: { disable_quant_qdq: '1' } } });
  try {
    const results = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', data, shape) });
    return results[session.outputNames[0]!]!.data as Float32Array;
  } finally {
    await session.release();
  }
}
