import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { CondenseError } from '@condense/core';

/** Checks -o before any work: given, not a folder, and not the input unless --force ('never' for commands that have none). */
export async function checkOutputPath(input: string, output: string | undefined, force: boolean | 'never'): Promise<string> {
  if (!output) throw new CondenseError('E_BAD_OPTION', 'No output file: add -o <out.onnx>.');
  const info = await stat(output).catch(() => undefined);
  if (info?.isDirectory()) throw new CondenseError('E_BAD_OPTION', `Output ${output} is a folder; name a file, e.g. -o ${path.join(output, path.basename(input))}.`);
  const same = info && (await realpath(output)) === (await realpath(input).catch(() => path.resolve(input)));
  if (same && force !== true) {
    const hint = force === 'never' ? '' : ', or add --force to replace the input';
    throw new CondenseError('E_OUTPUT_EXISTS', `Output ${output} is the input model; choose another -o${hint}.`);
  }
  const parent = await stat(path.dirname(path.resolve(output))).catch(() => undefined);
  if (!parent?.isDirectory()) throw new CondenseError('E_BAD_OPTION', `The folder of output ${output} does not exist.`);
  return output;
}
