/** loadTfjs reads model.json and its shards from disk, and never outside the model's folder. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTfjs } from '../src/node/index.js';
import { fusedGraphModel } from './helpers/fixtures.js';

const root = mkdtempSync(path.join(tmpdir(), 'condense-tfjs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writeModel(folder: string, shardPath = 'group1-shard1of1.bin'): string {
  mkdirSync(folder, { recursive: true });
  const { modelJson, weights } = fusedGraphModel();
  modelJson.weightsManifest[0]!.paths = [shardPath];
  writeFileSync(path.join(folder, 'model.json'), JSON.stringify(modelJson));
  writeFileSync(path.resolve(folder, shardPath), weights);
  return folder;
}

describe('loadTfjs', () => {
  it('reads a model folder or its model.json', async () => {
    const folder = writeModel(path.join(root, 'ok'));
    const fromFolder = await loadTfjs(folder);
    const fromFile = await loadTfjs(path.join(folder, 'model.json'));
    expect(fromFolder.graph.outputs.map((v) => v.name)).toEqual(['Identity']);
    expect(fromFile.graph.nodeCount).toBe(fromFolder.graph.nodeCount);
  });

  it('refuses shards outside the model folder', async () => {
    mkdirSync(path.join(root, 'evil', 'model'), { recursive: true });
    const folder = writeModel(path.join(root, 'evil', 'model'), '../stolen.bin');
    await expect(loadTfjs(folder)).rejects.toMatchObject({ code: 'E_PATH_ESCAPE' });
  });

  it('says which file is missing', async () => {
    await expect(loadTfjs(path.join(root, 'nothing-here'))).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND' });
    const folder = writeModel(path.join(root, 'no-shard'));
    rmSync(path.join(folder, 'group1-shard1of1.bin'));
    await expect(loadTfjs(folder)).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND', context: { file: path.join(folder, 'group1-shard1of1.bin') } });
  });
});
