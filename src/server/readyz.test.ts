import { afterAll, describe, expect, it } from 'vitest';
import { Controller } from '../reconcile/controller.js';
import { MemorySource, MemoryTarget, quietLog } from '../reconcile/test-support.js';
import { SqliteStore } from '../store/sqlite/index.js';
import { buildApp } from './app.js';
import type { SluiceMetrics } from './metrics.js';

describe('/readyz', () => {
  const store = new SqliteStore(':memory:');
  const app = buildApp({
    controller: new Controller({
      source: new MemorySource(),
      store,
      log: quietLog,
      createProvider: () => new MemoryTarget(),
    }),
    store,
    metrics: {} as SluiceMetrics,
  });
  afterAll(() => app.close());

  it('is ready without a credential while the store answers, and 503 with the reason once it does not', async () => {
    const ok = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ ready: true, instance: 'local', leader: true, scopesHeld: 0, store: 'ok' });
    await store.close();
    const broken = await app.inject({ method: 'GET', url: '/readyz' });
    expect(broken.statusCode).toBe(503);
    expect(broken.json()).toMatchObject({ ready: false, instance: 'local' });
    expect(broken.json().store).not.toBe('ok');
    // Liveness does not depend on the store: the process answers.
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
