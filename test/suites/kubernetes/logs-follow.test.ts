import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { Provider, Scope, TargetLogLine, TargetLogOptions } from '../../../src/providers/types.js';
import { kubernetesTarget } from '../../../src/providers/kubernetes/index.js';
import type { KubeClient } from '../../../src/providers/kubernetes/client.js';
import { applyOpts, deployment, ns, rawClient, startProvider } from './helpers.js';

/**
 * `sluice logs --follow` on a cluster. The suite's API server runs no kubelet, and simulated
 * nodes keep no logs, so the one part faked here is the kubelet: a small HTTPS server speaking
 * the kubelet's own log endpoint (`GET /containerLogs/{namespace}/{pod}/{container}?follow=true`,
 * a chunked text answer that stays open), registered as a Node's address and port. Everything
 * else is real: Sluice lists and watches the pods on the real kube-apiserver and reads each log
 * through the API server's `pods/{pod}/log?follow=true`, which the API server proxies to that
 * node as it would to a real kubelet.
 */

const NS = 'follow-dev';
const NODE = 'follow-node';
const scope: Scope = { project: 'shop', app: 'follow', env: 'dev' };
let provider: Provider;
let client: KubeClient;
let kubelet: Server;
let certDir: string;

/** What the kubelet was asked, and the open answers the test writes log lines into. */
interface LogRequest {
  path: string;
  query: URLSearchParams;
  res: ServerResponse;
  closed: boolean;
}
const requests: LogRequest[] = [];

function openAnswer(pod: string, container: string): LogRequest | undefined {
  return requests.find((r) => r.path === `/containerLogs/${NS}/${pod}/${container}` && !r.closed);
}

