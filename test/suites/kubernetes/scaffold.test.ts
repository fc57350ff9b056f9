import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { Resource } from '../../../src/model/resource.js';
import type { Provider } from '../../../src/providers/types.js';
import { kubernetesScaffold } from '../../../src/providers/kubernetes/index.js';
import { kustomizeBuild } from '../../../src/render/kustomize/index.js';
import { MemoryFs } from '../../../src/vfs/index.js';
import { applyOpts, startProvider } from './helpers.js';

describe('the `sluice init --target kubernetes` repo on a real API server', () => {
  let provider: Provider;
  beforeAll(async () => {
    provider = await startProvider();
  });
  afterAll(async () => {
    await provider.close();
  });

  it('renders and applies every environment, then finds nothing to change', async () => {
    const fs = MemoryFs.fromFiles(kubernetesScaffold({ project: 'scaffold' }));
    for (const env of ['dev', 'staging', 'prod']) {
      const desired = parseAllDocuments(kustomizeBuild(fs, `apps/web/overlays/${env}`)).map(
        (d) => d.toJS() as Resource,
      );
      const scope = { project: 'scaffold', app: 'web', env };
      const plan = await provider.apply(scope, desired, applyOpts());
      expect(plan.changes.map((c) => `${c.action} ${c.key}`)).toEqual([
        `create Namespace/scaffold-${env}`,
        `create Service/scaffold-${env}/web`,
        `create Deployment.apps/scaffold-${env}/web`,
      ]);
      expect((await provider.plan(scope, desired, { prune: true })).summary.unchanged).toBe(3);
    }
  });
});
