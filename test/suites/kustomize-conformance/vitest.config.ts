import { defineConfig } from 'vitest/config';

// The Kustomize conformance suite: every recorded krusty case and our own cases, built by
// Sluice's engine and compared byte for byte with `kustomize build`. See README.md.
export default defineConfig({
  test: {
    include: ['test/suites/kustomize-conformance/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
