/**
 * Exports a model, runs it in LiteRT.js and the ONNX original in
 * onnxruntime-node on the same input, and returns the largest difference.
 * Only LiteRT test files import this (see litert.ts).
 */
import type { Model } from '@condense/core';
import { exportTflite, type ExportTfliteOptions } from '../../src/index.js';
import { maxAbsDiff, noise, toNchw, toNhwc } from './data.js';
import { runTflite } from './litert.js';
import { runOnnx } from './reference.js';

export interface Comparison {
  maxDiff: number;
  /** Largest |reference| value, to judge the difference against. */
  scale: number;
  bytes: Uint8Array;
}

/**
 * One float32 input and output. 4-D tensors cross the boundary as NHWC unless
 * options.layout is 'nchw'; the comparison always happens in ONNX's layout.
 */
export async function compareWithOnnx(model: Model, options: ExportTfliteOptions = {}, seed = 7): Promise<Comparison> {
  const input = model.graph.inputs[0]!;
  const shape = (options.inputShapes?.[input.name] ?? input.type!.shape!.map((d) => (typeof d === 'number' ? d : 1))) as number[];
  const data = noise(shape, seed);
  const [expected] = await runOnnx(model, { [input.name]: { data, shape } });
  const bytes = exportTflite(model, options);
  const nhwc = options.layout !== 'nchw';
  const feed = nhwc && shape.length === 4 ? { data: toNhwc(data, shape), shape: [shape[0]!, shape[2]!, shape[3]!, shape[1]!] } : { data, shape };
  const [actual] = await runTflite(bytes, [feed]);
  const outShape = model.graph.outputs[0]!.type?.shape;
  const reference = expected!;
  const got = nhwc && outShape?.length === 4 ? toNchw(actual!, outShape.map((d) => (typeof d === "number" ? d : 1))) : actual!;
  return { maxDiff: maxAbsDiff(got, reference), scale: maxAbsDiff(reference, new Float32Array(reference.length)), bytes };
}
