import { defineConfig } from 'vitest/config';

// The store suite against a real PostgreSQL. Run by .ci/suites/postgres.sh, which installs
// Debian's postgresql when missing; global-setup.ts starts a private cluster for the run.
export default defineConfig({
  test: {
    root: new URL('../../..', import.meta.url).pathname,
    include: ['test/suites/postgres/**/*.test.ts'],
    globalSetup: ['test/suites/postgres/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
