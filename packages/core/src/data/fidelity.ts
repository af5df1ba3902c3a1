import type { Graph } from '../ir/graph.js';
import type { Runtime, SampleSource } from '../runtime.js';
import { argmax } from './accuracy.js';

/** How closely a candidate's outputs follow a reference's on the same inputs. */
export interface Fidelity {
  /** How many samples were compared. */
  samples: number;
  /** Share of samples whose top-1 class is the same (rows of the last axis). */
  top1Agreement: number;
  /** Mean over samples of the cosine between the two output rows. */
  cosine: number;
  /** The worst sample's cosine. */
  minCosine: number;
  /** Signal-to-quantization-noise ratio in dB: 10·log10(Σ ref² / Σ (ref - cand)²); Infinity when identical. */
  sqnrDb: number;
}

/**
 * Accumulates fidelity one batch at a time, with constant memory. A "sample" is
 * one row along the first axis; its values are everything after it.
 */
export class FidelityMeter {
  #samples = 0;
  #agree = 0;
  #cosineSum = 0;
  #minCosine = Infinity;
  #signal = 0;
  #noise = 0;

  /** `reference` and `candidate` hold `rows` samples of equal length; `classes` is the last axis's size (for top-1). */
  add(reference: ArrayLike<number>, candidate: ArrayLike<number>, rows: number, classes: number): void {
    const n = reference.length / rows;
    for (let r = 0; r < rows; r++) {
      let dot = 0;
      let aa = 0;
      let bb = 0;
      for (let i = r * n; i < (r + 1) * n; i++) {
        const a = reference[i]!;
        const b = candidate[i]!;
        dot += a * b;
        aa += a * a;
        bb += b * b;
        this.#noise += (a - b) * (a - b);
      }
      this.#signal += aa;
      // Two all-zero rows agree perfectly; one all-zero row against another does not.
      const cos = aa === 0 && bb === 0 ? 1 : aa === 0 || bb === 0 ? 0 : dot / Math.sqrt(aa * bb);
      this.#cosineSum += cos;
      this.#minCosine = Math.min(this.#minCosine, cos);
      let same = true;
      for (let off = r * n; off < (r + 1) * n; off += classes) if (argmax(reference, off, classes) !== argmax(candidate, off, classes)) same = false;
      if (same) this.#agree++;
      this.#samples++;
    }
  }

  /** The comparison over every batch added so far. */
  result(): Fidelity {
    const s = this.#samples;
    return {
      samples: s,
      top1Agreement: s ? this.#agree / s : 0,
      cosine: s ? this.#cosineSum / s : 0,
      minCosine: s ? this.#minCosine : 0,
      sqnrDb: this.#noise === 0 ? Infinity : 10 * Math.log10(this.#signal / this.#noise),
    };
  }
}

/**
 * Runs both models on the same samples and compares their first outputs (or
 * `output`, by name). Both sessions stay open for the whole run; batches stream.
 * `candidateRuntime` runs the candidate elsewhere (one model in two runtimes).
 */
export async function compareModels(
  runtime: Runtime,
  reference: Graph,
  candidate: Graph,
  samples: SampleSource,
  opts: { output?: string; maxSamples?: number; candidateRuntime?: Runtime } = {},
): Promise<Fidelity> {
  const meter = new FidelityMeter();
  const a = await runtime.createSession(reference);
  try {
    const b = await (opts.candidateRuntime ?? runtime).createSession(candidate);
    try {
      const output = opts.output ?? a.outputNames[0]!;
      // A compressed model keeps its output names; a foreign one is compared by
      // position. An intermediate value is fetched by the same name from both.
      const position = a.outputNames.indexOf(output);
      const other = b.outputNames.includes(output) || position < 0 ? output : b.outputNames[position] ?? b.outputNames[0]!;
      let seen = 0;
      for await (const feeds of samples) {
        const [x, y] = [(await a.run(feeds, [output]))[output]!, (await b.run(feeds, [other]))[other]!];
        const rows = x.rank ? x.shape[0]! : 1;
        // The last batch may run past maxSamples; only the rows within it count.
        const take = Math.min(rows, (opts.maxSamples ?? Infinity) - seen);
        const width = x.size / rows;
        meter.add(x.toNumbers().slice(0, take * width), y.toNumbers().slice(0, take * width), take, x.rank ? x.shape[x.rank - 1]! : 1);
        seen += take;
        if (opts.maxSamples !== undefined && seen >= opts.maxSamples) break;
      }
    } finally {
      await b.release();
    }
  } finally {
    await a.release();
  }
  return meter.result();
}
