import { defineConfig } from 'vitest/config';

// Metric gates against a real Prometheus scraping the sample service run by the process target.
// Run by .ci/suites/metrics.sh, which installs Debian's prometheus first.
export default defineConfig({
  test: {
    root: new URL('../../..', import.meta.url).pathname,
    include: ['test/suites/metrics/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
