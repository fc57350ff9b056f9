import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Provider, Scope } from '../../../src/providers/types.js';
import type { KubeClient } from '../../../src/providers/kubernetes/client.js';
import { applyOpts, configMap, ns, rawClient, startProvider } from './helpers.js';

/**
 * What a sync costs the API server, counted by the server itself (apiserver_request_total):
 * a first plan is one dry run per object with no read before it, a first apply one patch per
 * object and one inventory write.
 */

type Count = { verb: string; resource: string; scope?: string; dryRun?: boolean };

async function requestTotal(client: KubeClient, c: Count): Promise<number> {
  const text = await client.requestText('/metrics');
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries(
      [...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!] as [string, string]),
    );
    if (labels.verb !== c.verb || labels.resource !== c.resource) continue;
    if (c.scope && labels.scope !== c.scope) continue;
    if (c.dryRun !== undefined && (labels.dry_run !== '') !== c.dryRun) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

describe('requests per object of a first sync', () => {
  let provider: Provider;
  let client: KubeClient;
  const NS = 'requests-test';
  const scope: Scope = { project: 'shop', app: 'counted', env: 'requests' };
  const desired = Array.from({ length: 5 }, (_, i) => configMap(NS, `counted-${i}`, { n: String(i) }));
  const counts = () =>
    Promise.all([
      requestTotal(client, { verb: 'GET', resource: 'configmaps', scope: 'resource' }),
      requestTotal(client, { verb: 'APPLY', resource: 'configmaps', scope: 'resource', dryRun: true }),
      requestTotal(client, { verb: 'APPLY', resource: 'configmaps', scope: 'resource', dryRun: false }),
    ]);

  beforeAll(async () => {
    provider = await startProvider();
    client = await rawClient();
    await client.request('PATCH', `/api/v1/namespaces/${NS}`, {
      query: { fieldManager: 'test' },
      body: ns(NS),
      contentType: 'application/apply-patch+yaml',
    });
    // Nothing of the scope's is in the provider's caches yet, as on a first sync.
  });
  afterAll(async () => {
    await provider.close();
    client.close();
  });

  it('plans objects Sluice has not applied with a dry run each and no read before it', async () => {
    const [get0, dry0] = await counts();
    const plan = await provider.plan(scope, desired, { prune: true });
    expect(plan.summary.create).toBe(5);
    // The server counts a request just after answering it: wait for the count, not for a time.
    await vi.waitFor(async () => {
      const [get1, dry1] = await counts();
      expect(dry1 - dry0).toBe(5);
      expect(get1 - get0).toBe(0);
    });
  });

  it('applies them with one patch each and writes the inventory once', async () => {
    const inventory = () =>
      requestTotal(client, { verb: 'APPLY', resource: 'configmaps', scope: 'resource', dryRun: false });
    const [get0, , apply0] = await counts();
    const plan = await provider.apply(scope, desired, applyOpts());
    expect(plan.summary.create).toBe(5);
    // The parent is a ConfigMap too: five members and one inventory write.
    await vi.waitFor(async () => {
      const [get1, , apply1] = await counts();
      expect(apply1 - apply0).toBe(6);
      expect(get1 - get0).toBe(0);
    });
    const before = await inventory();
    // Nothing changed: no apply and no inventory write.
    expect((await provider.apply(scope, desired, applyOpts())).summary.unchanged).toBe(5);
    expect((await inventory()) - before).toBe(0);
  });
});
