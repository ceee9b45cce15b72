import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/helpers/cleanup.setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Files run in parallel; each has its own database and queue prefix.
    pool: 'forks',
    // Tests build their own data: run them in a random order so a new dependency shows up.
    sequence: { shuffle: true },
  },
});
