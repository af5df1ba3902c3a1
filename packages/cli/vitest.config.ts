import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Tests run the built CLI in child processes, several files at once: on a 2-core machine one
    // command can take longer than vitest's 5 s default without anything being wrong.
    testTimeout: 30_000,
  },
});
