import { CondenseError, type Dim } from '@condense/core';

/** How the exported model stores float weights. Integer weights (DequantizeLinear of int8 constants) stay integers. */
export type WeightPrecision = 'float32' | 'float16';

/** How {@link exportTflite} writes the .tflite file; every option has a default. */
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
  /**
   * Type of the inputs and outputs of a quantized (QDQ) model. 'float32'
   * (default) keeps the model's float contract: a QUANTIZE after each input,
   * a DEQUANTIZE before each output. 'int8' exposes the int8 tensors
   * instead, for integer-only accelerators: an input every reader of which
   * quantizes alike becomes an int8 input with those parameters, and an
   * output held in int8 stays int8. 'uint8' does the same with uint8 tensors
   * (the grid of condense's uint8 activations; the QUANTIZE between uint8
   * and int8 is an exact shift). Inputs and outputs computed in float stay
   * float32 either way.
   */
  io?: 'float32' | 'int8' | 'uint8';
  /**
   * How float ops read int8 weights (condense's quantize-weights output):
   * 'dequantize' (default) stores the int8 weights with a DEQUANTIZE, which
   * computes exactly what onnxruntime computes; 'hybrid' feeds them to
   * TFLite's hybrid Conv, depthwise Conv and fully-connected kernels, which
   * quantize the float input on the fly (faster on CPUs, less exact).
   */
  dynamicRange?: 'dequantize' | 'hybrid';
  /** Pins input shapes, e.g. { x: [1, 3, 48, 192] }. A symbolic batch dimension otherwise becomes 1. */
  inputShapes?: Record<string, Dim[]>;
  /** Free text stored as the model's description. */
  description?: string;
}

export type ResolvedOptions = Required<ExportTfliteOptions>;

const KNOWN = ['layout', 'weights', 'io', 'dynamicRange', 'inputShapes', 'description'];

/** Checks options alone, before there is a model to export (the CLI checks its flags first): throws E_BAD_OPTION. */
export function checkTfliteOptions(options: ExportTfliteOptions): void {
  resolveOptions(options);
}

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
  const io = given.io ?? 'float32';
  if (io !== 'float32' && io !== 'int8' && io !== 'uint8') throw bad(`io must be "float32", "int8" or "uint8"; got ${JSON.stringify(io)}.`);
  const dynamicRange = given.dynamicRange ?? 'dequantize';
  if (dynamicRange !== 'dequantize' && dynamicRange !== 'hybrid') throw bad(`dynamicRange must be "dequantize" or "hybrid"; got ${JSON.stringify(dynamicRange)}.`);
  const inputShapes = given.inputShapes ?? {};
  for (const [name, shape] of Object.entries(inputShapes)) {
    if (!Array.isArray(shape) || shape.some((d) => typeof d === 'number' ? !Number.isInteger(d) || d < 0 : typeof d !== 'string')) {
      throw bad(`inputShapes.${name} must be an array of sizes; got ${JSON.stringify(shape)}.`);
    }
  }
  const description = given.description ?? 'Exported by condense';
  if (typeof description !== 'string') throw bad('description must be a string.');
  return { layout, weights, io, dynamicRange, inputShapes, description };
}
