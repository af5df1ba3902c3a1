import type { Graph, Model } from '@condense/core';
import { encodeModelBytes } from '@condense/onnx';
import { activationTensors, measureAmax } from './amax.js';
import { ARTIFACTS, buildEngineScript, trtexecShapes } from './build-script.js';
import { formatCalibrationCache } from './calibration-cache.js';
import { diagnose, unsupportedError } from './check.js';
import { resolveOptions, type ExportTensorrtOptions, type ResolvedOptions } from './options.js';
import { copyModel, prepareModel, runPasses } from './prepare.js';
import { PER_CHANNEL_OPSET, insertTensorrtQdq } from './qdq/index.js';
import { activationScale } from './scales.js';

/** One file of the export: the CLI writes it under `name`. */
export interface TensorrtArtifact {
  /** The file name (model.onnx, model.qdq.onnx, calibration.cache or build-engine.sh). */
  name: string;
  /** The file's contents. */
  bytes: Uint8Array;
}

const text = new TextEncoder();

/**
 * TensorRT-ready files for `graph` (which is left unchanged): model.onnx
 * (float32, or float16 with the precision option), and with calibration
 * samples model.qdq.onnx (explicit int8), calibration.cache (implicit int8),
 * plus build-engine.sh with the trtexec command of each workflow. Refuses with
 * every problem checkTensorrt finds before anything is made.
 */
export async function exportTensorrt(graph: Graph, options: ExportTensorrtOptions = {}): Promise<TensorrtArtifact[]> {
  const o = resolveOptions(options);
  const base = prepareModel(graph, o.inputShapes);
  const errors = diagnose(base, o).filter((d) => d.severity === 'error');
  if (errors.length) throw unsupportedError(errors);
  // Every artifact shares the opset per-channel Q/DQ needs, so tensor names and ops agree across them.
  if (o.samples && (base.graph.opset[''] ?? 1) < PER_CHANNEL_OPSET) await runPasses(base, [{ pass: 'upgrade-opset', options: { opset: PER_CHANNEL_OPSET } }]);
  const artifacts: TensorrtArtifact[] = [{ name: ARTIFACTS.model, bytes: await floatModel(base, o) }];
  if (o.samples) artifacts.push(...(await int8Artifacts(base, o)));
  artifacts.push({ name: ARTIFACTS.script, bytes: text.encode(buildEngineScript({ int8: o.samples !== undefined, shapes: trtexecShapes(base.graph) })) });
  return artifacts;
}

/**
 * model.onnx. TensorRT chooses layer precisions from its build flags, so a
 * float32 model serves every workflow; float16 halves the file and fixes the
 * compute type (inputs and outputs stay float32, so feeds do not change).
 */
async function floatModel(base: Model, o: ResolvedOptions): Promise<Uint8Array> {
  if (o.precision === 'float32') return encodeModelBytes(base);
  const half = copyModel(base);
  await runPasses(half, [{ pass: 'convert-float16', options: { activations: true, keepIo: true } }]);
  return encodeModelBytes(half);
}

/** Calibrates once; the same amax gives the Q/DQ scales of model.qdq.onnx and the scales of calibration.cache. */
async function int8Artifacts(base: Model, o: ResolvedOptions): Promise<TensorrtArtifact[]> {
  const tensors = activationTensors(base.graph);
  const amax = await measureAmax(o.runtime!, base.graph, tensors, o.samples!, o.maxSamples);
  const qdq = copyModel(base);
  insertTensorrtQdq(qdq.graph, amax, { residualAdds: o.residualAdds });
  const scales = new Map([...amax].map(([name, max]) => [name, activationScale(max)]));
  return [
    { name: ARTIFACTS.qdq, bytes: encodeModelBytes(qdq) },
    { name: ARTIFACTS.cache, bytes: text.encode(formatCalibrationCache(scales, o)) },
  ];
}
