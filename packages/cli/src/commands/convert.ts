import { CondenseError, compress, createRegistry, summarizeModel } from '@condense/core';
import { parseCommand, requireOne, wholeNumber } from '../args.js';
import { formatBytes, type Streams } from '../io.js';
import { checkOutputPath } from '../output-path.js';
import { modelFormat, readModelFile, writeModelFile } from '../model-files.js';

const MAX_OPSET = 23;

export const CONVERT_HELP = `Usage: condense convert <in.onnx|in.tflite|model.json> -o <out.onnx|out.json> [--opset <n>] [--external-data]
                       [--force] [--layout nhwc|nchw]

Loads a model and saves it to -o (--output). --opset raises the default-domain opset to n (7 to 23),
rewriting the operators whose inputs or meaning changed on the way; it never
lowers one. --external-data keeps weights in <out.onnx>.data
beside the model (models over 2 GiB always do). The input is never overwritten
unless -o names it and --force is given. Writes are atomic.
A .tflite input (one condense exported) is read back into ONNX: NCHW inputs
and outputs, weights in ONNX layouts, int8 tensors as QuantizeLinear/
DequantizeLinear pairs; --layout nchw reads a file exported with --layout nchw.
A tfjs model.json (GraphModel or LayersModel, weight shards beside it, or the
folder holding it) is read as its NHWC inputs take it. An output ending in
.json is written as a tfjs GraphModel: out.json and its shard out.bin.

Examples:
  condense convert model.onnx -o copy.onnx --external-data
  condense convert old.onnx -o new.onnx --opset 17
  condense convert model.tflite -o model.onnx --layout nchw
  condense convert model.onnx -o model.onnx --opset 13 --force`;

export const CONVERT_OPTIONS = {
  output: { type: 'string', short: 'o' },
  'external-data': { type: 'boolean' },
  force: { type: 'boolean' },
  opset: { type: 'string' },
  layout: { type: 'string' },
} as const;

export async function convert(args: string[], io: Streams): Promise<number> {
  const parsed = parseCommand('convert', args, CONVERT_OPTIONS, CONVERT_HELP, io);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const input = requireOne('convert', positionals, 'input model');
  const output = await checkOutputPath(input, values.output, values.force ?? false);
  const opset = values.opset === undefined ? undefined : wholeNumber('opset', values.opset, 0, 7);
  if (opset !== undefined && opset > MAX_OPSET) throw new CondenseError('E_BAD_OPTION', `--opset ${opset} is newer than ${MAX_OPSET}, the newest this version knows.`);
  const layout = values.layout;
  if (layout !== undefined && (await modelFormat(input)) !== 'tflite') throw new CondenseError('E_BAD_OPTION', '--layout describes a .tflite input; this input is not.');
  if (layout !== undefined && layout !== 'nhwc' && layout !== 'nchw') throw new CondenseError('E_BAD_OPTION', `--layout must be nhwc or nchw; got "${layout}".`);
  const model = await readModelFile(input, { layout });
  if (opset !== undefined) await compress(model, { passes: [{ pass: 'upgrade-opset', options: { opset } }] }, { registry: createRegistry() });
  const saved = await writeModelFile(model, output, { externalData: values['external-data'], input });
  const s = summarizeModel(model);
  io.out.write(`wrote ${saved.model}${saved.externalData ? ` and ${saved.externalData}` : ''} (${formatBytes(saved.bytes)}, opset ${model.graph.opset[''] ?? '-'}, ${s.nodes} nodes, ${s.parameters} parameters)\n`);
  return 0;
}
