import { defineConfig } from 'vitest/config';

// The docker provider against a real dockerd. Run by .ci/suites/docker.sh, which installs
// docker.io and busybox-static and starts dockerd when none runs.
export default defineConfig({
  test: {
    root: new URL('../../..', import.meta.url).pathname,
    include: ['test/suites/docker/**/*.test.ts'],
    globalSetup: ['test/suites/docker/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One Engine, shared ports and names: files run one after another.
    fileParallelism: false,
  },
});
