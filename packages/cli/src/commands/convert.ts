import { summarizeModel } from '@condense/core';
import { loadModel, saveModel } from '@condense/onnx/node';
import { parseCommand, requireOne } from '../args.js';
import { formatBytes, type Streams } from '../io.js';
import { checkOutputPath } from '../output-path.js';

export const CONVERT_HELP = `Usage: condense convert <in.onnx> -o <out.onnx> [--external-data] [--force]

Loads and saves a model. --external-data keeps weights in <out.onnx>.data
beside the model (models over 2 GiB always do). The input is never overwritten
unless -o names it and --force is given. Writes are atomic.`;

export async function convert(args: string[], io: Streams): Promise<number> {
  const parsed = parseCommand('convert', args, {
    output: { type: 'string', short: 'o' },
    'external-data': { type: 'boolean' },
    force: { type: 'boolean' },
  }, CONVERT_HELP, io);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const input = requireOne('convert', positionals, 'input model');
  const output = await checkOutputPath(input, values.output, values.force ?? false);
  const model = await loadModel(input);
  const saved = await saveModel(model, output, { externalData: values['external-data'] });
  const s = summarizeModel(model);
  io.out.write(`wrote ${saved.model}${saved.externalData ? ` and ${saved.externalData}` : ''} (${formatBytes(saved.bytes)}, ${s.nodes} nodes, ${s.parameters} parameters)\n`);
  return 0;
}
