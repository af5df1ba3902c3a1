import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // LiteRT.js needs browser globals (self, importScripts) that change how other
    // libraries detect their environment: every test file gets a process of its own.
    pool: 'forks',
    isolate: true,
    testTimeout: 60_000,
  },
});
