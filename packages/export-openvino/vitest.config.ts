import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // onnxruntime-node is a native addon: a process per test file keeps each one's sessions apart.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
