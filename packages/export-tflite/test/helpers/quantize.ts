/** condense's own quantization passes, as the int8 export takes their output, and how to compare int8 tensors. */
import { compress, createRegistry, Tensor, type Model, type Runtime, type SampleSource } from '@condense/core';
import { decodeModel, encodeModelBytes } from '@condense/onnx';
import { createOrtRuntime, type OrtModule } from '@condense/ort-runtime';
import { noise } from './data.js';

/**
 * onnxruntime-node as the Runtime calibration runs on. (An exporter may not
 * depend on an adapter package, so the tests build one from the shared glue.)
 */
const runtime: Runtime = createOrtRuntime(
  {
    name: 'onnxruntime-node',
    load: async () => (await import('onnxruntime-node')) as unknown as OrtModule,
    sessionOptions: () => ({ executionProviders: ['cpu'], logSeverityLevel: 3 }),
  },
  {},
);

/** `count` batches of noise in [lo, hi) for input `name`. */
export function noiseSamples(name: string, shape: number[], count: number, lo = -1, hi = 1): SampleSource {
  return {
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < count; i++) yield { [name]: Tensor.from('float32', shape, noise(shape, 1000 + i, lo, hi)) };
    },
  };
}

/**
 * The int8 preset (static QDQ quantization: uint8 activations, int8
 * per-channel weights, int32 biases) on `model`, in place. `fast` trims
 * calibration and skips the layer report, for small test models.
 */
export async function quantizeInt8(model: Model, samples: SampleSource, fast = false): Promise<Model> {
  const options = fast ? { 'quantize-static': { maxSamples: 16, layerReport: 0, biasCorrectionSamples: 8 } } : {};
  await compress(model, { preset: 'int8', options }, { registry: createRegistry(), runtime, samples });
  return model;
}

/** The int8-weights preset (weights only, read through DequantizeLinear), in place. */
export async function quantizeWeights(model: Model): Promise<Model> {
  await compress(model, { preset: 'int8-weights' }, { registry: createRegistry() });
  return model;
}

/**
 * A copy of a QDQ model whose every quantized activation (the output of a
 * DequantizeLinear reading a QuantizeLinear) is also a graph output, with
 * the scale of each: both runtimes then return the int8 tensors themselves,
 * to compare in quantization steps.
 */
export function exposeQuantized(model: Model): { model: Model; scales: number[] } {
  const copy = decodeModel(encodeModelBytes(model));
  const scales: number[] = [];
  const extra = [];
  for (const node of copy.graph) {
    if (node.op !== 'DequantizeLinear' || node.inputs[0]?.producer()?.op !== 'QuantizeLinear') continue;
    extra.push(node.output);
    scales.push(node.inputs[1]!.const!.toNumbers()[0]!);
  }
  copy.graph.outputs = [...copy.graph.outputs, ...extra];
  return { model: copy, scales };
}

export interface StepAgreement {
  elements: number;
  /** Share of elements within one quantization step, and exactly equal. */
  withinOne: number;
  equal: number;
  maxSteps: number;
}

/** How many quantization steps apart two dequantized int8 tensors are, element by element. */
export function stepAgreement(pairs: Array<{ a: Float32Array; b: Float32Array; scale: number }>): StepAgreement {
  let elements = 0;
  let withinOne = 0;
  let equal = 0;
  let maxSteps = 0;
  for (const { a, b, scale } of pairs) {
    for (let i = 0; i < a.length; i++) {
      const steps = Math.round(Math.abs(a[i]! - b[i]!) / scale);
      elements++;
      if (steps <= 1) withinOne++;
      if (steps === 0) equal++;
      maxSteps = Math.max(maxSteps, steps);
    }
  }
  return { elements, withinOne: withinOne / elements, equal: equal / elements, maxSteps };
}
