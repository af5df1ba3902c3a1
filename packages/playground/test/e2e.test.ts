/**
 * The playground end to end: the page built with Vite, served from 127.0.0.1,
 * driven in Debian's Chromium (SwiftShader WebGPU). It compresses the
 * Fashion-MNIST CNN with int8-weights, and its figures, download and
 * side-by-side runs are checked against the same work in Node.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataOf, figure, finishStep } from './helpers/page.js';
import { FASHION, compressInNode, top1Agreement, unsupportedOpModel } from './helpers/reference.js';
import { serveFolder } from './helpers/serve.js';

const CHROMIUM = '/usr/bin/chromium';
const here = path.dirname(fileURLToPath(import.meta.url));
const packageDir = path.resolve(here, '..');
const MODEL = path.resolve(packageDir, '..', '..', 'tools', 'fixtures', 'fashion-cnn.onnx');
const PRESET = 'int8-weights';
/** The same code encodes the model in the page and in Node, so sizes should match; 0.5% leaves room for metadata such as a producer version. */
const SIZE_RATIO_TOLERANCE = 0.005;

const hasChromium = existsSync(CHROMIUM);
const hasFashion = existsSync(path.join(FASHION, 't10k-images-idx3-ubyte.gz'));
if (!hasChromium) console.log(`SKIP playground end-to-end test: ${CHROMIUM} is missing (apt-get install chromium).`);
if (hasChromium && !hasFashion) console.log(`SKIP the Fashion-MNIST agreement check: ${FASHION} is missing (apt-get install dataset-fashion-mnist).`);

