import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider, Scope } from '../../../src/providers/types.js';
import type { KubeClient } from '../../../src/providers/kubernetes/client.js';
import { applyOpts, configMap, get, ns, rawClient, service, startProvider, waitFor } from './helpers.js';

describe('pruning through the applyset inventory', () => {
  let provider: Provider;
  let client: KubeClient;
  const scope: Scope = { project: 'shop', app: 'cart', env: 'prune' };
  const other: Scope = { project: 'shop', app: 'cart', env: 'prune-other' };
  const NS = 'prune-test';

  beforeAll(async () => {
    provider = await startProvider();
    client = await rawClient();
    await provider.apply(
      scope,
      [ns(NS), configMap(NS, 'keep', { a: '1' }), configMap(NS, 'drop', { b: '2' }), service(NS, 'cart')],
      applyOpts(),
    );
    // Same labels as Sluice's own objects, but applied by someone else (no applyset membership).
    await client.request('POST', `/api/v1/namespaces/${NS}/configmaps`, {
      body: configMap(
        NS,
        'lookalike',
        { c: '3' },
        {
          labels: {
            'app.kubernetes.io/managed-by': 'sluice',
            'sluice.dev/project': 'shop',
            'sluice.dev/app': 'cart',
            'sluice.dev/env': 'prune',
          },
        },
      ),
    });
    // Another scope's object in the same namespace.
    await provider.apply(other, [configMap(NS, 'neighbour', { d: '4' })], applyOpts());
  });
  afterAll(async () => {
    await provider.close();
    client.close();
  });

  it('keeps what is no longer in Git when pruning is off', async () => {
    const desired = [ns(NS), configMap(NS, 'keep', { a: '1' })];
    const plan = await provider.plan(scope, desired, { prune: false });
    expect(plan.summary.delete).toBe(0);
    const applied = await provider.apply(scope, desired, applyOpts({ prune: false }));
    expect(applied.summary.delete).toBe(0);
    expect(await get(client, `/api/v1/namespaces/${NS}/configmaps/drop`)).toBeDefined();
    // Still members, so the inventory still lists their kinds.
    const parent = (await get(client, '/api/v1/namespaces/sluice-system/configmaps/sluice.shop.prune.cart'))!;
    expect(parent.metadata.annotations!['applyset.kubernetes.io/contains-group-kinds']).toBe(
      'ConfigMap,Namespace,Service',
    );
  });

  it('plans and prunes only members of this applyset', async () => {
    const desired = [ns(NS), configMap(NS, 'keep', { a: '1' })];
    const plan = await provider.plan(scope, desired, { prune: true });
    expect(
      plan.changes
        .filter((c) => c.action === 'delete')
        .map((c) => c.key)
        .sort(),
    ).toEqual(['ConfigMap/prune-test/drop', 'Service/prune-test/cart']);
    expect(plan.changes.find((c) => c.key === 'ConfigMap/prune-test/drop')!.diff).toContain('-  b: "2"');

    const applied = await provider.apply(scope, desired, applyOpts());
    expect(applied.summary).toEqual({ create: 0, update: 0, delete: 2, unchanged: 2 });
    await waitFor(
      'drop to be deleted',
      async () => (await get(client, `/api/v1/namespaces/${NS}/configmaps/drop`)) === undefined || undefined,
    );
    expect(await get(client, `/api/v1/namespaces/${NS}/services/cart`)).toBeUndefined();
    expect(await get(client, `/api/v1/namespaces/${NS}/configmaps/keep`)).toBeDefined();
    expect(await get(client, `/api/v1/namespaces/${NS}/configmaps/lookalike`)).toBeDefined();
    expect(await get(client, `/api/v1/namespaces/${NS}/configmaps/neighbour`)).toBeDefined();

    const parent = (await get(client, '/api/v1/namespaces/sluice-system/configmaps/sluice.shop.prune.cart'))!;
    expect(parent.metadata.annotations!['applyset.kubernetes.io/contains-group-kinds']).toBe('ConfigMap,Namespace');
  });

  it('destroys a scope without touching its neighbours', async () => {
    await provider.destroy(other);
    expect(await get(client, `/api/v1/namespaces/${NS}/configmaps/neighbour`)).toBeUndefined();
    expect(await get(client, `/api/v1/namespaces/${NS}/configmaps/keep`)).toBeDefined();
    expect(
      await get(client, '/api/v1/namespaces/sluice-system/configmaps/sluice.shop.prune-other.cart'),
    ).toBeUndefined();
    expect(await provider.scopes()).not.toContainEqual(other);
  });
});
