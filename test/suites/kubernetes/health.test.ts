import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider, Scope } from '../../../src/providers/types.js';
import type { KubeClient } from '../../../src/providers/kubernetes/client.js';
import {
  applyOpts,
  collectEvents,
  configMap,
  deployment,
  get,
  ns,
  rawClient,
  service,
  startProvider,
  waitFor,
} from './helpers.js';

/** No controllers run in the test server: status is written the way a controller would, through the status subresource. */
describe('health from live status', () => {
  let provider: Provider;
  let client: KubeClient;
  const scope: Scope = { project: 'shop', app: 'front', env: 'health' };
  const NS = 'health-test';
  const desired = () => [
    ns(NS),
    deployment(NS, 'front', 2),
    service(NS, 'front-lb', 'LoadBalancer'),
    configMap(NS, 'flags', { ready: 'no' }),
  ];

  const statusOf = async (key: string) => (await provider.health(scope)).find((h) => h.key === key);
  const setStatus = (path: string, status: object) =>
    client.request('PATCH', `${path}/status`, {
      query: { fieldManager: 'test-controller' },
      contentType: 'application/merge-patch+json',
      body: { status },
    });

  beforeAll(async () => {
    provider = await startProvider({
      healthChecks: {
        ConfigMap:
          'object.data.ready == "yes" ? {"status": "Healthy"} : {"status": "Progressing", "message": "flags not ready"}',
      },
    });
    client = await rawClient();
    await provider.apply(scope, desired(), applyOpts());
  });
  afterAll(async () => {
    await provider.close();
    client.close();
  });

  it('walks a Deployment from Progressing to Healthy as its rollout status changes', async () => {
    const key = 'Deployment.apps/health-test/front';
    const path = `/apis/apps/v1/namespaces/${NS}/deployments/front`;
    expect((await statusOf(key))?.status).toBe('Progressing');

    const generation = (await get(client, path))!.metadata.generation as number;
    await setStatus(path, {
      observedGeneration: generation,
      replicas: 2,
      updatedReplicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
    });
    const partial = await waitFor('status 1/2', async () => {
      const h = await statusOf(key);
      return h?.message === '1 of 2 updated replicas' ? h : undefined;
    });
    expect(partial.status).toBe('Progressing');

    const events = collectEvents(provider);
    await setStatus(path, {
      observedGeneration: generation,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    await waitFor('Healthy', async () => ((await statusOf(key))?.status === 'Healthy' ? true : undefined));
    const healthy = await waitFor('a healthy event', () => events.find((e) => e.type === 'healthy' && e.key === key));
    expect(healthy.message).toBe('Deployment/health-test/front is Healthy (was Progressing)');

    // A new spec makes it Progressing again until the controller observes it.
    await provider.apply(
      scope,
      [
        ns(NS),
        deployment(NS, 'front', 2, 'registry.example/web:2'),
        service(NS, 'front-lb', 'LoadBalancer'),
        configMap(NS, 'flags', { ready: 'no' }),
      ],
      applyOpts({ revision: 'rev2' }),
    );
    expect((await statusOf(key))?.status).toBe('Progressing');
  });

  it('waits for a LoadBalancer address', async () => {
    const key = 'Service/health-test/front-lb';
    expect((await statusOf(key))?.status).toBe('Progressing');
    await setStatus(`/api/v1/namespaces/${NS}/services/front-lb`, {
      loadBalancer: { ingress: [{ ip: '203.0.113.10' }] },
    });
    await waitFor('LB Healthy', async () => ((await statusOf(key))?.status === 'Healthy' ? true : undefined));
  });

  it('evaluates custom health as CEL from provider options and from the object annotation', async () => {
    const key = 'ConfigMap/health-test/flags';
    expect(await statusOf(key)).toMatchObject({ status: 'Progressing', message: 'flags not ready' });
    const annotated = configMap(
      NS,
      'flags',
      { ready: 'no' },
      { annotations: { 'sluice.dev/health': 'object.data.ready == "no" ? "Degraded" : "Healthy"' } },
    );
    await provider.apply(
      scope,
      [
        ns(NS),
        deployment(NS, 'front', 2, 'registry.example/web:2'),
        service(NS, 'front-lb', 'LoadBalancer'),
        annotated,
      ],
      applyOpts({ revision: 'rev3' }),
    );
    expect((await statusOf(key))?.status).toBe('Degraded');
  });
});
