import { defaultClientConditions, defineConfig } from 'vite';
import { ortFiles } from './vite/ort-files.js';

export default defineConfig({
  // Relative asset URLs: the built page works from any folder it is served from.
  base: './',
  resolve: {
    // onnxruntime-web's builds that load their .wasm and glue from wasmPaths (served by ortFiles)
    // instead of the "bundle" builds, whose new URL(..., import.meta.url) would make Vite copy the
    // 28 MB binaries into assets a second time.
    conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions],
  },
  worker: { format: 'es' },
  // No gzip report: it would compress the 55 MB of onnxruntime binaries on every build.
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2048, reportCompressedSize: false },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  plugins: [ortFiles()],
});
