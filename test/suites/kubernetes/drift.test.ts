import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider, Scope } from '../../../src/providers/types.js';
import type { KubeClient } from '../../../src/providers/kubernetes/client.js';
import {
  applyOpts,
  collectEvents,
  deployment,
  get,
  ns,
  rawClient,
  sameScope,
  startProvider,
  waitFor,
} from './helpers.js';

describe('drift from watches', () => {
  let provider: Provider;
  let client: KubeClient;
  const scope: Scope = { project: 'shop', app: 'api', env: 'drift' };
  const NS = 'drift-test';
  const desired = () => [ns(NS), deployment(NS, 'api', 2)];
  const path = `/apis/apps/v1/namespaces/${NS}/deployments/api`;

  beforeAll(async () => {
    provider = await startProvider();
    client = await rawClient();
    await provider.apply(scope, desired(), applyOpts());
  });
  afterAll(async () => {
    await provider.close();
    client.close();
  });

  it('ignores changes to fields Sluice does not own and to status', async () => {
    const events = collectEvents(provider);
    await client.request('PATCH', path, {
      query: { fieldManager: 'someone' },
      contentType: 'application/merge-patch+json',
      body: { metadata: { annotations: { note: 'hello' } } },
    });
    await client.request('PATCH', `${path}/status`, {
      query: { fieldManager: 'kube-controller-manager' },
      contentType: 'application/merge-patch+json',
      body: { status: { replicas: 1 } },
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(events.filter((e) => e.type === 'drift')).toEqual([]);
    expect((await provider.plan(scope, desired(), { prune: true })).summary.unchanged).toBe(2);
  });

  it('emits drift when another manager changes a field Sluice owns, and re-apply heals it', async () => {
    const events = collectEvents(provider);
    await client.request('PATCH', path, {
      query: { fieldManager: 'kubectl-edit' },
      contentType: 'application/merge-patch+json',
      body: { spec: { replicas: 5 } },
    });
    const drift = await waitFor('a drift event', () => events.find((e) => e.type === 'drift'));
    expect(sameScope(drift.scope, scope)).toBe(true);
    expect(drift.key).toBe('Deployment.apps/drift-test/api');
    expect(drift.message).toBe('Deployment/drift-test/api: .spec.replicas changed by "kubectl-edit"');

    const plan = await provider.plan(scope, desired(), { prune: true });
    const c = plan.changes.find((x) => x.action === 'update')!;
    expect(c.key).toBe('Deployment.apps/drift-test/api');
    expect(c.reason).toContain('.spec.replicas');
    expect(c.diff).toContain('-  replicas: 5');
    expect(c.diff).toContain('+  replicas: 2');

    const healed = await provider.apply(scope, desired(), applyOpts({ reason: 'drift' }));
    expect(healed.summary.update).toBe(1);
    const live = (await get<{ spec: { replicas: number } }>(client, path))!;
    expect(live.spec.replicas).toBe(2);
    // Sluice's own heal is not reported as drift.
    await new Promise((r) => setTimeout(r, 1000));
    expect(events.filter((e) => e.type === 'drift')).toHaveLength(1);
    expect((await provider.plan(scope, desired(), { prune: true })).summary.unchanged).toBe(2);
  });

  it('reports an object deleted behind its back, and health shows it Missing', async () => {
    const events = collectEvents(provider);
    await client.request('DELETE', path);
    const drift = await waitFor('a deletion drift event', () => events.find((e) => e.type === 'drift'));
    expect(drift.message).toBe('Deployment/drift-test/api was deleted outside Sluice');
    const health = await provider.health(scope);
    expect(health.find((h) => h.key === 'Deployment.apps/drift-test/api')?.status).toBe('Missing');
    const plan = await provider.plan(scope, desired(), { prune: true });
    expect(plan.changes.find((x) => x.key === 'Deployment.apps/drift-test/api')?.action).toBe('create');
  });

  it('still reports it Missing after a restart, from the inventory', async () => {
    await provider.close();
    provider = await startProvider();
    const health = await provider.health(scope);
    expect(health.find((h) => h.key === 'Deployment.apps/drift-test/api')).toMatchObject({
      kind: 'Deployment',
      name: 'api',
      status: 'Missing',
    });
  });

  it('sees drift made while it was not running, once started again', async () => {
    await provider.apply(scope, desired(), applyOpts());
    await provider.close();
    await client.request('PATCH', path, {
      query: { fieldManager: 'kubectl-scale' },
      contentType: 'application/merge-patch+json',
      body: { spec: { replicas: 7 } },
    });
    provider = await startProvider();
    const plan = await provider.plan(scope, desired(), { prune: true });
    expect(plan.summary.update).toBe(1);
  });
});
