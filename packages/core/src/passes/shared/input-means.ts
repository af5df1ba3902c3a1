import type { Graph } from '../../ir/graph.js';
import type { Runtime, SampleSource } from '../../runtime.js';
import type { Tensor } from '../../tensor/tensor.js';

/** Running mean of each channel (axis 1) over every other axis: batch and spatial positions, or the rows of a Gemm input. */
class ChannelMeans {
  #sums: Float64Array | undefined;
  #count = 0;
  add(t: Tensor): void {
    const channels = t.shape[1] ?? 1;
    const inner = t.shape.slice(2).reduce((a, b) => a * b, 1);
    const data = t.data<'float32'>();
    const sums = (this.#sums ??= new Float64Array(channels));
    for (let i = 0; i < data.length; i++) sums[Math.floor(i / inner) % channels]! += data[i]!;
    this.#count += data.length / channels;
  }
  means(): Float64Array {
    return this.#sums!.map((s) => s / this.#count);
  }
}

export interface Measured {
  /** Per-channel means of each named activation. */
  means: Map<string, Float64Array>;
  /** Each named weight as the runtime computes it (DequantizeLinear's output, unpacking included). */
  weights: Map<string, Float32Array>;
  samples: number;
}

/**
 * Runs `graph` on up to `maxSamples` samples in one session and returns the
 * channel means of `activations` and the values of `weights`. The weights are
 * fetched rather than recomputed so the correction uses exactly what the
 * runtime will multiply by, whatever form the quantizer stored them in.
 */
export async function measure(runtime: Runtime, graph: Graph, activations: string[], weights: string[], samples: SampleSource, maxSamples: number): Promise<Measured> {
  const acc = new Map(activations.map((n) => [n, new ChannelMeans()]));
  const inputs = new Set(graph.inputs.map((v) => v.name));
  // Graph inputs come from the feeds; the rest is fetched from the run.
  const fetches = [...new Set([...activations.filter((n) => !inputs.has(n)), ...weights])];
  const fetched = new Map<string, Float32Array>();
  const session = await runtime.createSession(graph);
  let seen = 0;
  try {
    for await (const feeds of samples) {
      const out = { ...feeds, ...(await session.run(feeds, fetches)) };
      for (const [n, m] of acc) m.add(out[n]!);
      for (const n of weights) if (!fetched.has(n)) fetched.set(n, Float32Array.from(out[n]!.data<'float32'>()));
      seen += Number(Object.values(feeds)[0]?.shape[0] ?? 1);
      if (seen >= maxSamples) break;
    }
  } finally {
    await session.release();
  }
  return { means: new Map([...acc].map(([n, m]) => [n, m.means()])), weights: fetched, samples: seen };
}
