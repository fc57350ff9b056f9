import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../../cli/client.js';
import { main } from '../../cli/main.js';
import { ProviderError } from '../../errors/index.js';
import type { Controller } from '../../reconcile/index.js';
import { SqliteStore } from '../../store/sqlite/index.js';
import { buildApp } from '../app.js';
import { hashToken } from '../auth/tokens.js';
import type { SluiceMetrics } from '../metrics.js';

/**
 * The server side of `sluice logs --follow`: lines reach the client while the target is still
 * writing, masked, and the target's reading stops when the client goes away. The target here
 * is a generator the test feeds; the target kinds' own following is tested in their suites.
 */

const ADMIN = 'sluice_test-admin';
const PATH = '/api/v1/apps/web/envs/dev/logs?follow=true';
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function serve(followLogs: (signal: AbortSignal) => AsyncIterable<{ stream: string; text: string }>) {
  const store = new SqliteStore(':memory:');
  const app = buildApp({
    controller: { detail: async () => ({}) } as unknown as Controller,
    store,
    metrics: {} as SluiceMetrics,
    adminTokenHash: hashToken(ADMIN),
    mask: (t) => t.replaceAll('hunter2', '<secret>'),
    readLogs: async () => [],
    followLogs: (_q, signal) => followLogs(signal),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  close = async () => {
    // fetch may have opened a spare connection that never sent a request; the server would wait on it.
    app.server.closeAllConnections();
    await app.close();
    await store.close();
  };
  return new ApiClient(`http://127.0.0.1:${port}`, ADMIN);
}

describe('GET …/logs?follow=true', () => {
  it('sends each line as it is written, masked, and stops the target when the client leaves', async () => {
    let release: (() => void) | undefined;
    let targetStopped = false;
    const api = await serve(async function* (signal) {
      try {
        yield { stream: 'pod/web-1/web', text: 'password=hunter2' };
        // The second line only comes once the client has read the first: it is not buffered to the end.
        await new Promise<void>((r) => (release = r));
        yield { stream: 'pod/web-2/web', text: 'second' };
        await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
      } finally {
        targetStopped = true;
      }
    });
    const stop = new AbortController();
    const got: unknown[] = [];
    for await (const line of api.lines(PATH, stop.signal)) {
      got.push(JSON.parse(line));
      if (got.length === 1) release!();
      if (got.length === 2) stop.abort();
    }
    expect(got).toEqual([
      { stream: 'pod/web-1/web', text: 'password=<secret>' },
      { stream: 'pod/web-2/web', text: 'second' },
    ]);
    await vi.waitFor(() => expect(targetStopped).toBe(true));
  });

  it('answers a refusal before the first line as an error the CLI shows', async () => {
    // eslint-disable-next-line require-yield
    const api = await serve(async function* () {
      throw new ProviderError('KUBE_NO_CONTAINER', 'pod web-1 has no container "db"', { retry: false });
    });
    const reading = (async () => {
      for await (const _ of api.lines(PATH, new AbortController().signal));
    })();
    await expect(reading).rejects.toMatchObject({ code: 'KUBE_NO_CONTAINER' });
  });

  it('sluice logs --follow prints each line as it comes, prefixed with its stream', async () => {
    const api = await serve(async function* () {
      yield { stream: 'pod/web-1/web', text: 'one' };
      yield { stream: 'pod/web-2/proxy', text: 'two' };
    });
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    vi.stubEnv('SLUICE_TOKEN', ADMIN);
    try {
      expect(await main(['logs', 'web', '-e', 'dev', '--follow', '--server', api.baseUrl])).toBe(0);
    } finally {
      write.mockRestore();
      vi.unstubAllEnvs();
    }
    expect(printed).toEqual(['pod/web-1/web | one\n', 'pod/web-2/proxy | two\n']);
  });
});
