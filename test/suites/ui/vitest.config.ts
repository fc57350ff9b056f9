import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The dashboard in real headless Chromium against a real `sluice serve`. Slow by nature (the server
// converges through real processes), so one file at a time with generous timeouts.
export default defineConfig({
  root: fileURLToPath(new URL('../../..', import.meta.url)),
  test: {
    include: ['test/suites/ui/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
