import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The end-to-end test builds the page, starts Chromium and runs models in it: on a loaded
    // 2-core machine one step can take tens of seconds without anything being wrong.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
