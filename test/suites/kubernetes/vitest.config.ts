import { defineConfig } from 'vitest/config';

// The Kubernetes provider against a real kube-apiserver (test/kube-apiserver). Run by
// .ci/suites/kubernetes.sh; the first run builds the server (minutes), later runs reuse it.
export default defineConfig({
  test: {
    root: new URL('../../..', import.meta.url).pathname,
    include: ['test/suites/kubernetes/**/*.test.ts'],
    globalSetup: ['test/suites/kubernetes/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    pool: 'forks',
    // One server, shared state: files run one after another.
    fileParallelism: false,
  },
});
