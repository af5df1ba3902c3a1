import { CondenseError, type Dim } from '@condense/core';

/** How the exported model stores its weights. int8 storage arrives with full-integer export. */
export type WeightPrecision = 'float32' | 'float16';

export interface ExportTfliteOptions {
  /**
   * Layout of 4-D graph inputs and outputs. 'nhwc' (default) is TFLite's own:
   * callers feed NHWC and no transpose runs. 'nchw' keeps the ONNX model's
   * contract at the cost of one TRANSPOSE per 4-D input and output; inside the
   * model everything is NHWC either way.
   */
  layout?: 'nhwc' | 'nchw';
  /**
   * 'float16' stores conv and fully-connected weights and biases as FLOAT16
   * buffers read through DEQUANTIZE (TFLite's float16 quantization: half the
   * size, float32 compute). Weights the model already holds in float16 (a Cast
   * from a float16 constant, as condense's convert-float16 pass writes) are
   * exported that way with either setting.
   */
  weights?: WeightPrecision;
  /** Pins input shapes, e.g. { x: [1, 3, 48, 192] }. A symbolic batch dimension otherwise becomes 1. */
  inputShapes?: Record<string, Dim[]>;
  /** Free text stored as the model's description. */
  description?: string;
}

export type ResolvedOptions = Required<ExportTfliteOptions>;

const KNOWN = ['layout', 'weights', 'inputShapes', 'description'];

/** Checks caller options once, before any work: unknown keys and bad values are errors. */
export function resolveOptions(given: ExportTfliteOptions = {}): ResolvedOptions {
  const bad = (message: string) => new CondenseError('E_BAD_OPTION', `TFLite export: ${message}`);
  for (const key of Object.keys(given)) {
    if (!KNOWN.includes(key)) throw bad(`unknown option "${key}"; the options are ${KNOWN.join(', ')}.`);
  }
  const layout = given.layout ?? 'nhwc';
  if (layout !== 'nhwc' && layout !== 'nchw') throw bad(`layout must be "nhwc" or "nchw"; got ${JSON.stringify(layout)}.`);
  const weights = given.weights ?? 'float32';
  if (weights !== 'float32' && weights !== 'float16') throw bad(`weights must be "float32" or "float16"; got ${JSON.stringify(weights)}.`);
  const inputShapes = given.inputShapes ?? {};
  for (const [name, shape] of Object.entries(inputShapes)) {
    if (!Array.isArray(shape) || shape.some((d) => typeof d === 'number' ? !Number.isInteger(d) || d < 0 : typeof d !== 'string')) {
      throw bad(`inputShapes.${name} must be an array of sizes; got ${JSON.stringify(shape)}.`);
    }
  }
  const description = given.description ?? 'Exported by condense';
  if (typeof description !== 'string') throw bad('description must be a string.');
  return { layout, weights, inputShapes, description };
}
