import type { Graph } from '../../ir/graph.js';
import type { PassContext } from '../framework/context.js';
import type { Runtime, SampleSource, Session } from '../../runtime.js';
import type { Tensor } from '../../tensor/tensor.js';
import { FidelityMeter, type Fidelity } from '../../data/fidelity.js';
import { setLayerFloat, type QuantizedLayer } from './weights.js';

/** How much a layer's quantization costs: the output SQNR gained by keeping only it in float. */
export interface LayerSensitivity {
  layer: string;
  op: string;
  sqnrGainDb: number;
}

export interface MixedPrecisionResult {
  sensitivity: LayerSensitivity[];
  /** Layers switched back to float, most sensitive first. */
  floatLayers: string[];
  before: Fidelity;
  after: Fidelity;
}

/**
 * Measures the quantized graph's outputs against the float model's on a fixed
 * set of samples. The float outputs are computed once; each call runs the graph
 * as it is now (sessions snapshot it).
 */
class FidelityProbe {
  #reference: Float32Array[] = [];
  #classes = 1;
  constructor(
    private readonly runtime: Runtime,
    private readonly graph: Graph,
    private readonly samples: SampleSource,
    private readonly maxSamples: number,
  ) {}

  async init(floatSession: Session): Promise<void> {
    const output = this.graph.outputs[0]!.name;
    await this.#each(async (feeds) => {
      const out = (await floatSession.run(feeds, [output]))[output]!;
      this.#classes = out.shape[out.rank - 1] ?? 1;
      this.#reference.push(Float32Array.from(out.data<'float32'>()));
    });
  }

  async measure(): Promise<Fidelity> {
    const output = this.graph.outputs[0]!.name;
    const session = await this.runtime.createSession(this.graph);
    const meter = new FidelityMeter();
    try {
      let batch = 0;
      await this.#each(async (feeds, rows) => {
        const out = (await session.run(feeds, [output]))[output]!;
        meter.add(this.#reference[batch++]!, out.data<'float32'>(), rows, this.#classes);
      });
    } finally {
      await session.release();
    }
    return meter.result();
  }

  async #each(fn: (feeds: Record<string, Tensor>, rows: number) => Promise<void>): Promise<void> {
    let seen = 0;
    for await (const feeds of this.samples) {
      const rows = Number(Object.values(feeds)[0]?.shape[0] ?? 1);
      await fn(feeds, rows);
      seen += rows;
      if (seen >= this.maxSamples) break;
    }
  }
}

const disagreement = (f: Fidelity) => 100 * (1 - f.top1Agreement);
const round = (x: number) => (Number.isFinite(x) ? Number(x.toFixed(2)) : x);

/**
 * Ranks quantized layers by sensitivity (one at a time back in float, the
 * output SQNR gain) and, when `maxDrop` is given, switches the most sensitive
 * back to float until the top-1 disagreement with the float model is at most
 * `maxDrop` points. Disagreement bounds the accuracy drop: a sample whose
 * prediction did not change cannot change from right to wrong.
 */
export async function chooseFloatLayers(
  runtime: Runtime,
  floatSession: Session,
  graph: Graph,
  layers: QuantizedLayer[],
  samples: SampleSource,
  opts: { maxDrop: number | undefined; maxSamples: number; progress(done: number, total: number, message: string): void },
): Promise<MixedPrecisionResult> {
  const probe = new FidelityProbe(runtime, graph, samples, opts.maxSamples);
  await probe.init(floatSession);
  const before = await probe.measure();
  const within = (f: Fidelity) => opts.maxDrop !== undefined && disagreement(f) <= opts.maxDrop;
  if (within(before)) return { sensitivity: [], floatLayers: [], before, after: before };

  const sensitivity: Array<LayerSensitivity & { layerRef: QuantizedLayer }> = [];
  for (const [i, layer] of layers.entries()) {
    opts.progress(i, layers.length, 'ranking layer sensitivity');
    setLayerFloat(layer, true);
    const f = await probe.measure();
    setLayerFloat(layer, false);
    sensitivity.push({ layer: layer.node.name, op: layer.node.op, sqnrGainDb: round(f.sqnrDb - before.sqnrDb), layerRef: layer });
  }
  sensitivity.sort((a, b) => b.sqnrGainDb - a.sqnrGainDb);

  const floatLayers: string[] = [];
  let after = before;
  if (opts.maxDrop !== undefined) {
    for (const s of sensitivity) {
      setLayerFloat(s.layerRef, true);
      floatLayers.push(s.layer);
      after = await probe.measure();
      if (within(after)) break;
    }
  }
  return { sensitivity: sensitivity.map(({ layerRef: _, ...s }) => s), floatLayers, before, after };
}

/** Runs chooseFloatLayers with the pass's options and reports what it did. */
export async function applyMixedPrecision(
  ctx: PassContext<{ maxDrop: number | undefined; fidelitySamples: number }>,
  floatSession: Session,
  graph: Graph,
  layers: QuantizedLayer[],
): Promise<void> {
  const { maxDrop } = ctx.options;
  const mixed = await chooseFloatLayers(ctx.runtime!, floatSession, graph, layers, ctx.samples!, {
    maxDrop,
    maxSamples: ctx.options.fidelitySamples,
    progress: (done, total, message) => ctx.progress(done, total, message),
  });
  if (mixed.sensitivity.length) ctx.report('sensitivity', mixed.sensitivity);
  ctx.report('floatLayers', mixed.floatLayers.length);
  ctx.report('disagreementBefore', round(disagreement(mixed.before)));
  ctx.report('disagreement', round(disagreement(mixed.after)));
  if (maxDrop !== undefined && disagreement(mixed.after) > maxDrop) {
    ctx.warn(`Even with every layer in float, top-1 disagreement with the float model is ${round(disagreement(mixed.after))} points (budget ${maxDrop}); quantizing the activations alone exceeds it.`);
  } else if (mixed.floatLayers.length) {
    ctx.info(`Kept in float to meet the budget: ${mixed.floatLayers.join(', ')}.`);
  }
}
