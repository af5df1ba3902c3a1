/**
 * Serves onnxruntime-web's WebAssembly builds from the page's own origin under
 * /ort/ (the adapters' wasmPaths), in `vite` and `vite build` alike, so the
 * page never reaches for a CDN. The bundler does not see these files: the
 * adapters load them at run time by URL.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Plugin } from 'vite';

/** The builds the page loads: JSEP for the WASM EP ('onnxruntime-web'), asyncify for WebGPU ('onnxruntime-web/webgpu'). */
export const ORT_FILES = ['ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm', 'ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'];
export const ORT_PREFIX = 'ort/';

const require = createRequire(import.meta.url);
const ortDist = path.dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm'));

export function contentType(file: string): string {
  return file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
}

export function ortFiles(): Plugin {
  return {
    name: 'condense-ort-files',
    configureServer(server) {
      // Registered before Vite's own middleware, so Vite never tries to transform the glue .mjs.
      server.middlewares.use((req, res, next) => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const base = server.config.base + ORT_PREFIX;
        const name = url.pathname.startsWith(base) ? url.pathname.slice(base.length) : '';
        if (!ORT_FILES.includes(name)) return next();
        res.setHeader('content-type', contentType(name));
        createReadStream(path.join(ortDist, name)).pipe(res);
      });
    },
    generateBundle() {
      for (const name of ORT_FILES) this.emitFile({ type: 'asset', fileName: ORT_PREFIX + name, source: readFileSync(path.join(ortDist, name)) });
    },
  };
}
