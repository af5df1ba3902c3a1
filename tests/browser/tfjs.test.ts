/**
 * adapter-tfjs in a real browser (Debian's chromium; SwiftShader provides
 * both WebGL and WebGPU): the runtime conformance suite on the webgl and
 * webgpu backends, and a model exported to a tfjs GraphModel, served over
 * HTTP and loaded with tf.loadGraphModel, checked against onnxruntime-node.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuRuntime } from '@condense/adapter-cpu';
import { exportTfjs, type TfjsBackend } from '@condense/adapter-tfjs';
import { Tensor } from '@condense/core';
import { loadModel } from '@condense/onnx/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, openBrowser, type BrowserHarness } from './harness.js';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`SKIP tfjs browser tests: ${CHROMIUM} is missing (apt-get install chromium).`);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TINY_CNN = path.join(root, 'tools', 'fixtures', 'tiny-cnn.onnx');
const BACKENDS: TfjsBackend[] = ['webgl', 'webgpu'];

type Page = {
  unavailable(b: TfjsBackend): Promise<string | undefined>;
  runConformance(b: TfjsBackend): Promise<Array<{ name: string; error?: string }>>;
  runGraphModel(url: string, b: TfjsBackend, shape: number[], data: number[]): Promise<{ shape: number[]; data: number[]; backend: string }>;
};

/** NCHW values in NHWC order (the exported model takes tfjs's layout). */
function toNhwc(data: Float32Array, [n, c, h, w]: number[]): number[] {
  const out = new Array<number>(data.length);
  for (let b = 0; b < n!; b++) for (let k = 0; k < c!; k++) for (let y = 0; y < h!; y++) for (let x = 0; x < w!; x++) out[((b * h! + y) * w! + x) * c! + k] = data[((b * c! + k) * h! + y) * w! + x]!;
  return out;
}

describe.skipIf(!hasChromium)('adapter-tfjs in Chromium', () => {
  let browser: BrowserHarness;
  const work = mkdtempSync(path.join(tmpdir(), 'condense-tfjs-browser-'));
  const page = <K extends keyof Page>(fn: K, ...args: Parameters<Page[K]>) =>
    browser.page.evaluate(([f, a]) => (globalThis as unknown as Record<string, (...x: unknown[]) => unknown>)[f]!(...(a as unknown[])), [fn, args] as const) as ReturnType<Page[K]>;

  beforeAll(async () => {
    browser = await openBrowser('page-tfjs.ts');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** Runs `body` when the backend starts in this browser; otherwise prints why and skips. */
  const onBackend = (backend: TfjsBackend, body: () => Promise<void>) => async (ctx: { skip(note?: string): void }) => {
    const why = await page('unavailable', backend);
    if (why) {
      console.log(`SKIP tfjs ${backend} in Chromium: the backend does not start here (${why}).`);
      ctx.skip(why);
      return;
    }
    await body();
  };

  for (const backend of BACKENDS) {
    it(`tfjs-${backend}: passes the runtime conformance suite`, onBackend(backend, async () => {
      const results = await page('runConformance', backend);
      console.log(`tfjs-${backend} conformance: ${results.filter((r) => !r.error).length}/${results.length} checks passed`);
      expect(results.length).toBeGreaterThanOrEqual(8);
      expect(results.filter((r) => r.error)).toEqual([]);
    }), 300_000);

    it(`tfjs-${backend}: the generated CNN exported to tfjs, loaded with tf.loadGraphModel over HTTP, matches onnxruntime-node within 1e-4`, onBackend(backend, async () => {
      const model = await loadModel(TINY_CNN);
      for (const a of exportTfjs(model)) {
        const file = path.join(work, `${backend}-${a.name}`);
        writeFileSync(file, a.bytes);
        browser.models.set(`${backend}/${a.name}`, file);
      }
      const shape = [2, 1, 28, 28];
      const data = Float32Array.from({ length: 2 * 28 * 28 }, (_, i) => ((i * 2654435761) % 1000) / 1000);
      const session = await cpuRuntime().createSession(model.graph);
      const expected = (await session.run({ image: Tensor.from('float32', shape, data) }))[session.outputNames[0]!]!;
      await session.release();
      const t0 = performance.now();
      const got = await page('runGraphModel', `/models/${backend}/model.json`, backend, [2, 28, 28, 1], toNhwc(data, shape));
      const ms = performance.now() - t0;
      const want = expected.data<'float32'>();
      expect(got.backend).toBe(backend);
      expect(got.shape).toEqual([...expected.shape]);
      let diff = 0;
      for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(got.data[i]! - want[i]!));
      console.log(`tiny CNN exported to tfjs on ${backend} vs onnxruntime-node: max abs diff ${diff.toExponential(2)} (outputs up to ${Math.max(...Array.from(want, Math.abs)).toFixed(2)}; load and run ${ms.toFixed(0)} ms)`);
      expect(diff).toBeLessThanOrEqual(1e-4);
    }), 120_000);
  }
});
