/**
 * adapter-webgpu in a real browser (Debian's chromium, SwiftShader WebGPU),
 * checked against adapter-cpu in Node on the generated CNN and PaddleOCR det.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor } from '@condense/core';
import { cpuRuntime } from '@condense/adapter-cpu';
import { loadModel } from '@condense/onnx/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PADDLE_ASSETS } from '../helpers/models.js';
import { CHROMIUM, openBrowser, type BrowserHarness } from './harness.js';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`SKIP WebGPU browser tests: ${CHROMIUM} is missing (apt-get install chromium).`);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The models, with the input to feed and an intermediate value to fetch as well (the first Conv's output). */
const CASES = [
  { name: 'generated CNN (tools/fixtures/tiny-cnn.onnx)', file: path.join(root, 'tools', 'fixtures', 'tiny-cnn.onnx'), input: 'image', shape: [2, 1, 28, 28] },
  { name: 'PaddleOCR det (PP-OCRv4)', file: path.join(PADDLE_ASSETS, 'ch_PP-OCRv4_det_infer.onnx'), input: 'x', shape: [1, 3, 96, 128] },
];

function inputData(shape: number[]): number[] {
  const n = shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, (_, i) => ((i * 2654435761) % 1000) / 1000);
}

describe.skipIf(!hasChromium)('adapter-webgpu in Chromium', () => {
  let browser: BrowserHarness;
  beforeAll(async () => {
    browser = await openBrowser();
  }, 60_000);
  afterAll(async () => browser?.close());

  it('has a WebGPU adapter', async () => {
    const info = await browser.page.evaluate(() => (globalThis as unknown as { adapterInfo(): Promise<string> }).adapterInfo());
    console.log(`WebGPU adapter: ${info}`);
    expect(info).not.toBe('none');
  });

  it('passes the runtime conformance suite in the page', async () => {
    const results = await browser.page.evaluate(() => (globalThis as unknown as { runConformance(): Promise<Array<{ name: string; error?: string }>> }).runConformance());
    console.log(`webgpu conformance: ${results.filter((r) => !r.error).length}/${results.length} checks passed`);
    expect(results.length).toBeGreaterThanOrEqual(8);
    expect(results.filter((r) => r.error)).toEqual([]);
  }, 120_000);

  for (const c of CASES) {
    it(`${c.name}: matches adapter-cpu within 1e-4`, async () => {
      browser.models.set(path.basename(c.file), c.file);
      const data = inputData(c.shape);
      const model = await loadModel(c.file);
      const outputName = model.graph.outputs[0]!.name;
      const fetches = [outputName, [...model.graph].find((n) => n.op === 'Conv')!.output.name];
      const t0 = performance.now();
      const gpu = await browser.page.evaluate(
        ([url, input, shape, values, f]) => (globalThis as unknown as { runModel(...a: unknown[]): Promise<Record<string, { shape: number[]; data: number[] }>> }).runModel(url, input, shape, values, f),
        [`/models/${path.basename(c.file)}`, c.input, c.shape, data, fetches] as const,
      );
      const ms = performance.now() - t0;
      const session = await cpuRuntime().createSession(model.graph);
      const cpu = await session.run({ [c.input]: Tensor.from('float32', c.shape, Float32Array.from(data)) }, fetches);
      await session.release();
      for (const name of fetches) {
        const a = gpu[name]!;
        const b = cpu[name]!.data<'float32'>();
        expect(a.shape).toEqual([...cpu[name]!.shape]);
        let maxAbs = 0;
        for (let i = 0; i < b.length; i++) maxAbs = Math.max(maxAbs, Math.abs(a.data[i]! - b[i]!));
        console.log(`${c.name}: ${name} [${a.shape.join(', ')}] webgpu vs cpu max abs difference ${maxAbs.toExponential(2)} (browser run ${ms.toFixed(0)} ms)`);
        expect(maxAbs).toBeLessThanOrEqual(1e-4);
      }
    }, 120_000);
  }
});
