import { CondenseError, summarizeModel, type Dim, type DType } from '@condense/core';
import { parseCommand, parseInputShapes, requireOne } from '../args.js';
import { formatBytes, formatCount, table, type Streams } from '../io.js';
import { modelBytes, readModelFile } from '../model-files.js';

export const INSPECT_HELP = `Usage: condense inspect <model.onnx|model.tflite|model.json> [--json] [--input-shape name=d0,d1,...] [--largest N]

Shows a model's inputs and outputs, op histogram, parameters and bytes per
element type, the largest tensors and its opset imports. With --input-shape
(repeatable) the shapes are pinned and inferred through the graph first.
--json prints one JSON object (nodes, ops, parameters, inputs, outputs, ...).
--largest N lists the N largest tensors (default 10).

Examples:
  condense inspect model.onnx
  condense inspect model.onnx --input-shape x=1,3,224,224 --largest 5
  condense inspect model.onnx --json`;

export const INSPECT_OPTIONS = {
  json: { type: 'boolean' },
  'input-shape': { type: 'string', multiple: true },
  largest: { type: 'string' },
} as const;

export async function inspect(args: string[], io: Streams): Promise<number> {
  const parsed = parseCommand('inspect', args, INSPECT_OPTIONS, INSPECT_HELP, io);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const file = requireOne('inspect', positionals, 'model file');
  const model = await readModelFile(file, { inputShapes: parseInputShapes(values['input-shape']) });
  const largest = values.largest === undefined ? 10 : Number(values.largest);
  if (!Number.isInteger(largest) || largest < 0) throw new CondenseError('E_BAD_OPTION', `--largest must be a whole number (how many tensors to list); got "${values.largest}".`);
  const summary = summarizeModel(model, { largest });
  const fileBytes = await modelBytes(file);
  if (values.json) {
    io.out.write(`${JSON.stringify({ file, fileBytes, ...summary }, null, 2)}\n`);
    return 0;
  }
  const shape = (s?: Dim[]) => (s ? `[${s.join(', ')}]` : '[?]');
  const io_ = (list: Array<{ name: string; dtype?: DType; shape?: Dim[] }>) => table(list.map((v) => [v.name, v.dtype ?? '?', shape(v.shape)]), '    ');
  const opsets = Object.entries(summary.opsets).map(([d, v]) => `${d || 'ai.onnx'} ${v}`).join(', ');
  const lines = [
    `${file}  ${formatBytes(fileBytes)}`,
    `  IR version ${summary.irVersion}, opsets: ${opsets}${summary.producer ? `, producer: ${summary.producer}` : ''}`,
    `  nodes: ${formatCount(summary.nodes)}   parameters: ${formatCount(summary.parameters)} (${formatBytes(summary.parameterBytes)})`,
    '',
    '  inputs:',
    io_(summary.inputs),
    '  outputs:',
    io_(summary.outputs),
    '',
    '  weights by element type:',
    table([['dtype', 'tensors', 'parameters', 'bytes'], ...Object.entries(summary.byDType).map(([d, s]) => [d, formatCount(s.tensors), formatCount(s.parameters), formatBytes(s.bytes)])], '    '),
    '',
    '  ops:',
    table(Object.entries(summary.ops).map(([op, n]) => [op, formatCount(n)]), '    '),
    '',
    '  largest tensors:',
    table(summary.largestTensors.map((t) => [t.name, t.dtype, shape(t.shape), formatBytes(t.bytes)]), '    '),
  ];
  io.out.write(`${lines.join('\n')}\n`);
  return 0;
}
