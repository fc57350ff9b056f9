import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider, Scope } from '../../../src/providers/types.js';
import type { KubeClient } from '../../../src/providers/kubernetes/client.js';
import { ProviderError } from '../../../src/errors/index.js';
import { applyOpts, collectEvents, configMap, get, ns, rawClient, startProvider, waitFor } from './helpers.js';

describe('field manager conflicts', () => {
  let provider: Provider;
  let client: KubeClient;
  const scope: Scope = { project: 'shop', app: 'pay', env: 'conflict' };
  const NS = 'conflict-test';
  const desired = () => [ns(NS), configMap(NS, 'pay', { color: 'blue', size: 'm' })];
  const path = `/api/v1/namespaces/${NS}/configmaps/pay`;

  beforeAll(async () => {
    provider = await startProvider();
    client = await rawClient();
    await provider.apply(scope, desired(), applyOpts());
    const events = collectEvents(provider);
    // Another applier takes .data.color (forcing past Sluice).
    await client.request('PATCH', path, {
      query: { fieldManager: 'other-tool', force: true },
      contentType: 'application/apply-patch+yaml',
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pay', namespace: NS }, data: { color: 'red' } },
    });
    // The provider reads live state from its watch; wait until the change has arrived.
    await waitFor('the drift event', () => events.find((e) => e.type === 'drift'));
  });
  afterAll(async () => {
    await provider.close();
    client.close();
  });

  it('plans the conflict instead of hiding it', async () => {
    const plan = await provider.plan(scope, desired(), { prune: true });
    const c = plan.changes.find((x) => x.action === 'update')!;
    expect(c.reason).toBe('conflict: .data.color (held by "other-tool"); a sync needs force');
    expect(c.diff).toContain('+  color: blue');
  });

  it('reports the conflict naming the resource, the field and the other manager', async () => {
    let err: unknown;
    try {
      await provider.apply(scope, desired(), applyOpts());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProviderError);
    const pe = err as ProviderError;
    expect(pe.code).toBe('KUBE_CONFLICT');
    expect(pe.message).toBe('ConfigMap/conflict-test/pay: field .data.color is managed by "other-tool"');
    expect(pe.location).toMatchObject({ resource: 'ConfigMap/conflict-test/pay', field: '.data.color' });
    expect(pe.hint).toContain('force');
    expect((await get<{ data: Record<string, string> }>(client, path))!.data.color).toBe('red');
  });

  it('takes the field when the environment allows force', async () => {
    const plan = await provider.apply(scope, desired(), applyOpts({ force: true }));
    expect(plan.summary.update).toBe(1);
    expect((await get<{ data: Record<string, string> }>(client, path))!.data.color).toBe('blue');
  });

  it('forces through a provider option too', async () => {
    await client.request('PATCH', path, {
      query: { fieldManager: 'other-tool', force: true },
      contentType: 'application/apply-patch+yaml',
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pay', namespace: NS }, data: { color: 'red' } },
    });
    const forcing = await startProvider({ force: true });
    try {
      await forcing.apply(scope, desired(), applyOpts());
      expect((await get<{ data: Record<string, string> }>(client, path))!.data.color).toBe('blue');
    } finally {
      await forcing.close();
    }
  });
});
