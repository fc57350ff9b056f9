import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PromotionService } from '../../promote/index.js';
import type { Controller } from '../../reconcile/index.js';
import { SqliteStore } from '../../store/sqlite/index.js';
import { buildApp } from '../app.js';
import type { SluiceMetrics } from '../metrics.js';
import { ledgerRoutes, promotionRoutes, signInOptionsRoute } from '../routes/index.js';
import { PUBLIC_ROUTES, ruleFor } from './permissions.js';
import { hashToken } from './tokens.js';

const ui = mkdtempSync(join(tmpdir(), 'sluice-ui-'));
writeFileSync(join(ui, 'index.html'), '<!doctype html><title>x</title>');
const store = new SqliteStore(':memory:');
afterAll(async () => {
  await store.close();
  rmSync(ui, { recursive: true, force: true });
});

describe('the route → permission table', () => {
  it('covers every registered route, or the route is public by its own registration', async () => {
    // The server as the runtime assembles it; no route handler runs here.
    const app = buildApp({
      controller: {} as Controller,
      store,
      metrics: {} as SluiceMetrics,
      uiDir: ui,
      routes: [
        signInOptionsRoute(false),
        promotionRoutes({} as PromotionService, () => 'p'),
        ledgerRoutes(store, () => 'p'),
      ],
    });
    await app.ready();
    const routes = app.sluiceRoutes;
    expect(routes.length).toBeGreaterThan(20);
    const unchecked = routes.filter((r) => r.config?.auth !== 'public' && !ruleFor(r.method, r.url));
    expect(unchecked.map((r) => `${r.method} ${r.url}`)).toEqual([]);
    // What is public is public on purpose: health, sign-in and the dashboard's files.
    const open = new Set(routes.filter((r) => r.config?.auth === 'public').map((r) => r.url));
    expect([...open].filter((u) => u.startsWith('/api/'))).toEqual(['/api/v1/session']);
    expect(open.has('/healthz')).toBe(true);
    expect(open.has('/readyz')).toBe(true);
    expect(open.has('/auth/oidc/config')).toBe(true);
    const listed = routes.filter(
      (r) => r.config?.auth === 'public' && !r.url.startsWith('/*') && r.url !== '/' && r.method !== 'HEAD',
    );
    expect(listed.map((r) => `${r.method} ${r.url}`).filter((r) => !PUBLIC_ROUTES.includes(r))).toEqual([]);
    expect(open.has('/metrics')).toBe(false);
    await app.close();
  });

  it('refuses a route with no rule to everyone, admin included', async () => {
    const admin = 'sluice_test-admin';
    const withAdmin = buildApp({
      controller: {} as Controller,
      store,
      metrics: {} as SluiceMetrics,
      adminTokenHash: hashToken(admin),
      routes: [(a) => a.post('/api/v1/unlisted', async () => ({ done: true }))],
    });
    const r = await withAdmin.inject({
      method: 'POST',
      url: '/api/v1/unlisted',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ code: 'AUTH_NO_RULE' });
    await withAdmin.close();
  });
});
