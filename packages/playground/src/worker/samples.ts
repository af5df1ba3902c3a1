import { CondenseError, Tensor, imageSamples, seededRandom, type Graph, type SampleSource } from '@condense/core';
import type { NamedBytes } from '../protocol.js';

/** What a model is fed when compressing, evaluating and comparing, and how to say so. */
export interface Samples {
  source: SampleSource;
  description: string;
}

/** Generated batches: GENERATED_BATCHES of GENERATED_BATCH samples. */
const GENERATED_BATCHES = 8;
const GENERATED_BATCH = 4;

/**
 * Uploaded PNG/JPEG images (decoded a batch at a time, shaped for the model's
 * first input by core's preprocessing), or, without images, deterministic
 * uniform [0, 1) data for every input: enough to run calibrating passes and
 * measure agreement, though calibration on noise fits real data poorly.
 */
export function samplesFor(graph: Graph, images: readonly NamedBytes[]): Samples {
  const inputs = graph.inputs.filter((v) => !v.const);
  if (images.length) {
    if (inputs.length !== 1) {
      throw new CondenseError('E_BAD_OPTION', `The model takes ${inputs.length} inputs; images can feed only a model with one. Remove the images to use generated data.`);
    }
    const files = images.map((f) => ({ name: f.name, read: () => f.bytes }));
    return { source: imageSamples(files, inputs[0]!, {}, 8), description: `${images.length} uploaded image${images.length === 1 ? '' : 's'}` };
  }
  const shapes = inputs.map((v) => {
    const shape = v.type?.shape;
    if (!shape) throw new CondenseError('E_BAD_OPTION', `Input "${v.name}" has no declared shape, so data cannot be generated for it: upload images instead.`);
    const dims = shape.map((d, i) => (typeof d === 'number' ? d : i === 0 ? GENERATED_BATCH : undefined));
    if (dims.includes(undefined)) {
      throw new CondenseError('E_BAD_OPTION', `Input "${v.name}" [${shape.join(', ')}] has symbolic dimensions besides the batch, so data cannot be generated for it: upload images instead.`);
    }
    if (v.type!.dtype !== 'float32') throw new CondenseError('E_BAD_OPTION', `Input "${v.name}" takes ${v.type!.dtype}; generated data is float32 only.`);
    return { name: v.name, dims: dims as number[] };
  });
  const source: SampleSource = {
    async *[Symbol.asyncIterator]() {
      const random = seededRandom(0x5eed);
      for (let b = 0; b < GENERATED_BATCHES; b++) {
        const feeds: Record<string, Tensor> = {};
        for (const { name, dims } of shapes) {
          const data = new Float32Array(dims.reduce((a, d) => a * d, 1));
          for (let i = 0; i < data.length; i++) data[i] = random();
          feeds[name] = Tensor.from('float32', dims, data);
        }
        yield feeds;
      }
    },
  };
  return { source, description: `${GENERATED_BATCHES} generated batches (uniform [0, 1), seeded)` };
}
