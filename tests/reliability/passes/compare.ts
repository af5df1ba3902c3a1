/** Runs a float model and its compressed version on the same inputs in onnxruntime-node and says how far apart they are. */
import { FidelityMeter, Tensor, type Fidelity, type Model, type Runtime, type SampleSource } from '@condense/core';
import { Random } from '../../helpers/random.js';

/** Batches of normally distributed inputs named x, from their own seed (calibration and evaluation never share one). */
export function inputBatches(sample: number[], batches: number, batchSize: number, seed: number): Tensor[] {
  const rng = new Random(seed, 0x1a7a);
  const size = sample.reduce((a, b) => a * b, 1) * batchSize;
  return Array.from({ length: batches }, () => Tensor.from('float32', [batchSize, ...sample], Float32Array.from({ length: size }, () => rng.normal())));
}

export function sampleSource(batches: Tensor[]): SampleSource {
  return {
    async *[Symbol.asyncIterator]() {
      for (const x of batches) yield { x };
    },
  };
}

/** The model's first output for each batch, flattened. */
export async function outputsOf(runtime: Runtime, model: Model, batches: Tensor[]): Promise<Float32Array[]> {
  const session = await runtime.createSession(model.graph);
  try {
    const out: Float32Array[] = [];
    for (const x of batches) {
      const result = await session.run({ x });
      out.push(Float32Array.from(result[session.outputNames[0]!]!.toNumbers()));
    }
    return out;
  } finally {
    await session.release();
  }
}

export interface Distance extends Fidelity {
  /** Largest |reference - candidate| over the largest |reference|. */
  maxRelative: number;
}

export function distance(reference: Float32Array[], candidate: Float32Array[], rowsPerBatch: number, classes: number): Distance {
  const meter = new FidelityMeter();
  let worst = 0;
  let scale = 0;
  reference.forEach((ref, b) => {
    const cand = candidate[b]!;
    meter.add(ref, cand, rowsPerBatch, classes);
    for (let i = 0; i < ref.length; i++) {
      scale = Math.max(scale, Math.abs(ref[i]!));
      // NaN in the candidate must count as infinitely far, not vanish in a max().
      const d = Math.abs(ref[i]! - cand[i]!);
      worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
    }
  });
  return { ...meter.result(), maxRelative: scale ? worst / scale : worst };
}
