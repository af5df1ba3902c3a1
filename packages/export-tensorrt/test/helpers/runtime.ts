/**
 * onnxruntime-node on the CPU as the Runtime that calibrates and runs the
 * exported models. An exporter may not depend on an adapter package (they
 * are peers), so the tests build one from the glue the adapters share.
 */
import { Tensor, type Graph, type Runtime, type SampleSource } from '@condense/core';
import { createOrtRuntime, type OrtModule } from '@condense/ort-runtime';

export const runtime: Runtime = createOrtRuntime(
  {
    name: 'onnxruntime-node',
    load: async () => (await import('onnxruntime-node')) as unknown as OrtModule,
    sessionOptions: () => ({ executionProviders: ['cpu'], logSeverityLevel: 3 }),
  },
  {},
);

/** Deterministic values in [lo, hi) (a linear congruential generator, so every run sees the same data). */
export function noise(count: number, seed: number, lo = -1, hi = 1): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * state) / 2 ** 32;
  });
}

/** `batches` batches of noise of `shape` for input `name`. */
export function noiseSamples(name: string, shape: number[], batches: number, seed = 1): SampleSource {
  const size = shape.reduce((a, b) => a * b, 1);
  return {
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < batches; i++) yield { [name]: Tensor.from('float32', shape, noise(size, seed + i)) };
    },
  };
}

/** The first output of `graph` on `feeds`. */
export async function run(graph: Graph, feeds: Record<string, Tensor>): Promise<Float32Array> {
  const session = await runtime.createSession(graph);
  try {
    return Object.values(await session.run(feeds))[0]!.data<'float32'>();
  } finally {
    await session.release();
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Signal-to-quantization-noise ratio of `approx` against `exact`, in dB. */
export function sqnr(exact: ArrayLike<number>, approx: ArrayLike<number>): number {
  let signal = 0;
  let noisePower = 0;
  for (let i = 0; i < exact.length; i++) {
    signal += exact[i]! ** 2;
    noisePower += (exact[i]! - approx[i]!) ** 2;
  }
  return 10 * Math.log10(signal / noisePower);
}
