/**
 * A real browser for the adapters: bundles a page (page.ts for the WebGPU
 * adapter, page-tfjs.ts for the tfjs one) with esbuild, serves it and
 * onnxruntime-web's files from 127.0.0.1, and drives Debian's chromium with
 * playwright-core (flags from DESIGN.md: headless, SwiftShader WebGPU).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const ortDist = path.dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm'));
/** tfjs's backends are optional peers of adapter-tfjs, installed beside it: pages import them from there. */
const tfjsModules = path.join(path.dirname(require.resolve('@condense/adapter-tfjs')), '..', 'node_modules');

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.onnx': 'application/octet-stream', '.json': 'application/json' };

export interface BrowserHarness {
  page: Page;
  url: string;
  /** Serves these files under /models/<name>. */
  models: Map<string, string>;
  close(): Promise<void>;
}

/** Opens Chromium on a page that runs `entry` (a file in this folder), once it has set globalThis.pageReady. */
export async function openBrowser(entry = 'page.ts'): Promise<BrowserHarness> {
  const work = mkdtempSync(path.join(tmpdir(), 'condense-browser-'));
  const bundle = await build({ entryPoints: [path.join(here, entry)], bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent', target: 'es2022', nodePaths: [tfjsModules] });
  const script = bundle.outputFiles[0]!.contents;
  const models = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let body: Uint8Array | string | undefined;
    let file = url.pathname;
    if (file === '/' || file === '/index.html') {
      body = '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>';
      file = '/index.html';
    } else if (file === '/page.js') body = script;
    else if (file.startsWith('/ort/')) {
      const p = path.join(ortDist, path.basename(file));
      if (existsSync(p)) body = readFileSync(p);
    } else if (file.startsWith('/models/')) {
      const p = models.get(decodeURIComponent(file.slice('/models/'.length)));
      if (p) body = readFileSync(p);
    }
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const context: BrowserContext = await chromium.launchPersistentContext(path.join(work, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const url = `http://127.0.0.1:${port}/`;
  await page.goto(url);
  await page.waitForFunction(() => (globalThis as { pageReady?: boolean }).pageReady === true, undefined, { timeout: 30_000 });
  return {
    page,
    url,
    models,
    close: async () => {
      await context.close();
      await new Promise((r) => server.close(r));
      rmSync(work, { recursive: true, force: true });
    },
  };
}
