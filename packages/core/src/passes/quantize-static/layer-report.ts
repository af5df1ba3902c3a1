import type { Graph } from '../../ir/graph.js';
import type { Runtime, SampleSource, Session } from '../../runtime.js';
import { FidelityMeter } from '../../data/fidelity.js';

/** One quantized activation's error against float, as the next layer sees it. */
export interface LayerError {
  /** The float activation (a layer's output, or a graph input). */
  value: string;
  /** The op that produces it ('input' for a graph input). */
  op: string;
  sqnrDb: number;
  cosine: number;
}

/**
 * Runs the float model (`floatSession`, opened before quantization) and the
 * quantized `graph` on up to `maxSamples` samples and compares, for every
 * quantized activation, the float value with its dequantized counterpart.
 * Errors accumulate through the network, so a layer's figure includes what
 * came before it; a sudden drop marks the layer that hurts.
 */
export async function measureLayerErrors(
  runtime: Runtime,
  floatSession: Session,
  graph: Graph,
  points: Array<{ float: string; quantized: string; op: string }>,
  samples: SampleSource,
  maxSamples: number,
): Promise<LayerError[]> {
  const meters = points.map(() => new FidelityMeter());
  const session = await runtime.createSession(graph);
  try {
    let seen = 0;
    for await (const feeds of samples) {
      const computedFloat = points.map((p) => p.float).filter((n) => !(n in feeds));
      const ref = { ...feeds, ...(computedFloat.length ? await floatSession.run(feeds, computedFloat) : {}) };
      const got = await session.run(feeds, points.map((p) => p.quantized));
      points.forEach((p, i) => {
        const a = ref[p.float]!;
        const rows = a.rank ? a.shape[0]! : 1;
        meters[i]!.add(a.data<'float32'>(), got[p.quantized]!.data<'float32'>(), rows, a.size / rows || 1);
      });
      seen += Number(Object.values(feeds)[0]?.shape[0] ?? 1);
      if (seen >= maxSamples) break;
    }
  } finally {
    await session.release();
  }
  return points.map((p, i) => {
    const r = meters[i]!.result();
    return { value: p.float, op: p.op, sqnrDb: round(r.sqnrDb), cosine: round(r.cosine, 5) };
  });
}

const round = (x: number, digits = 2) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);
