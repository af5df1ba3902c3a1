/** File-system helpers for Node: the main entry takes bytes, so it runs in browsers too. */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { CondenseError, type Model } from '@condense/core';
import { resolveInside } from '@condense/onnx/node';
import { importTfjs, parseModelJson } from '../import/index.js';
import type { ImportOptions } from '../import/options.js';

async function read(file: string, what: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CondenseError('E_FILE_NOT_FOUND', `${what} ${file} does not exist.`, { cause: e, context: { file } });
    throw new CondenseError('E_IO', `Could not read ${what} ${file}: ${(e as Error).message}`, { cause: e, context: { file } });
  }
}

/**
 * Reads a tfjs model from disk (a model.json, or the folder holding one, with
 * the weight shards its manifest names beside it) and imports it. Shard paths
 * must stay inside the model's folder.
 */
export async function loadTfjs(location: string, options: ImportOptions = {}): Promise<Model> {
  const isDir = await stat(location).then((s) => s.isDirectory(), () => false);
  const file = isDir ? path.join(location, 'model.json') : location;
  const folder = path.dirname(file);
  const json = parseModelJson(new TextDecoder().decode(await read(file, 'The tfjs model')));
  const weights: Record<string, Uint8Array> = {};
  for (const group of json.weightsManifest ?? []) {
    for (const p of group.paths) weights[p] ??= await read(resolveInside(folder, p, 'The weights manifest'), 'The weight shard');
  }
  try {
    return importTfjs({ modelJson: json, weights }, options);
  } catch (e) {
    if (e instanceof CondenseError && !e.context.file) throw new CondenseError(e.code, e.message, { cause: e.cause ?? e, context: { ...e.context, file } });
    throw e;
  }
}
