/** The oracle: onnxruntime-node runs the ONNX model the export started from. */
import type { Model } from '@condense/core';
import { encodeModelBytes } from '@condense/onnx';
import * as ort from 'onnxruntime-node';

export interface Feed {
  /** float32, or int8/uint8 for models that take quantized inputs. */
  data: Float32Array | Int8Array | Uint8Array;
  shape: number[];
}

const typeOf = (data: Feed['data']) => (data instanceof Int8Array ? 'int8' : data instanceof Uint8Array ? 'uint8' : 'float32');

/** Runs the model once on the CPU; returns the graph outputs, in order (int8/uint8 outputs as their integers). */
export async function runOnnx(model: Model | Uint8Array, feeds: Record<string, Feed>): Promise<Float32Array[]> {
  const bytes = model instanceof Uint8Array ? model : encodeModelBytes(model);
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  try {
    const inputs = Object.fromEntries(Object.entries(feeds).map(([k, f]) => [k, new ort.Tensor(typeOf(f.data), f.data, f.shape)]));
    const results = await session.run(inputs);
    return session.outputNames.map((name) => {
      const data = results[name]!.data;
      return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
    });
  } finally {
    await session.release();
  }
}
