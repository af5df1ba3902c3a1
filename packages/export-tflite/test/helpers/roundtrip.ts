/** Export, read back, and run both ONNX models in onnxruntime: what the reader is judged by. */
import { constantOf, type Model, type Value } from '@condense/core';
import { exportTflite, readTflite, type ExportTfliteOptions } from '../../src/index.js';
import { runOnnx, type Feed } from './reference.js';

export interface RoundTrip {
  /** The original model's outputs and the read-back model's, as floats (quantized outputs dequantized). */
  original: Float32Array[];
  read: Float32Array[];
  back: Model;
  bytes: Uint8Array;
}

/** Scale and zero point of the QuantizeLinear/DequantizeLinear next to a quantized boundary value. */
function paramsNear(node: { inputs: ReadonlyArray<Value | null> } | undefined): { scale: number; zeroPoint: number } {
  const [, s, z] = node!.inputs;
  return { scale: constantOf(s)!.toNumbers()[0]!, zeroPoint: z ? constantOf(z)!.toNumbers()[0]! : 0 };
}

/** A float feed as the read model's input wants it: quantized with the parameters of its DequantizeLinear when the input is int8 or uint8. */
function feedFor(input: Value, feed: Feed): Feed {
  const dtype = input.type?.dtype;
  if (dtype !== 'int8' && dtype !== 'uint8') return feed;
  const { scale, zeroPoint } = paramsNear(input.uses().find((u) => u.node.op === 'DequantizeLinear')?.node);
  const [lo, hi] = dtype === 'int8' ? [-128, 127] : [0, 255];
  const q = Array.from(feed.data, (x) => Math.min(hi, Math.max(lo, Math.round(x / scale) + zeroPoint)));
  return { data: dtype === 'int8' ? Int8Array.from(q) : Uint8Array.from(q), shape: feed.shape };
}

function floatsOf(output: Value, data: Float32Array): Float32Array {
  const dtype = output.type?.dtype;
  if (dtype !== 'int8' && dtype !== 'uint8') return data;
  let producer = output.producer();
  while (producer?.op === 'Identity') producer = producer.inputs[0]!.producer();
  const { scale, zeroPoint } = paramsNear(producer);
  return Float32Array.from(data, (q) => (q - zeroPoint) * scale);
}

/** Exports `model`, reads the bytes back, and runs both in onnxruntime-node on the same float feeds (ONNX layout). */
export async function roundTrip(model: Model, options: ExportTfliteOptions, feeds: Feed[]): Promise<RoundTrip> {
  const bytes = exportTflite(model, options);
  const back = readTflite(bytes, { layout: options.layout ?? 'nhwc' });
  const original = await runOnnx(model, Object.fromEntries(feeds.map((f, i) => [model.graph.inputs[i]!.name, f])));
  const raw = await runOnnx(back, Object.fromEntries(back.graph.inputs.map((v, i) => [v.name, feedFor(v, feeds[i]!)])));
  return { original, read: raw.map((data, i) => floatsOf(back.graph.outputs[i]!, data)), back, bytes };
}
