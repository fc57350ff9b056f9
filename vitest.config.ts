import { defineConfig } from 'vitest/config';

// `npm test`: unit and integration tests (real git, real processes, real SQLite).
// Heavier suites (kustomize conformance, Kubernetes, browser) have their own configs under
// test/suites/ and are run by .ci/run.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/integration/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
