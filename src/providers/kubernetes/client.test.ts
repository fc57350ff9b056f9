import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../errors/index.js';
import { KubeApiError, KubeClient, loadKubeConfig } from './client.js';

const kubeconfig = (server: string) => `apiVersion: v1
kind: Config
clusters:
- name: one
  cluster: { server: "${server}", insecure-skip-tls-verify: true }
- name: two
  cluster: { server: "https://two.example:6443", insecure-skip-tls-verify: true }
users:
- name: u
  user: { token: secret-token }
contexts:
- name: first
  context: { cluster: one, user: u, namespace: team-a }
- name: second
  context: { cluster: two, user: u }
current-context: first
`;

describe('loadKubeConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-kubeconfig-'));
  const file = join(dir, 'config');
  writeFileSync(file, kubeconfig('http://127.0.0.1:1'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the current context, or the one the target names', () => {
    expect(loadKubeConfig({ kubeconfig: file }).getCurrentCluster()?.name).toBe('one');
    expect(loadKubeConfig({ kubeconfig: file, context: 'second' }).getCurrentCluster()?.server).toBe(
      'https://two.example:6443',
    );
  });

  it('expands ~ in the kubeconfig path', () => {
    const saved = process.env.HOME;
    process.env.HOME = dir;
    try {
      expect(loadKubeConfig({ kubeconfig: '~/config' }).getCurrentCluster()?.name).toBe('one');
    } finally {
      process.env.HOME = saved;
    }
  });

  it('names the known contexts when the target asks for another', () => {
    let err: unknown;
    try {
      loadKubeConfig({ kubeconfig: file, context: 'prod' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe('KUBE_CONFIG');
    expect((err as ProviderError).hint).toBe('Known contexts: first, second.');
  });

  it('fails clearly outside a pod when inCluster is set', () => {
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    delete process.env.KUBERNETES_SERVICE_HOST;
    delete process.env.KUBERNETES_SERVICE_PORT;
    try {
      expect(() => loadKubeConfig({ inCluster: true })).toThrow(/not running in a Kubernetes pod/);
    } finally {
      if (saved.host !== undefined) process.env.KUBERNETES_SERVICE_HOST = saved.host;
      if (saved.port !== undefined) process.env.KUBERNETES_SERVICE_PORT = saved.port;
    }
  });
});

describe('KubeClient', () => {
  let server: Server;
  let url = '';
  let dir = '';
  const seen: { auth?: string; contentType?: string }[] = [];
  let throttleLeft = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ auth: req.headers.authorization, contentType: req.headers['content-type'] });
      if (req.url?.startsWith('/throttled') && throttleLeft-- > 0) {
        res.writeHead(429, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            kind: 'Status',
            code: 429,
            reason: 'TooManyRequests',
            message: 'slow down',
            details: { retryAfterSeconds: 0 },
          }),
        );
        return;
      }
      if (req.url?.startsWith('/missing')) {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ kind: 'Status', code: 404, reason: 'NotFound', message: 'configmaps "x" not found' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, path: req.url }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    dir = mkdtempSync(join(tmpdir(), 'sluice-kubeclient-'));
    writeFileSync(join(dir, 'config'), kubeconfig(url));
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the kubeconfig credentials, the query and the content type', async () => {
    const client = await KubeClient.create(loadKubeConfig({ kubeconfig: join(dir, 'config') }));
    const res = await client.request<{ path: string }>('PATCH', '/api/v1/x', {
      query: { fieldManager: 'sluice', force: undefined },
      body: { a: 1 },
      contentType: 'application/apply-patch+yaml',
    });
    expect(res.path).toBe('/api/v1/x?fieldManager=sluice');
    expect(seen.at(-1)).toEqual({ auth: 'Bearer secret-token', contentType: 'application/apply-patch+yaml' });
    client.close();
  });

  it('retries throttled requests and surfaces other errors with the server Status', async () => {
    const client = await KubeClient.create(loadKubeConfig({ kubeconfig: join(dir, 'config') }));
    throttleLeft = 2;
    await expect(client.request('GET', '/throttled')).resolves.toMatchObject({ ok: true });
    await expect(client.request('GET', '/missing')).rejects.toSatisfy(
      (e: unknown) => e instanceof KubeApiError && e.statusCode === 404 && e.reason === 'NotFound',
    );
    client.close();
  });

  it('reports failing credential plugins as a ProviderError', async () => {
    const file = join(dir, 'exec');
    writeFileSync(
      file,
      kubeconfig(url).replace(
        'user: { token: secret-token }',
        'user: { exec: { apiVersion: client.authentication.k8s.io/v1, command: /nonexistent/credential-helper, interactiveMode: Never } }',
      ),
    );
    await expect(KubeClient.create(loadKubeConfig({ kubeconfig: file }))).rejects.toMatchObject({ code: 'KUBE_AUTH' });
  });

  it('sends a request again on a new connection when the kept-alive one was closed under it', async () => {
    const served = new WeakSet<object>();
    const closing = createServer((req, res) => {
      // The server drops an idle connection just as the client sends on it.
      if (req.url === '/again' && served.has(req.socket)) {
        req.socket.destroy();
        return;
      }
      served.add(req.socket);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url }));
    });
    await new Promise<void>((r) => closing.listen(0, '127.0.0.1', r));
    const file = join(dir, 'closing');
    writeFileSync(file, kubeconfig(`http://127.0.0.1:${(closing.address() as { port: number }).port}`));
    const client = await KubeClient.create(loadKubeConfig({ kubeconfig: file }));
    try {
      await client.request('GET', '/first');
      await expect(client.request('GET', '/again')).resolves.toEqual({ path: '/again' });
    } finally {
      client.close();
      closing.closeAllConnections();
      await new Promise((r) => closing.close(r));
    }
  });

  it('reports an unreachable server as a ProviderError', async () => {
    const file = join(dir, 'down');
    writeFileSync(file, kubeconfig('http://127.0.0.1:1'));
    const client = await KubeClient.create(loadKubeConfig({ kubeconfig: file }));
    await expect(client.request('GET', '/version')).rejects.toMatchObject({ code: 'KUBE_UNREACHABLE' });
    client.close();
  });
});

