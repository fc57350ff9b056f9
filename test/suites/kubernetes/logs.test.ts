import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Provider, Scope, TargetLogLine, TargetLogOptions } from '../../../src/providers/types.js';
import { kubernetesTarget } from '../../../src/providers/kubernetes/index.js';
import type { KubeClient } from '../../../src/providers/kubernetes/client.js';
import { applyOpts, deployment, ns, rawClient, startProvider } from './helpers.js';

/**
 * `sluice logs` on a cluster: which pods a workload's logs come from, and what is said when
 * a pod has no log to read. The suite's API server runs no kubelets, so no pod here has a
 * log: pods without a node say so, and a pod bound to a node that does not answer shows the
 * API server's error for its stream. Reading a real log needs a kubelet (simulated nodes
 * have no logs either).
 */

const NS = 'logs-dev';
const scope: Scope = { project: 'shop', app: 'logs', env: 'dev' };
let provider: Provider;
let client: KubeClient;

function pod(name: string, labels: Record<string, string>, nodeName?: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      containers: [
        { name: 'web', image: 'registry.example/web:1' },
        { name: 'proxy', image: 'registry.example/proxy:1' },
      ],
    },
  };
}

async function read(options: TargetLogOptions = {}): Promise<TargetLogLine[]> {
  const out: TargetLogLine[] = [];
  const target = { provider: 'kubernetes' as const, kubeconfig: inject('kubeconfig') };
  for await (const l of kubernetesTarget.readLogs!('/nonexistent', scope, options, target)) out.push(l);
  return out;
}

beforeAll(async () => {
  provider = await startProvider();
  client = await rawClient();
  await provider.apply(scope, [ns(NS), deployment(NS, 'web', 2)], applyOpts());
  // What a ReplicaSet controller would create: two pods of the Deployment, and one of something else.
  await client.request('POST', `/api/v1/namespaces/${NS}/pods`, { body: pod('web-pending', { app: 'web' }) });
  await client.request('POST', `/api/v1/namespaces/${NS}/pods`, { body: pod('web-bound', { app: 'web' }, 'node-a') });
  await client.request('POST', `/api/v1/namespaces/${NS}/pods`, { body: pod('other', { app: 'other' }, 'node-a') });
});
afterAll(async () => {
  await provider.destroy(scope);
  await provider.close();
  client.close();
});

describe('logs of a workload on a cluster', () => {
  it("reads the pods the Deployment's selector picks, one stream per pod and container", async () => {
    const lines = await read();
    expect([...new Set(lines.map((l) => l.stream))]).toEqual([
      'pod/web-bound/web',
      'pod/web-bound/proxy',
      'pod/web-pending/web',
      'pod/web-pending/proxy',
    ]);
  });

  it('says a pod without a node has no log yet, and shows why a bound pod could not be read', async () => {
    const lines = await read({ container: 'web' });
    expect(lines).toEqual([
      { stream: 'pod/web-bound/web', text: expect.stringMatching(/^\(no log from node node-a: .+\)$/) },
      {
        stream: 'pod/web-pending/web',
        text: '(pod web-pending is not scheduled to a node (Pending), so it has no log yet)',
      },
    ]);
  });

  it('refuses a container the pods do not have, naming those they do', async () => {
    await expect(read({ container: 'sidecar' })).rejects.toMatchObject({
      code: 'KUBE_NO_CONTAINER',
      message: expect.stringContaining('it has web, proxy'),
    });
  });

  it('refuses a workload the app does not have', async () => {
    await expect(read({ workload: 'api' })).rejects.toMatchObject({ code: 'KUBE_NO_WORKLOAD' });
    expect((await read({ workload: 'web', container: 'proxy' })).map((l) => l.stream)).toEqual([
      'pod/web-bound/proxy',
      'pod/web-pending/proxy',
    ]);
  });
});
