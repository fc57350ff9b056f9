import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Controller, type AppEnvStatus, type ProjectStatus } from '../reconcile/index.js';
import { MemorySource, MemoryTarget, projectFiles, quietLog, tempStore } from '../reconcile/test-support.js';
import { buildApp } from './app.js';
import { hashToken } from './auth/tokens.js';
import type { SluiceMetrics } from './metrics.js';

/** The status routes on a real listening server over a real controller: paging, filters and the event stream. */

const ADMIN = 'sluice_stream-test-admin';
let store: ReturnType<typeof tempStore>;
let source: MemorySource;
let controller: Controller;
let app: FastifyInstance;
let base: string;
/** What the server's mask puts for the source URL. */
let maskAs = '<masked>';

beforeEach(async () => {
  maskAs = '<masked>';
  store = tempStore();
  source = new MemorySource();
  source.commit(projectFiles());
  controller = new Controller({ source, store: store.store, log: quietLog, createProvider: () => new MemoryTarget() });
  await controller.start();
  await controller.idle();
  app = buildApp({
    controller,
    store: store.store,
    metrics: {} as SluiceMetrics,
    adminTokenHash: hashToken(ADMIN),
    // A source URL may carry a credential: the server's mask covers it in every body.
    mask: (t) => t.replaceAll('memory://config', maskAs),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await app.close();
  await controller.stop();
  await store.store.close();
  store.remove();
});

const bearer = { authorization: `Bearer ${ADMIN}` };

/** Reads server-sent events off a response as they arrive. */
function events(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  return {
    async next(): Promise<{ event: string; data: unknown }> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(':')) continue;
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
          return { event, data: JSON.parse(data) };
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        buffer += value;
      }
    },
    /** Reads until `pred` holds for an event's data. */
    async until<T>(event: string, pred: (data: T) => boolean): Promise<T> {
      for (;;) {
        const e = await this.next();
        if (e.event === event && pred(e.data as T)) return e.data as T;
      }
    },
    cancel: () => reader.cancel(),
  };
}

describe('status over HTTP', () => {
  it('pages and filters, and names an unknown app or a bad status', async () => {
    const page = (await (await fetch(`${base}/api/v1/status?limit=1`, { headers: bearer })).json()) as ProjectStatus & {
      page: { total: number; next?: number };
    };
    expect(page.apps).toHaveLength(1);
    expect(page.page).toMatchObject({ total: 2, next: 1 });
    const prod = (await (await fetch(`${base}/api/v1/status?env=prod`, { headers: bearer })).json()) as ProjectStatus;
    expect(prod.apps.map((a) => a.env)).toEqual(['prod']);
    const unknown = await fetch(`${base}/api/v1/status?app=nope`, { headers: bearer });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'APP_NOT_FOUND' });
    const bad = await fetch(`${base}/api/v1/status?status=Green`, { headers: bearer });
    expect(bad.status).toBe(400);
    expect((await bad.json()) as { message: string }).toMatchObject({ message: expect.stringContaining('Synced') });
  });

  it('answers a repeated query from the same views until a scope changes, masked each time', async () => {
    const get = async () => {
      const res = await fetch(`${base}/api/v1/status`, { headers: bearer });
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      return (await res.json()) as ProjectStatus;
    };
    const first = await get();
    expect(await get()).toEqual(first);
    expect(first.source.url).toBe('<masked>');
    const revision = source.commit(projectFiles({}, ['v2']));
    await controller.refresh();
    await controller.idle();
    const after = await get();
    expect(after.source.revision).toBe(revision);
    expect(after.apps.find((a) => a.env === 'dev')?.syncedRevision).toBe(revision);
    // A view changing without the header changing (a sync finishing) is seen too.
    const dev = (await get()).apps.find((a) => a.env === 'dev')!;
    expect(dev.syncedRevision).toBe(revision);
    expect(JSON.stringify(after)).not.toContain('memory://config');
  });

  it('sends a large answer as the mask has it now, again and again', async () => {
    const get = async () =>
      ((await (await fetch(`${base}/api/v1/status`, { headers: bearer })).json()) as ProjectStatus).source.url;
    // A mask that makes the answer megabytes long takes the path that keeps the bytes sent.
    maskAs = `<${'a'.repeat(100_000)}>`;
    expect(await get()).toBe(maskAs);
    expect(await get()).toBe(maskAs);
    maskAs = `<${'b'.repeat(100_000)}>`;
    expect(await get()).toBe(maskAs);
  });

  it('streams the whole status, then each change, to a bearer token', async () => {
    expect((await fetch(`${base}/api/v1/status/stream`)).status).toBe(401);
    const res = await fetch(`${base}/api/v1/status/stream`, { headers: bearer });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const stream = events(res);
    const first = await stream.next();
    expect(first.event).toBe('snapshot');
    const snapshot = first.data as ProjectStatus;
    expect(snapshot.apps.map((a) => `${a.app}/${a.env}`).sort()).toEqual(['web/dev', 'web/prod']);

    const revision = source.commit(projectFiles({}, ['v2']));
    const change = await stream.until<ProjectStatus & { removed: unknown[] }>('change', (c) =>
      c.apps.some((a: AppEnvStatus) => a.env === 'dev' && a.syncedRevision === revision),
    );
    expect(change.project).toBe('shop');
    expect(change.source.revision).toBe(revision);
    await stream.cancel();
  });

  it('streams to a dashboard session signed in by cookie, and masks what it sends', async () => {
    const signIn = await fetch(`${base}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: ADMIN }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const res = await fetch(`${base}/api/v1/status/stream`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const stream = events(res);
    const first = await stream.next();
    expect(first.event).toBe('snapshot');
    expect((first.data as ProjectStatus).source.url).toBe('<masked>');

    // Events written straight to the socket pass the same mask as every other body.
    source.commit(projectFiles({}, ['v2']));
    const change = await stream.until<ProjectStatus>('change', (c) => c.apps.length > 0);
    const text = JSON.stringify(change);
    expect(text).not.toContain('memory://config');
    expect(change.source.url).toBe('<masked>');
    await stream.cancel();
  });

  it('closes with a stream still open', async () => {
    const res = await fetch(`${base}/api/v1/status/stream`, { headers: bearer });
    const stream = events(res);
    expect((await stream.next()).event).toBe('snapshot');
    await app.close();
    await expect(stream.next()).rejects.toThrow(/ended/);
  });
});
