import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Controller } from '../../../src/reconcile/index.js';
import { StatusFeed, type AppEnvStatus, type ProjectStatus } from '../../../src/reconcile/index.js';
import { buildApp } from '../../../src/server/app.js';
import { hashToken } from '../../../src/server/auth/tokens.js';
import type { SluiceMetrics } from '../../../src/server/metrics.js';
import { ledgerRoutes } from '../../../src/server/routes/index.js';
import { openStore } from '../../../src/store/index.js';
import type { Store } from '../../../src/store/types.js';
import { chromiumAvailable, launchChromium } from './browser.js';

/**
 * The dashboard with 3,000 app × environment cells (1,000 apps in 3 environments): the real
 * server, auth, event stream and built bundle, with the scopes' views held by a status feed the
 * test drives instead of 3,000 reconciled targets.
 */

const UI_DIR = resolve(import.meta.dirname, '../../../dist/ui');
const ENVS = ['dev', 'staging', 'prod'];
const APPS = Array.from({ length: 1000 }, (_, i) => `app-${String(i).padStart(4, '0')}`);
const ADMIN = 'sluice_large-matrix-admin';
const REVISION = 'a'.repeat(40);

function view(app: string, env: string, sync: AppEnvStatus['sync'] = 'Synced'): AppEnvStatus {
  return {
    app,
    env,
    target: 'local',
    provider: 'process',
    sync,
    health: 'Healthy',
    syncedRevision: REVISION,
    desiredRevision: REVISION,
    resources: [],
    autoSync: true,
    selfHeal: false,
  };
}

/** What the status routes read from the controller: its views and the project around them. */
function fixtureController(feed: StatusFeed) {
  const header = (): Omit<ProjectStatus, 'apps'> => ({
    project: 'big',
    source: { url: 'file:///repo', branch: 'main', revision: REVISION },
    environments: ENVS.map((name) => ({ name, target: 'local', provider: 'process', protected: false })),
  });
  return {
    project: undefined,
    projectName: 'big',
    statusFeed: feed,
    statusHeader: header,
    status: (): ProjectStatus => ({ ...header(), apps: feed.all() }),
  };
}

describe.runIf(chromiumAvailable() && existsSync(join(UI_DIR, 'index.html')))('a matrix of 3,000 cells', () => {
  const feed = new StatusFeed();
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let url: string;
  let browser: Browser;
  let page: Page;
  /** Status the page read by polling rather than from the stream. */
  const polls: string[] = [];

  beforeAll(async () => {
    for (const a of APPS) for (const env of ENVS) feed.set(`${a}/${env}`, view(a, env));
    dir = mkdtempSync(join(tmpdir(), 'sluice-large-matrix-'));
    store = openStore(dir);
    app = buildApp({
      controller: fixtureController(feed) as unknown as Controller,
      store,
      metrics: {} as SluiceMetrics,
      uiDir: UI_DIR,
      adminTokenHash: hashToken(ADMIN),
      routes: [ledgerRoutes(store, () => 'big')],
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.setDefaultTimeout(30_000);
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/v1/status') polls.push(r.url());
    });
    await page.goto(url);
    await page.getByTestId('sign-in-token').fill(ADMIN);
    await page.getByTestId('sign-in-button').click();
    await page.getByTestId('signed-in').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const rows = () => page.locator('[data-testid="matrix"] tbody tr[data-testid^="row-"]');

  it('renders only the rows in view, far fewer than the 1,000 apps', async () => {
    await page.getByTestId('cell-app-0000-dev').waitFor();
    const rendered = await rows().count();
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(100);
    expect(await page.locator('[data-testid^="cell-app-"]').count()).toBeLessThan(300);
    expect(await page.getByTestId('cell-app-0999-prod').count()).toBe(0);
  });

  it('scrolling to the end reveals the last rows and drops the first', async () => {
    await page.getByTestId('matrix-window').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await page.getByTestId('cell-app-0999-prod').waitFor();
    expect(await page.getByTestId('cell-app-0000-dev').count()).toBe(0);
    expect(await rows().count()).toBeLessThan(100);
    await page.getByTestId('matrix-window').evaluate((el) => el.scrollTo({ top: el.scrollHeight / 2 }));
    await page.getByTestId('row-app-0500').or(page.getByTestId('row-app-0499')).first().waitFor();
  });

  it('shows a status change pushed over the event stream, without a reload', async () => {
    await page.getByTestId('matrix-window').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    const cell = page.getByTestId('cell-app-0999-prod');
    await expect.poll(() => cell.getAttribute('data-sync')).toBe('Synced');
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    feed.set('app-0999/prod', view('app-0999', 'prod', 'Failed'));
    await expect.poll(() => cell.getAttribute('data-sync'), { timeout: 30_000 }).toBe('Failed');
    expect(navigations).toEqual([]);
    // The stream carried it: the page never fell back to polling.
    expect(polls).toEqual([]);
  });
});
