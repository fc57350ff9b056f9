import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider, Scope } from '../../../src/providers/types.js';
import type { Resource } from '../../../src/model/resource.js';
import type { KubeClient } from '../../../src/providers/kubernetes/client.js';
import { applyOpts, configMap, get, ns, rawClient, startProvider, waitFor } from './helpers.js';

const job = (namespace: string, name: string): Resource => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace, annotations: { 'sluice.dev/sync-wave': '-1' } },
  spec: {
    template: {
      spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image: 'registry.example/migrate:1' }] },
    },
  },
});

/** Job status the way the job controller writes it. */
function finished(type: 'Complete' | 'Failed'): object {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const conditions =
    type === 'Complete'
      ? [
          {
            type: 'SuccessCriteriaMet',
            status: 'True',
            reason: 'CompletionsReached',
            message: 'done',
            lastTransitionTime: now,
            lastProbeTime: now,
          },
          {
            type: 'Complete',
            status: 'True',
            reason: 'CompletionsReached',
            message: 'done',
            lastTransitionTime: now,
            lastProbeTime: now,
          },
        ]
      : [
          {
            type: 'FailureTarget',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit',
            lastTransitionTime: now,
            lastProbeTime: now,
          },
          {
            type: 'Failed',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit',
            lastTransitionTime: now,
            lastProbeTime: now,
          },
        ];
  return type === 'Complete'
    ? { startTime: now, completionTime: now, succeeded: 1, conditions }
    : { startTime: now, failed: 1, conditions };
}

describe('sync waves wait for health', () => {
  let provider: Provider;
  let client: KubeClient;
  const NS = 'waves-test';

  beforeAll(async () => {
    provider = await startProvider({ waveTimeoutMs: 20_000 });
    client = await rawClient();
    await client.request('PATCH', `/api/v1/namespaces/${NS}`, {
      query: { fieldManager: 'test' },
      contentType: 'application/apply-patch+yaml',
      body: ns(NS),
    });
  });
  afterAll(async () => {
    await provider.close();
    client.close();
  });

  it('applies the next wave only after the migration Job completed', async () => {
    const scope: Scope = { project: 'shop', app: 'db', env: 'waves' };
    const progress: string[] = [];
    const sync = provider.apply(
      scope,
      [configMap(NS, 'app-config', { v: '2' }), job(NS, 'migrate')],
      applyOpts({ onProgress: (m: string) => progress.push(m) }),
    );
    await waitFor('the Job', () => get(client, `/apis/batch/v1/namespaces/${NS}/jobs/migrate`));
    await waitFor('the wait to be reported', () =>
      progress.find((m) => m.startsWith('waiting for sync wave -1: Job/migrate is Progressing')),
    );
    expect(await get(client, `/api/v1/namespaces/${NS}/configmaps/app-config`)).toBeUndefined();

    await client.request('PATCH', `/apis/batch/v1/namespaces/${NS}/jobs/migrate/status`, {
      query: { fieldManager: 'job-controller' },
      contentType: 'application/merge-patch+json',
      body: { status: finished('Complete') },
    });
    const plan = await sync;
    expect(plan.changes.map((c) => `${c.action} ${c.kind}`)).toEqual(['create Job', 'create ConfigMap']);
    expect(await get(client, `/api/v1/namespaces/${NS}/configmaps/app-config`)).toBeDefined();
  });

  it('stops at a Degraded wave and names the resource', async () => {
    const scope: Scope = { project: 'shop', app: 'db2', env: 'waves' };
    const sync = provider.apply(scope, [configMap(NS, 'other-config', { v: '2' }), job(NS, 'migrate-2')], applyOpts());
    await waitFor('the Job', () => get(client, `/apis/batch/v1/namespaces/${NS}/jobs/migrate-2`));
    await client.request('PATCH', `/apis/batch/v1/namespaces/${NS}/jobs/migrate-2/status`, {
      query: { fieldManager: 'job-controller' },
      contentType: 'application/merge-patch+json',
      body: { status: finished('Failed') },
    });
    await expect(sync).rejects.toMatchObject({
      code: 'KUBE_WAVE_DEGRADED',
      location: { resource: 'Job/waves-test/migrate-2' },
    });
    expect(await get(client, `/api/v1/namespaces/${NS}/configmaps/other-config`)).toBeUndefined();
  });
});
