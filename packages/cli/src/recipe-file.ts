import { readFile } from 'node:fs/promises';
import { CondenseError } from '@condense/core';
import { parse as parseYaml } from 'yaml';

/** Reads a recipe file: JSON (.json) or YAML (anything else). Parse errors name the file and line. */
export async function readRecipeFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CondenseError('E_BAD_RECIPE', missing ? `Recipe ${file} does not exist.` : `Cannot read recipe ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new CondenseError('E_BAD_RECIPE', `Recipe ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`, { cause: e });
  }
}
