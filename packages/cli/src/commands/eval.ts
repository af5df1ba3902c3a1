import { CondenseError, Tensor, idxImageBatches, top1Accuracy } from '@condense/core';
import { PREPROCESS_HELP, PREPROCESS_OPTIONS, parseCommand, parsePreprocess, requireOne, wholeNumber } from '../args.js';
import { readIdxFile } from '../data-files.js';
import type { Streams } from '../io.js';
import { readModelFile } from '../model-files.js';
import { countRows, progressFor } from '../progress.js';
import { parseAdapter, runtimeFor } from '../runtimes.js';
import { evalCompare } from './eval-compare.js';

export const EVAL_HELP = `Usage: condense eval <model.onnx> --images <images.idx[.gz]> --labels <labels.idx[.gz]>
                    [--adapter cpu|wasm|cuda] [--batch N] [--limit N] [--json] [--quiet]
       condense eval <model.onnx> --compare <reference.onnx> --calib <data>
                    [--adapter cpu|wasm|cuda] [--batch N] [--limit N] [--json] [--quiet]
                    [--size HxW] [--resize <mode>] [--scale N] [--mean A,B,C] [--std A,B,C]
                    [--channels rgb|bgr] [--layout nchw|nhwc]

Top-1 accuracy of a classifier on IDX data (MNIST format, gzipped or not):
uint8 pixels scaled to [0, 1], fed as [N, 1, H, W] (or the model's input rank).
--json prints { accuracy, samples, correct, ms }.

With --compare, fidelity instead: both models run on the --calib inputs (the
forms compress --calib takes; up to --limit samples, default 1000) and their
first outputs are compared: top-1 agreement, mean and worst cosine, SQNR.

Progress goes to stderr; --quiet (-q) or --json turns it off.

${PREPROCESS_HELP}

Examples:
  condense eval model.onnx --images t10k-images-idx3-ubyte.gz --labels t10k-labels-idx1-ubyte.gz
  condense eval int8.onnx --images t10k-images-idx3-ubyte.gz --labels t10k-labels-idx1-ubyte.gz --batch 512 --limit 2000 --adapter wasm --json
  condense eval int8.onnx --compare model.onnx --calib images/ --size 224x224 --resize shorter --scale 1/255 --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225
  condense eval int8.onnx --compare model.onnx --calib calib.npy --channels bgr --layout nchw --quiet`;

export const EVAL_OPTIONS = {
  images: { type: 'string' },
  labels: { type: 'string' },
  adapter: { type: 'string' },
  batch: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  compare: { type: 'string' },
  calib: { type: 'string' },
  ...PREPROCESS_OPTIONS,
} as const;

export async function evaluate(args: string[], io: Streams): Promise<number> {
  const parsed = parseCommand('eval', args, EVAL_OPTIONS, EVAL_HELP, io);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const file = requireOne('eval', positionals, 'model file');
  const preprocess = parsePreprocess(values);
  if (values.compare) {
    return evalCompare({ reference: values.compare, candidate: file, data: values.calib, preprocess, adapter: parseAdapter(values.adapter), batch: values.batch, limit: values.limit, json: values.json ?? false, progress: progressFor(io, values.json || values.quiet) }, io);
  }
  const [flag] = Object.keys(preprocess);
  if (flag) throw new CondenseError('E_BAD_OPTION', `--${flag} describes --calib data, which eval reads with --compare; --images takes IDX files.`);
  if (!values.images || !values.labels) throw new CondenseError('E_BAD_OPTION', 'condense eval needs --images and --labels (IDX files, e.g. t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz).');
  const adapter = parseAdapter(values.adapter);
  const batchSize = wholeNumber('batch', values.batch, 256, 1);
  const [images, labels, model] = await Promise.all([readIdxFile(values.images), readIdxFile(values.labels), readModelFile(file)]);
  const limit = Math.min(wholeNumber('limit', values.limit, Number.MAX_SAFE_INTEGER, 1), images.shape[0] ?? 0);
  if (labels.rank !== 1 || labels.shape[0]! < limit) throw new CondenseError('E_BAD_OPTION', `${values.labels} holds ${labels.shape.join('x')} labels, fewer than the ${limit} images to score.`);
  const input = model.graph.inputs.find((v) => !v.const);
  if (!input) throw new CondenseError('E_BAD_OPTION', `${file} has no input to feed images to.`);
  const runtime = await runtimeFor(adapter);
  const t0 = performance.now();
  const subset = limit < images.shape[0]! ? Tensor.fromBytes(images.dtype, [limit, ...images.shape.slice(1)], images.bytes().subarray(0, (images.byteLength / images.shape[0]!) * limit)) : images;
  const progress = progressFor(io, values.json || values.quiet);
  const batches = countRows(idxImageBatches(subset, batchSize, input.type?.shape?.length ?? 4), (b) => b.shape[0]!, (done) => progress.update('evaluating', done, limit));
  const { accuracy, samples: seen, correct } = await top1Accuracy(runtime, model.graph, input.name, batches, labels.toNumbers());
  progress.end();
  const ms = performance.now() - t0;
  if (seen === 0) throw new CondenseError('E_BAD_OPTION', `${values.images} holds no images to score.`);
  if (values.json) io.out.write(`${JSON.stringify({ model: file, adapter, accuracy, samples: seen, correct, ms })}\n`);
  else io.out.write(`${file}: top-1 accuracy ${(accuracy * 100).toFixed(2)}% (${correct} of ${seen}) on ${adapter} in ${(ms / 1000).toFixed(1)} s\n`);
  return 0;
}
