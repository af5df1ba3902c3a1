/**
 * The HTML report in real headless Chromium (Debian's, driven by
 * playwright-core with the flags DESIGN.md lists): it renders every chart with
 * one bar per figure, runs no script, makes no request, and shows a node
 * named like markup as text.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuRuntime } from '@condense/adapter-cpu';
import { build } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, renderHtml, renderJson, renderMarkdown, renderReport, type CompressionReport } from '../src/index.js';
import { FASHION_CNN, compressed, hasFashion, testImages } from './fashion.js';

const CHROMIUM = '/usr/bin/chromium';
const HOSTILE = '<script>alert(1)</script>';
const available = existsSync(CHROMIUM) && hasFashion;
if (!available) console.log(`SKIP HTML report in Chromium: needs ${CHROMIUM} (apt-get install chromium) and Debian's Fashion-MNIST.`);

describe.skipIf(!available)('renderHtml in Chromium', () => {
  let report: CompressionReport;
  let html: string;
  let work: string;
  let context: BrowserContext;
  let page: Page;
  const requests: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    // The last layer gets a name that would run as a script if it reached the page unescaped.
    const m = await compressed(FASHION_CNN, 'int8-weights', (model) => {
      [...model.graph].find((n) => n.name === '/head/head.3/Gemm')!.name = HOSTILE;
    });
    const { batches, labels } = testImages(200);
    report = await buildReport({ before: m.before, after: m.after, passes: m.result.passes, runtime: cpuRuntime(), samples: batches.map((image) => ({ image })), labels, maxSamples: 200, latencyRuns: 2, input: 'fashion-cnn.onnx', output: 'out.onnx', recipe: 'preset int8-weights' });
    html = renderHtml(report);
    work = mkdtempSync(path.join(tmpdir(), 'condense-report-'));
    context = await chromium.launchPersistentContext(path.join(work, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // Any request at all is recorded and refused: the report must need none.
    await context.route('**/*', (route) => {
      requests.push(route.request().url());
      return route.abort();
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('request', (r) => requests.push(r.url()));
    await page.setContent(html, { waitUntil: 'load' });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('is one file without scripts or outside references', () => {
    expect(renderReport(report, 'html')).toBe(html);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href)=/i);
    expect(html).toContain(`&lt;script&gt;alert(1)&lt;/script&gt;`);
  });

  it('loads without console errors, dialogs or network requests', async () => {
    expect(await page.evaluate(() => document.querySelectorAll('script').length)).toBe(0);
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('draws every chart with one bar per figure, each visible', async () => {
    const finite = report.layers.filter((l) => l.sqnrDb !== null && Number.isFinite(l.sqnrDb)).length;
    const expected: Record<string, number> = {
      sqnr: finite,
      size: 2 * report.layers.length,
      sensitivity: report.sensitivity.filter((s) => Number.isFinite(s.score)).length,
      passes: report.passes.length,
    };
    // 7 layers: the stem is identical (no bar), six quantized or downstream of quantization.
    expect(expected).toEqual({ sqnr: 6, size: 14, sensitivity: 6, passes: report.passes.length });
    const drawn = await page.evaluate(() =>
      Array.from(document.querySelectorAll('svg[data-chart]')).map((svg) => {
        const box = svg.getBoundingClientRect();
        const bars = Array.from(svg.querySelectorAll('rect.bar')).map((r) => r.getBoundingClientRect());
        return { id: svg.getAttribute('data-chart'), width: box.width, height: box.height, bars: bars.length, visible: bars.filter((b) => b.width >= 1 && b.height >= 1).length };
      }),
    );
    expect(drawn.map((c) => c.id)).toEqual(['sqnr', 'size', 'sensitivity', 'passes']);
    for (const c of drawn) {
      expect(c.bars, c.id!).toBe(expected[c.id!]);
      expect(c.visible, c.id!).toBe(c.bars);
      expect(c.width, c.id!).toBeGreaterThan(300);
      expect(c.height, c.id!).toBeGreaterThan(20);
    }
    // Before and after bars of the largest layer: the int8 one about a quarter as long.
    const [before, after] = await page.evaluate(() => Array.from(document.querySelectorAll('svg[data-chart="size"] rect.bar')).slice(10, 12).map((r) => r.getBoundingClientRect().width));
    expect(after! / before!).toBeGreaterThan(0.2);
    expect(after! / before!).toBeLessThan(0.3);
  });

  it('shows the summary figures and a node named like markup as text', async () => {
    const cards = await page.evaluate(() => Array.from(document.querySelectorAll('[data-figure]')).map((c) => c.getAttribute('data-figure')));
    expect(cards).toEqual(['size', 'accuracy', 'fidelity', 'speed', 'MACs', 'parameters']);
    const cells = await page.evaluate(() => Array.from(document.querySelectorAll('#layers td')).map((td) => td.textContent));
    expect(cells).toContain(HOSTILE);
    const labels = await page.evaluate(() => Array.from(document.querySelectorAll('svg text.label title')).map((t) => t.textContent));
    expect(labels).toContain(HOSTILE);
    expect(await page.evaluate(() => document.querySelectorAll('#layers tbody tr').length)).toBe(7);
  });

  it('runs in the page too (as the playground uses it): the bundled package renders the same HTML and Markdown', async () => {
    const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'index.ts');
    const bundle = await build({ entryPoints: [entry], bundle: true, format: 'iife', globalName: 'condenseReport', platform: 'browser', write: false, logLevel: 'silent', target: 'es2022' });
    const page2 = await context.newPage();
    try {
      await page2.setContent('<!doctype html><meta charset="utf-8"><title>bundle</title>');
      await page2.addScriptTag({ content: bundle.outputFiles[0]!.text });
      const rendered = await page2.evaluate((json) => {
        const lib = (globalThis as unknown as { condenseReport: typeof import('../src/index.js') }).condenseReport;
        const r = lib.parseReport(json);
        return { html: lib.renderHtml(r), md: lib.renderMarkdown(r) };
      }, renderJson(report));
      expect(rendered.html).toBe(html);
      expect(rendered.md).toBe(renderMarkdown(report));
    } finally {
      await page2.close();
    }
  });
});
