import { CondenseError, compareModels, type PreprocessSpec } from '@condense/core';
import { readModelFile } from '../model-files.js';
import { wholeNumber } from '../args.js';
import { calibrationSamples } from '../data-files.js';
import type { Streams } from '../io.js';
import { countSamples, type Progress } from '../progress.js';
import { runtimeFor, type AdapterName } from '../runtimes.js';

export interface CompareOptions {
  reference: string;
  candidate: string;
  data: string | undefined;
  preprocess: PreprocessSpec;
  adapter: AdapterName;
  batch: string | undefined;
  limit: string | undefined;
  json: boolean;
  progress: Progress;
}

/**
 * `condense eval <model> --compare <other> --calib <data>`: how closely the
 * model's first output follows the other's on the same inputs (top-1
 * agreement, cosine, SQNR), with no labels needed.
 */
export async function evalCompare(o: CompareOptions, io: Streams): Promise<number> {
  if (!o.data) throw new CondenseError('E_BAD_OPTION', 'condense eval --compare needs --calib <data> (the inputs to run both models on).');
  const batchSize = wholeNumber('batch', o.batch, 32, 1);
  const limit = wholeNumber('limit', o.limit, 1000, 1);
  const [reference, candidate] = await Promise.all([readModelFile(o.reference), readModelFile(o.candidate)]);
  const samples = await calibrationSamples(o.data, reference.graph, batchSize, o.preprocess);
  const t0 = performance.now();
  const counted = countSamples(samples, (done) => o.progress.update('comparing', done, limit));
  const f = await compareModels(await runtimeFor(o.adapter), reference.graph, candidate.graph, counted, { maxSamples: limit });
  o.progress.end();
  const ms = performance.now() - t0;
  if (f.samples === 0) throw new CondenseError('E_BAD_OPTION', `${o.data} holds no samples to compare on.`);
  if (o.json) {
    io.out.write(`${JSON.stringify({ model: o.candidate, reference: o.reference, adapter: o.adapter, ...f, sqnrDb: Number.isFinite(f.sqnrDb) ? f.sqnrDb : null, ms })}\n`);
  } else {
    const sqnr = Number.isFinite(f.sqnrDb) ? `${f.sqnrDb.toFixed(1)} dB` : 'infinite (identical outputs)';
    io.out.write(
      `${o.candidate} against ${o.reference} on ${f.samples} samples (${o.adapter}, ${(ms / 1000).toFixed(1)} s):\n` +
        `  top-1 agreement  ${(100 * f.top1Agreement).toFixed(2)}%\n` +
        `  cosine           ${f.cosine.toFixed(5)} (worst sample ${f.minCosine.toFixed(5)})\n` +
        `  SQNR             ${sqnr}\n`,
    );
  }
  return 0;
}
