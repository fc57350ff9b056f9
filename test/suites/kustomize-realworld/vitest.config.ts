import { defineConfig } from 'vitest/config';

// Sluice's Kustomize engine on public config repositories, compared byte for byte with
// `kustomize build`. See README.md.
export default defineConfig({
  test: {
    include: ['test/suites/kustomize-realworld/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
