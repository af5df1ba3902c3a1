/**
 * Exports a model, runs it in LiteRT.js and the ONNX original in
 * onnxruntime-node on the same inputs, and compares. Only LiteRT test files
 * import this (see litert.ts).
 */
import type { Model } from '@condense/core';
import { TensorType } from '../../src/generated/tflite_generated.js';
import { exportTflite, type ExportTfliteOptions } from '../../src/index.js';
import { parseModel } from '../../src/read/parse-model.js';
import { maxAbsDiff, noise, toNchw, toNhwc } from './data.js';
import { runTflite } from './litert.js';
import { runOnnx } from './reference.js';

/** A float input in ONNX layout. */
export interface FloatFeed {
  data: Float32Array;
  shape: number[];
}

export interface Comparison {
  maxDiff: number;
  /** Largest |reference| value, to judge the difference against. */
  scale: number;
  bytes: Uint8Array;
}

export interface BothOutputs {
  /** Every graph output in ONNX layout, as float (uint8 outputs dequantized). */
  onnx: Float32Array[];
  tflite: Float32Array[];
  bytes: Uint8Array;
}

/** A boundary tensor of the .tflite: its shape, and for uint8 ones the scale and zero point. */
interface Boundary {
  shape: number[];
  uint8?: { scale: number; zeroPoint: number };
}

function boundaries(bytes: Uint8Array): { inputs: Boundary[]; outputs: Boundary[] } {
  const model = parseModel(bytes);
  const describe = (index: number): Boundary => {
    const { shape, type, quantization: q } = model.tensors[index]!;
    return type === TensorType.UINT8 && q ? { shape, uint8: { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0]! } } : { shape };
  };
  return { inputs: model.inputs.map(describe), outputs: model.outputs.map(describe) };
}

/**
 * Runs `model` in onnxruntime and its export in LiteRT.js on `feeds` (ONNX
 * layout, float). 4-D tensors cross the boundary as NHWC unless
 * options.layout is 'nchw'; uint8 boundaries (io 'uint8') are fed quantized
 * values, and their outputs dequantized, so both sides compare as floats.
 */
export async function runBoth(model: Model, options: ExportTfliteOptions, feeds: FloatFeed[]): Promise<BothOutputs> {
  const names = model.graph.inputs.map((v) => v.name);
  const onnx = await runOnnx(model, Object.fromEntries(feeds.map((f, i) => [names[i]!, f])));
  const bytes = exportTflite(model, options);
  const io = boundaries(bytes);
  const nhwc = options.layout !== 'nchw';
  const inputs = feeds.map(({ data, shape }, i) => {
    const stored = nhwc && shape.length === 4 ? { data: toNhwc(data, shape), shape: [shape[0]!, shape[2]!, shape[3]!, shape[1]!] } : { data, shape };
    const q = io.inputs[i]!.uint8;
    return q ? { ...stored, data: Uint8Array.from(stored.data, (x) => Math.min(255, Math.max(0, Math.round(x / q.scale) + q.zeroPoint))) } : stored;
  });
  const raw = await runTflite(bytes, inputs);
  const tflite = raw.map((data, i) => {
    const { uint8: q, shape } = io.outputs[i]!;
    const floats = q ? Float32Array.from(data, (x) => (x - q.zeroPoint) * q.scale) : (data as Float32Array);
    return nhwc && shape.length === 4 ? toNchw(floats, [shape[0]!, shape[3]!, shape[1]!, shape[2]!]) : floats;
  });
  return { onnx, tflite, bytes };
}

/** The shape a model input is fed with: pinned by options, else the model's with symbolic dimensions as 1. */
export function inputShape(model: Model, options: ExportTfliteOptions = {}, i = 0): number[] {
  const input = model.graph.inputs[i]!;
  return (options.inputShapes?.[input.name] ?? input.type!.shape!.map((d) => (typeof d === 'number' ? d : 1))) as number[];
}

/** One float32 input of noise in [-1, 1) and the first output; the comparison happens in ONNX's layout. */
export async function compareWithOnnx(model: Model, options: ExportTfliteOptions = {}, seed = 7): Promise<Comparison> {
  const shape = inputShape(model, options);
  const { onnx, tflite, bytes } = await runBoth(model, options, [{ data: noise(shape, seed), shape }]);
  const reference = onnx[0]!;
  return { maxDiff: maxAbsDiff(tflite[0]!, reference), scale: maxAbsDiff(reference, new Float32Array(reference.length)), bytes };
}
