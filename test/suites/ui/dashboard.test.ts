import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { chromiumAvailable, launchChromium } from './browser.js';
import { startSluice, type SluiceServer } from './sluice.js';

const ENVS = ['dev', 'staging', 'prod'];
const SYNC = ['Synced', 'OutOfSync', 'Syncing', 'Failed', 'Stalled', 'Unknown'];
const HEALTH = ['Healthy', 'Progressing', 'Degraded', 'Missing', 'Suspended', 'Unknown'];
// Convergence runs real processes on a shared machine: be patient, fail loudly.
const CONVERGE = { timeout: 60_000, interval: 500 };
const SCREENSHOTS = process.env.SLUICE_UI_SCREENSHOTS ?? tmpdir();

describe.runIf(chromiumAvailable())('dashboard against sluice serve', () => {
  let sluice: SluiceServer;
  let browser: Browser;
  let page: Page;
  let fixDev: () => Promise<unknown> = () => Promise.reject(new Error('the dev overlay was never broken'));

  beforeAll(async () => {
    [sluice, browser] = await Promise.all([startSluice(), launchChromium()]);
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.setDefaultTimeout(30_000);
    await sluice.signIn(page, 'admin');
  });

  afterAll(async () => {
    await browser?.close();
    await sluice?.stop();
  });

  const cell = (env: string) => page.getByTestId(`cell-hello-${env}`);
  const openMatrix = async () => {
    await page.goto(sluice.url);
    await page.getByTestId('matrix').waitFor();
  };

  it('shows every app × environment with sync and health badges', async () => {
    await openMatrix();
    await expect.poll(() => page.getByTestId('project-name').textContent()).not.toBe('…');
    await expect.poll(() => page.getByTestId('source-revision').textContent()).toMatch(/^[0-9a-f]{7}$/);
    // Reachable by role and name, the way assistive technology finds them.
    const matrix = page.getByRole('table', { name: 'Apps by environment' });
    await matrix.getByRole('columnheader', { name: /staging/ }).waitFor();
    await matrix.getByRole('link', { name: /^hello in dev: \w+, \w+, revision / }).waitFor();
    for (const env of ENVS) {
      await page.getByTestId(`env-${env}`).waitFor();
      expect(SYNC).toContain(await cell(env).getByTestId('sync-badge').textContent());
      expect(HEALTH).toContain(await cell(env).getByTestId('health-badge').textContent());
    }
  });

  it('shows a cell Synced and Healthy once the server converges', async () => {
    await expect
      .poll(
        async () => [await cell('dev').getAttribute('data-sync'), await cell('dev').getAttribute('data-health')],
        CONVERGE,
      )
      .toEqual(['Synced', 'Healthy']);
    await expect.poll(() => cell('dev').getByTestId('revision').textContent()).toMatch(/^[0-9a-f]{7}$/);
    await expect.poll(() => cell('dev').getByTestId('last-sync').textContent()).toMatch(/ago|just now/);
    await page.screenshot({ path: join(SCREENSHOTS, 'sluice-ui-matrix.png'), fullPage: true });
  });

  it('opens the detail of a cell with its last syncs and plan', async () => {
    await cell('dev').click();
    await expect.poll(() => new URL(page.url()).hash).toBe('#/apps/hello/envs/dev');
    const detail = page.getByTestId('detail');
    await detail.getByTestId('sync-row').first().waitFor();
    await detail.getByTestId('plan').waitFor();
    expect(await detail.getByTestId('sync-row').first().getAttribute('data-result')).toMatch(/Succeeded|Running/);
    expect(await detail.getByTestId('resources').getByTestId('resource').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'sluice-ui-detail.png'), fullPage: true });
  });

  it('shows the containers of the cell as the target reports them', async () => {
    await page.goto(`${sluice.url}#/apps/hello/envs/dev`);
    const table = page.getByTestId('containers-section').getByTestId('containers');
    await table.waitFor();
    const { containers } = await sluice.api<{
      containers: { name: string; image: string; digest?: string; ports: { published: number; target: number }[] }[];
    }>('/api/v1/apps/hello/envs/dev/containers');
    expect(containers.length).toBeGreaterThan(0);
    const rows = table.getByTestId('container');
    await expect
      .poll(async () => (await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-name')))).sort(), CONVERGE)
      .toEqual(containers.map((c) => c.name).sort());
    for (const c of containers) {
      const row = table.locator(`[data-testid="container"][data-name="${c.name}"]`);
      expect(await row.getByTestId('container-state').textContent()).toBe('ready');
      expect(await row.getByTestId('container-health').textContent()).toBe('healthy');
      expect(await row.getByTestId('container-ports').textContent()).toBe(
        c.ports.map((p) => `${p.published} → ${p.target}`).join(''),
      );
      expect(await row.getByTestId('container-restarts').textContent()).toBe('0');
      // The sample runs a command with no pinned artifact: what it runs, and no digest to show.
      expect(await row.getByTestId('container-image').textContent()).toContain(c.image);
      expect(c.digest).toBeUndefined();
      expect(await row.getByTestId('container-image').textContent()).toContain('no digest');
    }
  });

  it('queues a sync from the Sync button and lists it in the syncs table', async () => {
    const before = await syncIds(page);
    await page.getByTestId('sync-button').click();
    await expect.poll(() => page.getByTestId('sync-outcome').textContent()).toContain('queued');
    await expect.poll(async () => (await syncIds(page)).some((id) => id > Math.max(0, ...before)), CONVERGE).toBe(true);
    const newest = page.getByTestId('sync-row').first();
    expect(await newest.getAttribute('data-trigger')).toBe('manual');
  });

  it('shows the plan of a dry run without applying anything', async () => {
    const before = await syncIds(page);
    await page.getByTestId('dry-run-button').click();
    await page.getByTestId('dry-run-plan').waitFor();
    expect(await page.getByTestId('dry-run-plan').getByTestId('plan-summary').textContent()).toMatch(
      /\+\d+ ~\d+ -\d+ =\d+/,
    );
    // A dry run may be recorded, but never as an applying sync.
    const rows = page.getByTestId('sync-row');
    for (let i = 0; i < (await rows.count()); i++) {
      const id = Number(await rows.nth(i).getAttribute('data-sync-id'));
      if (!before.includes(id)) expect(await rows.nth(i).textContent()).toContain('dry run');
    }
  });

  it('shows the pending diff while auto-sync is off and applies it from the Sync button', async () => {
    // Staging stops following Git on its own, so a change waits there for a person.
    const project = parseDocument(await sluice.read('sluice.yaml'));
    const envs = project.getIn(['spec', 'environments']) as {
      items: { get(k: string): unknown; set(k: string, v: unknown): void }[];
    };
    envs.items.find((e) => e.get('name') === 'staging')!.set('sync', 'manual');
    await sluice.commit({ 'sluice.yaml': project.toString() }, 'Sync staging by hand');
    await page.goto(`${sluice.url}#/apps/hello/envs/staging`);
    await expect.poll(() => page.getByTestId('auto-sync').getAttribute('data-value'), CONVERGE).toBe('off');

    // Scale staging: a field the diff shows in clear (env values are masked).
    const file = await overlayFile(sluice, 'staging');
    const before = await sluice.read(file);
    const replicas = Number(/replicas: (\d+)/.exec(before)?.[1]);
    expect(replicas, `${file} sets no replicas`).toBeGreaterThan(0);
    const scaled = replicas > 1 ? replicas - 1 : replicas + 1;
    await sluice.commit({ [file]: before.replace(/replicas: \d+/, `replicas: ${scaled}`) }, 'Scale staging');

    await expect.poll(() => page.getByTestId('detail').getAttribute('data-sync'), CONVERGE).toBe('OutOfSync');
    const change = page.getByTestId('plan').getByTestId('change').first();
    await change.waitFor();
    expect(await change.getAttribute('data-action')).toBe('update');
    const diff = change.getByTestId('diff');
    expect(await diff.locator('.diff-del').allTextContents()).toContainEqual(
      expect.stringMatching(`replicas.*${replicas}`),
    );
    expect(await diff.locator('.diff-add').allTextContents()).toContainEqual(
      expect.stringMatching(`replicas.*${scaled}`),
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'sluice-ui-diff.png'), fullPage: true });

    const synced = await syncIds(page);
    await page.getByTestId('sync-button').click();
    await expect
      .poll(
        async () => [await page.getByTestId('detail').getAttribute('data-sync'), (await syncIds(page))[0]],
        CONVERGE,
      )
      .toEqual(['Synced', expect.toSatisfy((id: number) => id > Math.max(0, ...synced))]);
    const newest = page.getByTestId('sync-row').first();
    expect([await newest.getAttribute('data-trigger'), await newest.getAttribute('data-result')]).toEqual([
      'manual',
      'Succeeded',
    ]);
    expect(await newest.getByTestId('plan-summary').textContent()).toContain('~1');
  });

  it('shows a broken commit as Stalled with its file and line, in the matrix and the detail', async () => {
    const file = await overlayFile(sluice, 'dev');
    const original = await sluice.read(file);
    const broken = `${original}${original.endsWith('\n') ? '' : '\n'}this: is: not valid yaml\n`;
    const line = broken.split('\n').indexOf('this: is: not valid yaml') + 1;
    await sluice.commit({ [file]: broken }, 'Break the dev overlay');

    await openMatrix();
    await expect.poll(() => cell('dev').getAttribute('data-sync'), CONVERGE).toBe('Stalled');
    expect(await cell('dev').getByTestId('cell-error').textContent()).toBe(`${file}:${line}`);
    // Only the broken overlay fails; the other environments take the new revision as usual.
    await expect.poll(() => cell('staging').getAttribute('data-sync'), CONVERGE).toBe('Synced');
    await page.screenshot({ path: join(SCREENSHOTS, 'sluice-ui-matrix-failed.png'), fullPage: true });

    await cell('dev').click();
    const box = page.getByTestId('error-box');
    await box.waitFor();
    expect(await box.getByTestId('error-location').textContent()).toBe(`${file}:${line}`);
    await page.screenshot({ path: join(SCREENSHOTS, 'sluice-ui-failed.png'), fullPage: true });
    fixDev = () => sluice.commit({ [file]: original }, 'Fix the dev overlay');
  });

  it('clears the failure once a fix is committed', async () => {
    await fixDev();
    await expect.poll(() => page.getByTestId('detail').getAttribute('data-sync'), CONVERGE).toBe('Synced');
    expect(await page.getByTestId('error-box').count()).toBe(0);
  });

  it('shows a config repo that cannot be read in the header, and clears it when it is back', async () => {
    await openMatrix();
    const restore = await sluice.hideRepo();
    try {
      const sourceError = page.getByTestId('source-error');
      await sourceError.waitFor({ timeout: CONVERGE.timeout });
      expect(await sourceError.textContent()).toMatch(/Cannot fetch the config repo:.+\S/);
      await page.screenshot({ path: join(SCREENSHOTS, 'sluice-ui-source-error.png') });
    } finally {
      await restore();
    }
    await page.getByTestId('source-error').waitFor({ state: 'detached', timeout: CONVERGE.timeout });
  });

  it('shows an invalid sluice.yaml with its file and line above the matrix', async () => {
    const original = await sluice.read('sluice.yaml');
    const project = parseDocument(original);
    project.setIn(['spec', 'environments'], 'not a list');
    await sluice.commit({ 'sluice.yaml': project.toString() }, 'Break sluice.yaml');
    const box = page.getByTestId('project-error');
    await box.waitFor({ timeout: CONVERGE.timeout });
    expect(await box.getByTestId('error-location').textContent()).toMatch(/^sluice\.yaml:\d+$/);
    await page.screenshot({ path: join(SCREENSHOTS, 'sluice-ui-project-error.png'), fullPage: true });

    await sluice.commit({ 'sluice.yaml': original }, 'Fix sluice.yaml');
    await box.waitFor({ state: 'detached', timeout: CONVERGE.timeout });
  });

  it('says the server is unreachable when it goes away', async () => {
    await sluice.stop();
    await page.getByTestId('connection-banner').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('connection-banner').textContent()).toContain('unreachable');
    await page.screenshot({ path: join(SCREENSHOTS, 'sluice-ui-unreachable.png'), fullPage: true });
  });
});

async function syncIds(page: Page): Promise<number[]> {
  const ids = await page.getByTestId('sync-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-sync-id')));
  return ids.map(Number);
}

// The sample app's overlay for one environment; `sluice init` decides its file names.
async function overlayFile(sluice: SluiceServer, env: string): Promise<string> {
  const files = (await sluice.files()).filter((f) => f.startsWith(`apps/hello/overlays/${env}/`) && /\.ya?ml$/.test(f));
  const file = files.find((f) => /kustomization\.ya?ml$/.test(f)) ?? files[0];
  if (!file) throw new Error(`no overlay for ${env} in the config repo: ${(await sluice.files()).join(', ')}`);
  return file;
}