describe('KubeClient limits', () => {
  let server: Server;
  let url = '';
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      if (req.url?.startsWith('/hang')) return; // accepts and never answers
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', code: 401, reason: 'Unauthorized', message: 'Unauthorized' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  function config(token: string) {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-kc-limits-'));
    const file = join(dir, 'config');
    writeFileSync(file, kubeconfig(url).replace('secret-token', token));
    const kc = loadKubeConfig({ kubeconfig: file });
    rmSync(dir, { recursive: true, force: true });
    return kc;
  }

  it('gives up a request the server never answers, saying so', async () => {
    const client = await KubeClient.create(config('t'), { requestTimeoutMs: 200 });
    try {
      await expect(client.request('GET', '/hang')).rejects.toMatchObject({
        code: 'KUBE_UNREACHABLE',
        retry: true,
        message: expect.stringContaining('did not answer GET /hang'),
      });
    } finally {
      client.close();
    }
  });

  it('reads the credentials again once after a 401, then fails with a hint about them', async () => {
    let reloads = 0;
    const client = await KubeClient.create(config('old'), {
      reload: () => {
        reloads++;
        return config('new');
      },
    });
    seen.length = 0;
    try {
      await expect(client.request('GET', '/api')).rejects.toMatchObject({
        code: 'KUBE_UNAUTHORIZED',
        retry: true,
        hint: expect.stringContaining('renew it in the kubeconfig'),
      });
      expect(reloads).toBe(1);
      expect(seen).toEqual(['Bearer old', 'Bearer new']);
    } finally {
      client.close();
    }
  });
});
