import { createServer, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient, loadKubeConfig } from './client.js';
import { backoff, WatchCache, type CacheEventType } from './watch-cache.js';

const silent = { info() {}, warn() {}, error() {}, debug() {} };
const cm = (name: string, rv: string, partOf = 'set-a') => ({
  metadata: { name, namespace: 'ns', resourceVersion: rv, labels: { 'applyset.kubernetes.io/part-of': partOf } },
  data: { rv },
});

/** A fake API server: scripted list responses and watch streams, in order. */
describe('WatchCache', () => {
  let server: Server;
  let dir = '';
  const lists: object[] = [];
  const watches: ((res: ServerResponse) => void)[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url!);
      if (req.url!.startsWith('/forbidden')) {
        res.writeHead(403, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            kind: 'Status',
            code: 403,
            reason: 'Forbidden',
            message: 'secrets is forbidden: User "dev" cannot list resource "secrets" at the cluster scope',
          }),
        );
        return;
      }
      const watch = new URL(req.url!, 'http://x').searchParams.get('watch');
      if (watch) {
        res.writeHead(200, { 'content-type': 'application/json' });
        const next = watches.shift();
        if (next) next(res);
        return; // held open: an idle watch
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(lists.shift() ?? { metadata: { resourceVersion: '99' }, items: [] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    dir = mkdtempSync(join(tmpdir(), 'sluice-watch-'));
    const port = (server.address() as { port: number }).port;
    writeFileSync(
      join(dir, 'config'),
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
    );
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('explains a list the credentials may not make', async () => {
    const client = await KubeClient.create(loadKubeConfig({ kubeconfig: join(dir, 'config') }));
    const cache = new WatchCache(client, '/forbidden/secrets', 'x=y', silent, { apiVersion: 'v1', kind: 'Secret' });
    await expect(cache.ready).rejects.toMatchObject({
      code: 'KUBE_FORBIDDEN',
      message: expect.stringContaining('cannot list and watch /forbidden/secrets') as string,
    });
    cache.stop();
    client.close();
  });

  it('lists, follows the watch, and relists after 410 Gone reporting what changed meanwhile', async () => {
    lists.push({ metadata: { resourceVersion: '5' }, items: [cm('a', '1'), cm('gone', '2')] });
    watches.push((res) => {
      res.write(JSON.stringify({ type: 'MODIFIED', object: cm('a', '6') }) + '\n');
      res.write(JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '7' } } }) + '\n');
      res.end(
        JSON.stringify({
          type: 'ERROR',
          object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' },
        }) + '\n',
      );
    });
    lists.push({ metadata: { resourceVersion: '20' }, items: [cm('a', '9'), cm('b', '8', 'set-b')] });
    let rewatched!: () => void;
    const watchingAgain = new Promise<void>((r) => (rewatched = r));
    watches.push(() => rewatched()); // the watch after the relist, held open

    const client = await KubeClient.create(loadKubeConfig({ kubeconfig: join(dir, 'config') }));
    const cache = new WatchCache(
      client,
      '/api/v1/configmaps',
      'x=y',
      silent,
      { apiVersion: 'v1', kind: 'ConfigMap' },
      'applyset.kubernetes.io/part-of',
    );
    const events: string[] = [];
    let sixEvents!: () => void;
    const sixSeen = new Promise<void>((r) => (sixEvents = r));
    cache.on((type: CacheEventType, obj, prev) => {
      events.push(
        `${type} ${obj.metadata.name}@${String(obj.metadata.resourceVersion)}${prev ? ` was ${String(prev.metadata.resourceVersion)}` : ''}`,
      );
      if (events.length === 6) sixEvents();
    });
    await cache.ready;
    expect(cache.get('ns', 'a')?.kind).toBe('ConfigMap');

    await sixSeen;
    await watchingAgain;
    expect(events).toEqual([
      'ADDED a@1',
      'ADDED gone@2',
      'MODIFIED a@6 was 1',
      'DELETED gone@2 was 2',
      'MODIFIED a@9 was 6',
      'ADDED b@8',
    ]);
    expect(cache.byLabel('set-a').map((o) => o.metadata.name)).toEqual(['a']);
    expect(cache.byLabel('set-b').map((o) => o.metadata.name)).toEqual(['b']);
    // Watched from the list's version, then from the relist's.
    const watchRvs = requests
      .filter((u) => u.includes('watch=1'))
      .map((u) => new URL(u, 'http://x').searchParams.get('resourceVersion'));
    expect(watchRvs).toEqual(['5', '20']);

    // Its version moved once per change: what plans and health read from it.
    expect(cache.version).toBe(6);
    // A write Sluice records itself is not undone by an older event.
    cache.put({ apiVersion: 'v1', kind: 'ConfigMap', ...cm('a', '30') });
    expect(String(cache.get('ns', 'a')?.metadata.resourceVersion)).toBe('30');
    expect(cache.version).toBe(7);
    cache.put({ apiVersion: 'v1', kind: 'ConfigMap', ...cm('a', '30') });
    expect(cache.version).toBe(7);
    cache.remove('ns', 'a');
    expect(cache.get('ns', 'a')).toBeUndefined();
    expect(cache.byLabel('set-a')).toEqual([]);
    cache.stop();
    client.close();
  });
});

describe('watch reconnect backoff', () => {
  it('doubles from 1 s up to 30 s, with jitter below the step', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoff(n, () => 1))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
    expect(backoff(3, () => 0)).toBe(2000);
  });
});
