import { defineConfig } from 'vitest/config';

// SOPS interop against the real sops and age binaries, and the secret canary. Run by
// .ci/suites/sops.sh, which installs the pinned tools first.
export default defineConfig({
  test: {
    root: new URL('../../..', import.meta.url).pathname,
    include: ['test/suites/sops/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