async function startKubelet(): Promise<number> {
  certDir = mkdtempSync(join(tmpdir(), 'sluice-kubelet-'));
  const made = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=kubelet'].concat([
      '-keyout',
      join(certDir, 'key.pem'),
      '-out',
      join(certDir, 'cert.pem'),
    ]),
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl: ${made.stderr}`);
  kubelet = createServer(
    { key: readFileSync(join(certDir, 'key.pem')), cert: readFileSync(join(certDir, 'cert.pem')) },
    (req, res) => {
      const url = new URL(req.url ?? '/', 'https://kubelet');
      const entry: LogRequest = { path: url.pathname, query: url.searchParams, res, closed: false };
      requests.push(entry);
      res.on('close', () => (entry.closed = true));
      // A kubelet answers a followed log at once and then writes lines as the container does.
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('');
      if (url.searchParams.get('follow') !== 'true') res.end();
    },
  );
  await new Promise<void>((r) => kubelet.listen(0, '127.0.0.1', r));
  return (kubelet.address() as { port: number }).port;
}

function pod(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: 'web' } },
    spec: {
      nodeName: NODE,
      containers: [
        { name: 'web', image: 'registry.example/web:1' },
        { name: 'proxy', image: 'registry.example/proxy:1' },
      ],
    },
  };
}

/** What the pod's kubelet reports once the containers run. */
async function markRunning(name: string): Promise<void> {
  const running = { running: { startedAt: new Date().toISOString() } };
  await client.request('PATCH', `/api/v1/namespaces/${NS}/pods/${name}/status`, {
    contentType: 'application/merge-patch+json',
    body: {
      status: {
        phase: 'Running',
        containerStatuses: ['web', 'proxy'].map((c) => ({
          name: c,
          state: running,
          ready: true,
          restartCount: 0,
          image: `registry.example/${c}:1`,
          imageID: '',
        })),
      },
    },
  });
}

/** Follows in the background; `lines` fills as they come, `done` settles when reading ends. */
function follow(options: TargetLogOptions) {
  const lines: TargetLogLine[] = [];
  const target = { provider: 'kubernetes' as const, kubeconfig: inject('kubeconfig') };
  const done = (async () => {
    for await (const l of kubernetesTarget.readLogs!('/nonexistent', scope, { ...options, follow: true }, target))
      lines.push(l);
  })();
  return { lines, done };
}

beforeAll(async () => {
  const port = await startKubelet();
  provider = await startProvider();
  client = await rawClient();
  await provider.apply(scope, [ns(NS), deployment(NS, 'web', 2)], applyOpts());
  await client.request('POST', '/api/v1/nodes', { body: { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE } } });
  await client.request('PATCH', `/api/v1/nodes/${NODE}/status`, {
    contentType: 'application/merge-patch+json',
    body: {
      status: {
        addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
        daemonEndpoints: { kubeletEndpoint: { Port: port } },
      },
    },
  });
  await client.request('POST', `/api/v1/namespaces/${NS}/pods`, { body: pod('web-1') });
  await markRunning('web-1');
});
afterAll(async () => {
  await provider?.destroy(scope);
  await provider?.close();
  await client?.request('DELETE', `/api/v1/nodes/${NODE}`).catch(() => undefined);
  client?.close();
  kubelet?.closeAllConnections();
  await new Promise((r) => kubelet?.close(r));
  rmSync(certDir, { recursive: true, force: true });
});

describe('following the logs of a workload on a cluster', () => {
  it('streams lines as they are written, takes in a pod the rollout starts, and stops when told', async () => {
    const stop = new AbortController();
    const { lines, done } = follow({ container: 'web', sinceSeconds: 60, signal: stop.signal });

    await vi.waitFor(() => expect(openAnswer('web-1', 'web')).toBeDefined(), { timeout: 20_000 });
    const first = openAnswer('web-1', 'web')!;
    expect(Object.fromEntries(first.query)).toMatchObject({ follow: 'true', sinceSeconds: '60' });
    first.res.write('starting\nlistening on :8080\n');
    await vi.waitFor(() =>
      expect(lines).toEqual([
        { stream: 'pod/web-1/web', text: 'starting' },
        { stream: 'pod/web-1/web', text: 'listening on :8080' },
      ]),
    );

    // A pod the rollout starts meanwhile is followed once its kubelet reports the container started.
    await client.request('POST', `/api/v1/namespaces/${NS}/pods`, { body: pod('web-2') });
    await markRunning('web-2');
    await vi.waitFor(() => expect(openAnswer('web-2', 'web')).toBeDefined(), { timeout: 20_000 });
    openAnswer('web-2', 'web')!.res.write('web-2 ready\n');
    await vi.waitFor(() => expect(lines).toContainEqual({ stream: 'pod/web-2/web', text: 'web-2 ready' }));
    // --container web: the proxy's log is never asked for.
    expect(requests.filter((r) => r.path.endsWith('/proxy'))).toEqual([]);

    stop.abort();
    await done;
    // Every follow ends, so the API server closes what it proxied to the kubelet.
    await vi.waitFor(() => expect(requests.filter((r) => r.query.get('follow') === 'true' && !r.closed)).toEqual([]));
  });

  it('ends its streams when the reader stops reading, as when the pipe it prints to closes', async () => {
    const target = { provider: 'kubernetes' as const, kubeconfig: inject('kubeconfig') };
    const seen: TargetLogLine[] = [];
    const reading = (async () => {
      for await (const l of kubernetesTarget.readLogs!('/nonexistent', scope, { follow: true }, target)) {
        seen.push(l);
        break;
      }
    })();
    await vi.waitFor(() => expect(openAnswer('web-1', 'proxy')).toBeDefined(), { timeout: 20_000 });
    openAnswer('web-1', 'proxy')!.res.write('proxy up\n');
    await reading;
    expect(seen).toEqual([{ stream: 'pod/web-1/proxy', text: 'proxy up' }]);
    await vi.waitFor(() => expect(requests.filter((r) => r.query.get('follow') === 'true' && !r.closed)).toEqual([]));
  });
});
