import { defineConfig } from 'vitest/config';

// Sluice's own image and Kubernetes manifests: the image built against a real dockerd and run
// read-only as non-root, the manifests rendered by Sluice byte for byte as kustomize renders
// them and applied by Sluice to real kube-apiservers. Run by .ci/suites/image.sh.
export default defineConfig({
  test: {
    root: new URL('../../..', import.meta.url).pathname,
    include: ['test/suites/image/**/*.test.ts'],
    globalSetup: ['test/suites/image/global-setup.ts'],
    testTimeout: 180_000,
    // Building the image and starting two API servers on a loaded machine takes minutes.
    hookTimeout: 900_000,
    pool: 'forks',
    // One Engine and shared API servers: files run one after another.
    fileParallelism: false,
  },
});
