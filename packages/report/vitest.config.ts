import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Reports run two models in onnxruntime-node and launch Chromium; on a shared 2-core machine
    // a step can take longer than vitest's 5 s default without anything being wrong.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
