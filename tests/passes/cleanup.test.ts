/**
 * The cleanup preset on real models: PaddleOCR det/rec/cls and every
 * convolution model of the ONNX backend suite. Outputs before and after must
 * agree in onnxruntime-node while the node count drops.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { compress, createRegistry, summarizeModel, type Tensor } from '@condense/core';
import { decodeModel, decodeTensor, encodeModelBytes } from '@condense/onnx';
import { describe, expect, it } from 'vitest';
import { compareOutputs, ort, toOrt } from '../helpers/ort.js';
import { PADDLE_ASSETS, PADDLE_MODELS, noiseInput, runOnce } from '../helpers/models.js';

const SUITE = '/usr/share/libonnx-testdata/data';
/** Relative tolerance of the issue's acceptance (|a-b| <= ATOL + RTOL*|b|). */
const RTOL = 1e-4;
const ATOL = 1e-5;

describe('cleanup preset on PaddleOCR models', () => {
  for (const m of PADDLE_MODELS) {
    it(`${m.file}: same outputs, fewer nodes`, async () => {
      const original = readFileSync(path.join(PADDLE_ASSETS, m.file));
      const model = decodeModel(original);
      const before = summarizeModel(model);
      const result = await compress(model, { preset: 'cleanup' }, { registry: createRegistry(), inputShapes: { x: m.shape } });
      const after = summarizeModel(model);
      const feeds = { x: noiseInput(m.shape) };
      const [a, b] = [await runOnce(original, feeds), await runOnce(encodeModelBytes(model), feeds)];
      const cmp = compareOutputs(b, a, RTOL, ATOL);
      console.log(`${m.file}: nodes ${before.nodes} -> ${after.nodes}; max abs difference ${cmp.maxAbs.toExponential(2)}, max relative ${cmp.maxRel.toExponential(2)}; ${result.passes.map((p) => `${p.pass} ${JSON.stringify(p.facts)}`).join('; ')}`);
      expect(cmp.ok).toBe(true);
      expect(after.nodes).toBeLessThan(before.nodes);
      expect(after.ops['Constant'] ?? 0).toBe(0);
      if (m.file.includes('cls')) expect(after.ops['BatchNormalization'] ?? 0).toBe(0);
    });
  }
});

describe.skipIf(!existsSync(SUITE))('cleanup preset on the convolution models of the ONNX backend suite', () => {
  it('keeps every output while removing nodes', async () => {
    const dirs = readdirSync(SUITE).flatMap((group) => readdirSync(path.join(SUITE, group)).map((d) => path.join(SUITE, group, d)));
    let models = 0;
    let nodesBefore = 0;
    let nodesAfter = 0;
    let worst = 0;
    const failures: string[] = [];
    for (const dir of dirs) {
      const file = path.join(dir, 'model.onnx');
      if (!existsSync(file) || !existsSync(path.join(dir, 'test_data_set_0'))) continue;
      const original = readFileSync(file);
      const model = decodeModel(original);
      const ops = summarizeModel(model).ops;
      if (!ops['Conv'] && !ops['ConvTranspose']) continue;
      const inputs = readdirSync(path.join(dir, 'test_data_set_0')).filter((f) => f.startsWith('input_')).sort();
      const graphInputs = model.graph.inputs.filter((v) => !v.const);
      const feeds: Record<string, ort.Tensor> = {};
      inputs.forEach((f, i) => (feeds[graphInputs[i]!.name] = toOrt(decodeTensor(readFileSync(path.join(dir, 'test_data_set_0', f))).tensor as Tensor)!));
      let reference;
      try {
        reference = await runOnce(original, feeds);
      } catch {
        continue; // onnxruntime does not run the original
      }
      models++;
      const before = summarizeModel(model).nodes;
      try {
        await compress(model, { preset: 'cleanup' }, { registry: createRegistry() });
        const after = await runOnce(encodeModelBytes(model), feeds);
        const cmp = compareOutputs(after, reference, RTOL, ATOL);
        worst = Math.max(worst, cmp.maxAbs);
        if (!cmp.ok) failures.push(`${dir}: max abs difference ${cmp.maxAbs}`);
      } catch (e) {
        failures.push(`${dir}: ${(e as Error).message}`);
      }
      nodesBefore += before;
      nodesAfter += summarizeModel(model).nodes;
    }
    console.log(`convolution models: ${models}, nodes ${nodesBefore} -> ${nodesAfter}, worst max abs difference ${worst.toExponential(2)}, failures ${failures.length}\n  ${failures.join('\n  ')}`);
    expect(models).toBeGreaterThan(40);
    expect(failures).toEqual([]);
  });
});
