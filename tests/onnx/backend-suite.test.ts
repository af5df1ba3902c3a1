/**
 * Round trip over the ONNX project's backend test suite (Debian package
 * libonnx-testdata): every model onnxruntime-node runs must, after a load and
 * save through condense, still run, give the expected outputs as the original
 * does, and keep every tensor's bytes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Model, Tensor } from '@condense/core';
import { describe, expect, it } from 'vitest';
import { decodeModel, decodeTensor, encodeModelBytes } from '@condense/onnx';
import { allClose, ort, toOrt } from '../helpers/ort.js';
import { sameTensors } from '../helpers/tensors.js';

const ROOT = '/usr/share/libonnx-testdata/data';
const available = existsSync(ROOT);
if (!available) console.log(`SKIP backend suite: ${ROOT} is missing (apt-get install libonnx-testdata)`);

interface Case { name: string; dir: string }

function cases(): Case[] {
  return readdirSync(ROOT).flatMap((group) =>
    readdirSync(path.join(ROOT, group))
      .filter((d) => existsSync(path.join(ROOT, group, d, 'model.onnx')))
      .map((d) => ({ name: `${group}/${d}`, dir: path.join(ROOT, group, d) })),
  );
}

async function runModel(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'basic', logSeverityLevel: 4 });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

function readDataSet(dir: string, prefix: 'input' | 'output'): Tensor[] | undefined {
  const set = path.join(dir, 'test_data_set_0');
  if (!existsSync(set)) return undefined;
  const files = readdirSync(set).filter((f) => f.startsWith(`${prefix}_`)).sort((a, b) => parseInt(a.slice(prefix.length + 1)) - parseInt(b.slice(prefix.length + 1)));
  return files.map((f) => decodeTensor(readFileSync(path.join(set, f))).tensor);
}

describe.skipIf(!available)('ONNX backend test suite round trip', () => {
  it('loads, saves and reruns at least 99% of the models onnxruntime runs', async () => {
    const counts = { models: 0, loaded: 0, saved: 0, bytesKept: 0, ortRunsOriginal: 0, run: 0, matched: 0 };
    const exceptions: string[] = [];
    const notRunByOrt: string[] = [];
    for (const c of cases()) {
      counts.models++;
      const original = readFileSync(path.join(c.dir, 'model.onnx'));
      let model: Model;
      let saved: Uint8Array;
      try {
        model = decodeModel(original, { fileName: c.name });
        counts.loaded++;
        saved = encodeModelBytes(model);
        counts.saved++;
      } catch (e) {
        exceptions.push(`${c.name}: load/save failed: ${(e as Error).message}`);
        continue;
      }
      if (sameTensors(model, decodeModel(saved))) counts.bytesKept++;
      else exceptions.push(`${c.name}: tensor bytes changed in the round trip`);

      const graphInputs = model.graph.inputs.filter((v) => !v.const);
      let inputs: Tensor[] | undefined;
      let expected: Tensor[] | undefined;
      try {
        inputs = readDataSet(c.dir, 'input');
        expected = readDataSet(c.dir, 'output');
      } catch {
        inputs = undefined;
      }
      const feeds: Record<string, ort.Tensor> = {};
      const usable = inputs && expected && inputs.length <= graphInputs.length && graphInputs.every((v) => v.type) &&
        inputs.every((t, i) => {
          const o = toOrt(t);
          if (o) feeds[graphInputs[i]!.name] = o;
          return !!o;
        });
      if (!usable) {
        notRunByOrt.push(`${c.name}: test inputs are not plain tensors this harness feeds`);
        continue;
      }
      let reference: Record<string, ort.Tensor>;
      try {
        reference = await runModel(original, feeds);
      } catch (e) {
        notRunByOrt.push(`${c.name}: onnxruntime rejects the original (${(e as Error).message.split('\n')[0]!.slice(0, 120)})`);
        continue;
      }
      counts.ortRunsOriginal++;
      let result: Record<string, ort.Tensor>;
      try {
        result = await runModel(saved, feeds);
        counts.run++;
      } catch (e) {
        exceptions.push(`${c.name}: onnxruntime rejects the saved model: ${(e as Error).message.split('\n')[0]}`);
        continue;
      }
      const outNames = model.graph.outputs.map((v) => v.name);
      const originalMatches = expected!.every((t, i) => { const o = toOrt(t); return o && reference[outNames[i]!] && allClose(reference[outNames[i]!]!, o).ok; });
      const savedMatches = expected!.every((t, i) => { const o = toOrt(t); return o && result[outNames[i]!] && allClose(result[outNames[i]!]!, o).ok; });
      const sameAsOriginal = outNames.every((n) => reference[n] && result[n] && allClose(result[n], reference[n], 0, 0).ok);
      if (savedMatches === originalMatches || sameAsOriginal) counts.matched++;
      else exceptions.push(`${c.name}: outputs differ from the original's`);
    }
    console.log(`backend suite: ${JSON.stringify(counts)}`);
    console.log(`exceptions (${exceptions.length}):\n  ${exceptions.join('\n  ')}`);
    console.log(`not run by onnxruntime itself (${notRunByOrt.length}), first 20:\n  ${notRunByOrt.slice(0, 20).join('\n  ')}`);
    expect(counts.models).toBeGreaterThan(1000);
    expect(counts.loaded / counts.models).toBeGreaterThanOrEqual(0.99);
    expect(counts.bytesKept).toBe(counts.saved);
    expect(counts.matched / counts.ortRunsOriginal).toBeGreaterThanOrEqual(0.99);
  }, 600_000);
});
