/** The oracle: onnxruntime-node runs the ONNX model the export started from. */
import type { Model } from '@condense/core';
import { encodeModelBytes } from '@condense/onnx';
import * as ort from 'onnxruntime-node';

export interface Feed {
  data: Float32Array;
  shape: number[];
}

/** Runs the model once on the CPU; returns the graph outputs, in order. */
export async function runOnnx(model: Model | Uint8Array, feeds: Record<string, Feed>): Promise<Float32Array[]> {
  const bytes = model instanceof Uint8Array ? model : encodeModelBytes(model);
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  try {
    const inputs = Object.fromEntries(Object.entries(feeds).map(([k, f]) => [k, new ort.Tensor('float32', f.data, f.shape)]));
    const results = await session.run(inputs);
    return session.outputNames.map((name) => results[name]!.data as Float32Array);
  } finally {
    await session.release();
  }
}