describe.skipIf(!hasChromium)('the playground in Chromium', () => {
  let work: string;
  let server: { url: string; close(): Promise<void> };
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  let downloaded: Uint8Array | undefined;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'condense-playground-'));
    const t0 = performance.now();
    await build({ root: packageDir, configFile: path.join(packageDir, 'vite.config.ts'), logLevel: 'warn', build: { outDir: path.join(work, 'site') } });
    console.log(`vite build: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    server = await serveFolder(path.join(work, 'site'));
    context = await chromium.launchPersistentContext(path.join(work, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      acceptDownloads: true,
      args: ['--headless', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // Nothing beyond the page's own origin: the ORT binaries must come from it too.
    await context.route(/.*/, (route) => (route.request().url().startsWith(server.url) || route.request().url().startsWith('data:') || route.request().url().startsWith('blob:') ? route.continue() : route.abort()));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    expect(await page.$eval('#error', (e) => (e as HTMLElement).hidden)).toBe(true);
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it(`compresses fashion-cnn.onnx with ${PRESET}: the size ratio and parameters match Node, the report measures fidelity`, async () => {
    expect(await finishStep(page, () => page.setInputFiles('#model-file', MODEL))).toBe('');
    await page.selectOption('#preset', PRESET);
    const t0 = performance.now();
    expect(await finishStep(page, () => page.click('#compress'))).toBe('');
    console.log(`compress + report in the page: ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const original = readFileSync(MODEL);
    const node = await compressInNode(original, PRESET);
    const size = await figure(page, 'size');
    const nodeRatio = node.bytes / original.byteLength;
    console.log(`size: page ${size['before']} -> ${size['after']} bytes (ratio ${Number(size['ratio']).toFixed(4)}), Node ${original.byteLength} -> ${node.bytes} (ratio ${nodeRatio.toFixed(4)})`);
    expect(Number(size['before'])).toBe(original.byteLength);
    expect(Math.abs(Number(size['ratio']) - nodeRatio) / nodeRatio).toBeLessThanOrEqual(SIZE_RATIO_TOLERANCE);

    const parameters = await figure(page, 'parameters');
    console.log(`parameters: page ${parameters['before']} -> ${parameters['after']}, Node ${node.parameters}`);
    expect(Number(parameters['after'])).toBe(node.parameters);

    const fidelity = await figure(page, 'fidelity');
    console.log(`fidelity: ${fidelity.text}`);
    expect(Number(fidelity['samples'])).toBeGreaterThanOrEqual(8);
    // int8 weights move the logits a little; on generated inputs the top class still agrees almost everywhere.
    expect(Number(fidelity['top1'])).toBeGreaterThanOrEqual(0.95);
    expect(Number(fidelity['sqnr'])).toBeGreaterThan(20);
    const summary = await page.$eval('#summary-text', (e) => e.textContent ?? '');
    console.log(`summary:\n${summary}`);
    // formatSummary's lines: the size ratio and the fidelity it measured.
    expect(summary).toMatch(/\d+(\.\d+)?x smaller/);
    expect(summary).toMatch(/top-1/);
    const reportHtml = await page.$eval('#report', (e) => (e as HTMLIFrameElement).srcdoc);
    expect(reportHtml).toMatch(/<html|<!doctype/i);
  });

  it('downloads the compressed model, which agrees with the original on Fashion-MNIST in onnxruntime-node', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    expect(download.suggestedFilename()).toBe(`fashion-cnn.${PRESET}.onnx`);
    downloaded = readFileSync((await download.path())!);
    expect(downloaded.byteLength).toBe(Number((await figure(page, 'size'))['after']));
    if (!hasFashion) return;
    const result = await top1Agreement(readFileSync(MODEL), downloaded, 1000);
    console.log(`downloaded model vs original on ${result.images} Fashion-MNIST test images: top-1 agreement ${(result.agreement * 100).toFixed(2)}%, accuracy ${(result.accuracy * 100).toFixed(1)}%`);
    expect(result.images).toBeGreaterThanOrEqual(500);
    expect(result.agreement).toBeGreaterThanOrEqual(0.99);
  });

  it('runs both models side by side on WASM, then on WebGPU, which matches WASM', async () => {
    // SwiftShader runs WebGPU on the CPU, about 0.5 s a batch here: fewer timed runs keep the test short.
    for (const [backend, runs] of [['wasm', 10], ['webgpu', 3]] as const) {
      await page.selectOption('#backend', backend);
      await page.fill('#runs', String(runs));
      expect(await finishStep(page, () => page.click('#compare'))).toBe('');
      const row = await dataOf(page, `#comparison tr[data-backend="${backend}"]`);
      console.log(`${backend}: ${row.text}`);
      expect(Number(row['beforeMs'])).toBeGreaterThan(0);
      expect(Number(row['afterMs'])).toBeGreaterThan(0);
      expect(Number(row['samples'])).toBeGreaterThanOrEqual(8);
      expect(Number(row['top1'])).toBeGreaterThanOrEqual(0.95);
      // The original model on WebGPU against itself on WASM: float kernels differ only in rounding.
      if (backend === 'webgpu') expect(Number(row['vsWasm'])).toBeLessThanOrEqual(1e-4);
    }
  });

  it('shows the CondenseError for a file that is not ONNX, a truncated model and an unsupported op', async () => {
    // Dropped, as a user would drag it in.
    const notOnnx = await finishStep(page, () =>
      page.evaluate(() => {
        const files = new DataTransfer();
        files.items.add(new File(['these are notes, not a model'], 'notes.onnx'));
        document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: files, bubbles: true, cancelable: true }));
      }),
    );
    expect(notOnnx).toMatch(/^E_ONNX_PARSE: notes\.onnx is not a valid ONNX file/);
    const truncated = await finishStep(page, () => page.setInputFiles('#model-file', { name: 'cut.onnx', mimeType: 'application/octet-stream', buffer: readFileSync(MODEL).subarray(0, 900_000) }));
    expect(truncated).toMatch(/^E_ONNX_PARSE: cut\.onnx is not a valid ONNX file .*truncated/);
    const unsupported = await finishStep(page, () => page.setInputFiles('#model-file', { name: 'custom.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from(unsupportedOpModel()) }));
    expect(unsupported).toMatch(/^E_UNSUPPORTED_OP: custom\.onnx cannot run in this page: .*com\.example\.Frobnicate/);
    console.log(`errors shown:\n${[notOnnx, truncated, unsupported].join('\n')}`);
    expect(await page.$eval('#compress', (e) => (e as HTMLButtonElement).disabled)).toBe(true);
    // The page still works: the model loads again.
    expect(await finishStep(page, () => page.setInputFiles('#model-file', MODEL))).toBe('');
  });

  it('logged no console error and no page error', () => {
    expect(problems).toEqual([]);
  });
});
