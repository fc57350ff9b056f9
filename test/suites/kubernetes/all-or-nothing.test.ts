import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider, Scope } from '../../../src/providers/types.js';
import type { KubeClient } from '../../../src/providers/kubernetes/client.js';
import { configMap, deployment, get, ns, rawClient, startProvider } from './helpers.js';

/**
 * A new app brings its namespace: nothing in that namespace can be dry-run in place before the
 * namespace exists, yet a bad object among them must still fail the plan, before anything
 * (the namespace included) is created.
 */
describe('a first deploy into a namespace the same sync creates', () => {
  let provider: Provider;
  let client: KubeClient;
  const scope: Scope = { project: 'shop', app: 'fresh', env: 'dev' };
  const NS = 'fresh-dev';

  beforeAll(async () => {
    provider = await startProvider();
    client = await rawClient();
  });
  afterAll(async () => {
    await provider.close();
    client.close();
  });

  it('refuses the plan when one object is invalid, naming it and the field, and creates nothing', async () => {
    const bad = deployment(NS, 'web', 1);
    const container = (bad.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec
      .containers[0]!;
    container.imagePullPolicy = 'Sometimes';
    await expect(
      provider.plan(scope, [ns(NS), configMap(NS, 'settings', { a: '1' }), bad], { prune: true }),
    ).rejects.toMatchObject({
      code: 'KUBE_INVALID',
      // The manifest is at fault: retrying the same revision would fail the same way.
      retry: false,
      location: { resource: `Deployment/${NS}/web` },
      message: expect.stringContaining('imagePullPolicy'),
    });
    expect(await get(client, `/api/v1/namespaces/${NS}`)).toBeUndefined();
  });

  it('refuses an unknown field the same way', async () => {
    const bad = configMap(NS, 'settings', { a: '1' });
    (bad as unknown as Record<string, unknown>).dataa = { b: '2' };
    await expect(provider.plan(scope, [ns(NS), bad], { prune: true })).rejects.toMatchObject({
      code: 'KUBE_INVALID',
      message: expect.stringContaining('dataa'),
    });
  });

  it('plans valid objects in the new namespace as creates', async () => {
    const plan = await provider.plan(scope, [ns(NS), configMap(NS, 'settings', { a: '1' }), deployment(NS, 'web', 1)], {
      prune: true,
    });
    expect(plan.summary.create).toBe(3);
    expect(await get(client, `/api/v1/namespaces/${NS}`)).toBeUndefined();
  });
});
