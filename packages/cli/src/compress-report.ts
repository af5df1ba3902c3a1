import path from 'node:path';
import { CondenseError, idxSamples, isCondenseError, type Model, type PassRecord, type SampleSource, type Runtime } from '@condense/core';
import { writeFileAtomic } from '@condense/onnx/node';
import { buildReport, renderReport, reportFormat, type CompressionReport, type SizeFigures } from '@condense/report';
import { readIdxFile } from './data-files.js';
import type { Progress } from './progress.js';

/** compress's options for measuring the result and writing the report. */
export const REPORT_OPTIONS = {
  report: { type: 'string' },
  images: { type: 'string' },
  labels: { type: 'string' },
  'eval-limit': { type: 'string' },
  'no-measure': { type: 'boolean' },
} as const;

export const REPORT_HELP = `After saving, compress runs both models on the same inputs in the runtime
(--adapter) and prints a summary: size ratio (raw and brotli), accuracy or
fidelity, speed ratio and MACs. The inputs are --images/--labels (IDX, for
top-1 accuracy), else the --calib data, else generated random inputs.
--eval-limit caps the images used (default 2000). --no-measure skips running
the models. --report <file.html|file.md|file.json> also writes the whole report:
summary, per-layer error (SQNR) and size, sensitivity ranking and the pass log;
the HTML file is self-contained and works offline. A model the runtime cannot
run is still saved; the summary says why it was not measured.`;

interface ReportValues {
  report?: string;
  images?: string;
  labels?: string;
  'eval-limit'?: string;
  'no-measure'?: boolean;
}

/** Checks the report options before any work, so a wrong extension costs nothing. */
export function checkReportOptions(values: ReportValues, files: { input: string; output: string }): void {
  if (values.report !== undefined) {
    if (!reportFormat(values.report)) throw new CondenseError('E_BAD_OPTION', `--report ${values.report}: name a .html, .md or .json file.`);
    const target = path.resolve(values.report);
    if (target === path.resolve(files.input) || target === path.resolve(files.output)) throw new CondenseError('E_BAD_OPTION', `--report ${values.report} is the input or output model; choose another file.`);
    if (values['no-measure']) throw new CondenseError('E_BAD_OPTION', '--report needs the models measured; drop --no-measure.');
  }
  if ((values.images === undefined) !== (values.labels === undefined)) throw new CondenseError('E_BAD_OPTION', '--images and --labels go together (IDX files, e.g. t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz).');
  limit(values['eval-limit']);
}

export interface MeasureInput {
  values: ReportValues;
  input: string;
  output: string;
  recipe: string;
  before: Model;
  after: Model;
  passes: PassRecord[];
  size: { before: SizeFigures; after: SizeFigures };
  runtime: Runtime;
  calibration: SampleSource | undefined;
  progress: Progress;
}

/**
 * Runs both models and builds the report; undefined with --no-measure. When
 * the runtime cannot run them and no --report was asked for, the saved model
 * stands: the reason comes back instead of a report, and compress still succeeds.
 */
export async function measure(m: MeasureInput): Promise<CompressionReport | string | undefined> {
  try {
    return await measureOrThrow(m);
  } catch (e) {
    m.progress.end();
    if (!isCondenseError(e)) throw e;
    if (m.values.report) throw new CondenseError(e.code, `${e.message.replace(/\.?$/, '.')} ${m.output} is saved; no report was written.`, { cause: e, context: e.context });
    return e.message;
  }
}

async function measureOrThrow(m: MeasureInput): Promise<CompressionReport | undefined> {
  if (m.values['no-measure']) return undefined;
  const inputName = m.before.graph.inputs.find((v) => !v.const)?.name;
  let samples: SampleSource | undefined = m.calibration;
  let labels: ArrayLike<number> | undefined;
  let maxSamples: number | undefined;
  if (m.values.images && m.values.labels && inputName) {
    const [images, labelTensor] = await Promise.all([readIdxFile(m.values.images), readIdxFile(m.values.labels)]);
    if (images.shape[0] !== labelTensor.shape[0]) throw new CondenseError('E_BAD_OPTION', `--images holds ${images.shape[0]} images but --labels ${labelTensor.shape[0]} labels.`);
    maxSamples = Math.min(images.shape[0]!, limit(m.values['eval-limit']));
    samples = idxSamples(images, inputName, 250, m.before.graph.inputs[0]?.type?.shape?.length ?? 4);
    labels = labelTensor.toNumbers();
  }
  const report = await buildReport({
    before: m.before,
    after: m.after,
    passes: m.passes,
    input: path.basename(m.input),
    output: path.basename(m.output),
    recipe: m.recipe,
    size: m.size,
    runtime: m.runtime,
    samples,
    labels,
    maxSamples,
    onProgress: (done, total, message) => m.progress.update(message, done, total),
  });
  m.progress.end();
  if (m.values.report) await writeFileAtomic(m.values.report, [new TextEncoder().encode(renderReport(report, reportFormat(m.values.report)!))]);
  return report;
}

function limit(value: string | undefined): number {
  if (value === undefined) return 2000;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CondenseError('E_BAD_OPTION', `--eval-limit ${value}: give a whole number of images, at least 1.`);
  return n;
}
