/** The oracle: onnxruntime-node runs condense's ONNX model and the one read back from OpenVINO IR. */
import type { Model } from '@condense/core';
import { decodeModel, encodeModelBytes } from '@condense/onnx';
import * as ort from 'onnxruntime-node';
import { exportOpenvino, readOpenvino, validateOpenvino, type ExportOpenvinoOptions } from '../../src/index.js';

export interface Feed {
  data: Float32Array;
  shape: number[];
}

/** Runs the model once on the CPU; returns the graph outputs, in order. */
export async function runOnnx(model: Model, feeds: Record<string, Feed>): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(encodeModelBytes(model), { logSeverityLevel: 3 });
  try {
    const inputs = Object.fromEntries(Object.entries(feeds).map(([k, f]) => [k, new ort.Tensor('float32', f.data, f.shape)]));
    const results = await session.run(inputs);
    return session.outputNames.map((name) => results[name]!.data as Float32Array);
  } finally {
    await session.release();
  }
}

/**
 * condense model → OpenVINO IR → validator → reader → ONNX bytes → condense
 * model again (so the read model is proven to be valid ONNX that condense
 * itself decodes).
 */
export function roundTrip(model: Model, options: ExportOpenvinoOptions = {}) {
  const ir = exportOpenvino(model, options);
  const problems = validateOpenvino(ir.xml, ir.bin);
  const back = decodeModel(encodeModelBytes(readOpenvino(ir.xml, ir.bin)));
  return { ir, problems, back };
}

/** Layer types in an IR's XML, counted. */
export function layerTypes(xml: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of xml.matchAll(/<layer [^>]*type="([^"]+)"/g)) counts[m[1]!] = (counts[m[1]!] ?? 0) + 1;
  return counts;
}

/** element_type of every Const, counted. */
export function constTypes(xml: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of xml.matchAll(/<data element_type="([^"]+)" shape="[^"]*" offset=/g)) counts[m[1]!] = (counts[m[1]!] ?? 0) + 1;
  return counts;
}
