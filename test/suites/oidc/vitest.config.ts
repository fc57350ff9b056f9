import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Single sign-on against a real Dex (test/dex) and, in browser.test.ts, real headless Chromium.
// Run by .ci/suites/oidc.sh; the first run builds Dex (minutes), later runs reuse it.
export default defineConfig({
  root: fileURLToPath(new URL('../../..', import.meta.url)),
  test: {
    include: ['test/suites/oidc/**/*.test.ts'],
    testTimeout: 60_000,
    // The first run builds Dex.
    hookTimeout: 1_200_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
