import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import type { ChangeOutcome, DoraReport, LedgerEntry } from '../../../src/promote/index.js';
import type { ProjectStatus } from '../../../src/reconcile/status.js';
import { chromiumAvailable, launchChromium } from './browser.js';
import { startSluice, type SluiceServer } from './sluice.js';

// Convergence runs real processes on a shared machine: be patient, fail loudly.
const CONVERGE = { timeout: 60_000, interval: 500 };
const SCREENSHOTS = process.env.SLUICE_UI_SCREENSHOTS ?? tmpdir();
const HELLO = resolve(import.meta.dirname, '../../../examples/hello/server.js');
const SOURCE_COMMIT = '4f1c2d3e5a6b7c8d9e0f11223344556677889900';

/**
 * A change's way to prod, seen in the dashboard: set-image to dev and a promotion to staging
 * through the API (as CI would), a promotion to protected prod that waits for a review in the
 * promotions page, then the chain in each timeline and the DORA numbers against the API's.
 */
describe.runIf(chromiumAvailable())('promotion in the dashboard', () => {
  let sluice: SluiceServer;
  let browser: Browser;
  let page: Page;
  let builds: string;
  let digest: string;
  let promotionId: number;

  beforeAll(async () => {
    builds = await mkdtemp(join(tmpdir(), 'sluice-ui-builds-'));
    [sluice, browser] = await Promise.all([startSluice(), launchChromium()]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(30_000);
    await sluice.signIn(page, 'admin');
  });

  afterAll(async () => {
    await browser?.close();
    await sluice?.stop();
    if (builds) await rm(builds, { recursive: true, force: true });
  });

  /** Waits until `env` runs the newest change in its ledger, synced and healthy. */
  const deployed = (env: string, action: string) =>
    expect
      .poll(async () => {
        const last = (await sluice.api<LedgerEntry[]>(`/api/v1/ledger?app=hello&env=${env}`)).at(-1);
        const status = await sluice.api<ProjectStatus>('/api/v1/status');
        const scope = status.apps.find((a) => a.app === 'hello' && a.env === env);
        return [last?.change.action, !!last?.deployedAt, scope?.sync, scope?.health];
      }, CONVERGE)
      .toEqual([action, true, 'Synced', 'Healthy']);

  const newestEntry = async (env: string) =>
    (await sluice.api<LedgerEntry[]>(`/api/v1/ledger?app=hello&env=${env}`)).at(-1)!;

  it('shows a set-image in the dev timeline, from its source commit to the sync that applied it', async () => {
    // Prod checks each replica after every sync, so its timeline has a verification to show.
    const project = parseDocument(await sluice.read('sluice.yaml'));
    const envs = project.getIn(['spec', 'environments']) as {
      items: { get(k: string): unknown; set(k: string, v: unknown): void }[];
    };
    envs.items
      .find((e) => e.get('name') === 'prod')!
      .set('verify', [{ http: { url: 'http://127.0.0.1:${port}/healthz' } }]);
    await sluice.commit({ 'sluice.yaml': project.toString() }, 'Verify prod replicas after each sync');

    // A build of the sample service: any file works as a Process artifact, pinned by its sha256.
    const text = `${await readFile(HELLO, 'utf8')}\n// build 1.1.0\n`;
    const file = join(builds, 'hello-1.1.0.mjs');
    await writeFile(file, text);
    digest = `sha256:${createHash('sha256').update(text).digest('hex')}`;
    const sourceTime = new Date(Date.now() - 10 * 60_000).toISOString();
    const out = await sluice.api<ChangeOutcome>(
      '/api/v1/apps/hello/envs/dev/artifacts',
      {
        artifacts: [`hello=${file}:1.1.0@${digest}`],
        sourceCommit: SOURCE_COMMIT,
        sourceTime,
      },
      'ci',
    );
    expect(out.mode).toBe('committed');

    await page.goto(`${sluice.url}#/apps/hello/envs/dev`);
    const newest = page.getByTestId('timeline-entry').first();
    await expect
      .poll(async () => [await newest.getAttribute('data-action'), await newest.getAttribute('data-status')], CONVERGE)
      .toEqual(['set-image', 'deployed']);
    expect(await newest.getAttribute('data-revision')).toBe(out.revision);
    expect(await newest.getByTestId('entry-source').textContent()).toContain(SOURCE_COMMIT.slice(0, 7));
    const shown = newest.getByTestId('entry-artifacts').getByTestId('digest');
    expect(await shown.textContent()).toBe(digest.slice('sha256:'.length, 'sha256:'.length + 12));
    expect(await shown.getAttribute('title')).toBe(digest);
    expect(await newest.getByTestId('entry-revision').textContent()).toBe(out.revision!.slice(0, 7));
    expect(await newest.getByTestId('entry-author').textContent()).toBe('ci');
    expect(await newest.getByTestId('entry-sync').first().getAttribute('data-result')).toBe('Succeeded');
    // Newest first: the change `sluice init` made comes after it.
    expect(await page.getByTestId('timeline-entry').last().getAttribute('data-action')).toBe('commit');
    await page.screenshot({ path: join(SCREENSHOTS, 'sluice-ui-timeline-dev.png'), fullPage: true });
  });

  it('promotes to staging at once and opens a request for protected prod, counted in the header', async () => {
    await deployed('dev', 'set-image');
    const staging = await sluice.api<ChangeOutcome>('/api/v1/promotions', { app: 'hello', to: 'staging' }, 'ci');
    expect(staging.mode).toBe('committed');
    await deployed('staging', 'promote');

    const prod = await sluice.api<ChangeOutcome>('/api/v1/promotions', { app: 'hello', to: 'prod' }, 'ci');
    expect(prod.mode).toBe('requested');
    promotionId = prod.promotion!.id;
    await expect.poll(() => page.getByTestId('awaiting-badge').textContent(), CONVERGE).toBe('1');
  });

  it('shows in the matrix the version each environment runs, and offers Promote, Rollback and Approve', async () => {
    await page.goto(`${sluice.url}#/`);
    const version = (env: string) => page.getByTestId(`cell-hello-${env}`).getByTestId('cell-version').first();
    await expect.poll(() => version('staging').getAttribute('data-tag'), CONVERGE).toBe('1.1.0');
    expect(await version('dev').getAttribute('data-digest')).toBe(digest);
    expect(await version('dev').textContent()).toContain(digest.slice('sha256:'.length, 'sha256:'.length + 12));
    // Signed in as the admin every action is offered; promote needs an environment before.
    const actions = (env: string) => page.getByTestId(`cell-actions-hello-${env}`);
    await expect
      .poll(() => actions('prod').getByTestId('approve-cell-button').getAttribute('data-promotion'), CONVERGE)
      .toBe(String(promotionId));
    expect(await actions('prod').getByTestId('promote-button').count()).toBe(1);
    expect(await actions('dev').getByTestId('promote-button').count()).toBe(0);
    expect(await actions('dev').getByTestId('rollback-button').count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'sluice-ui-matrix-versions.png'), fullPage: true });
  });

  it('lists the waiting request with its gates; refuses its author, and merges once a second person approves', async () => {
    // The author signs in with a second token of their own that may approve.
    await sluice.signIn(page, 'ci-review');
    await page.getByTestId('nav-promotions').click();
    const card = page.locator(`[data-testid="promotion"][data-promotion-id="${promotionId}"]`);
    await card.waitFor();
    expect(await card.getAttribute('data-state')).toBe('open');
    const verdict = (gate: string) =>
      card.locator(`[data-testid="gate"][data-gate="${gate}"]`).getAttribute('data-verdict');
    expect(await verdict('approvals')).toBe('waiting');
    expect(await verdict('source-healthy')).toBe('passed');
    expect(await card.getByTestId('artifact').getByTestId('digest').getAttribute('title')).toBe(digest);

    // The author of a request to a protected environment may not approve it: the server says why.
    await card.getByTestId('approve-button').click();
    const refusal = card.getByTestId('review-error');
    await refusal.waitFor();
    expect(await refusal.getAttribute('data-code')).toBe('PROMOTE_SELF_APPROVAL');
    expect(await refusal.textContent()).toContain('cannot approve');
    expect(await card.getByTestId('review-hint').textContent()).toMatch(/Hint:.*someone else/);
    await page.screenshot({ path: join(SCREENSHOTS, 'sluice-ui-promotions-refused.png'), fullPage: true });

    await sluice.signIn(page, 'alice');
    await page.getByTestId('nav-promotions').click();
    await card.waitFor();
    await card.getByTestId('review-comment').fill('ship it');
    await card.getByTestId('approve-button').click();
    await expect.poll(() => card.getAttribute('data-state'), CONVERGE).toBe('merged');
    expect(
      await page.getByTestId('closed-promotions').getByTestId('promotion').first().getAttribute('data-promotion-id'),
    ).toBe(String(promotionId));
    const approval = card.locator('[data-testid="approval"][data-actor="alice"]');
    expect(await approval.getAttribute('data-decision')).toBe('approve');
    expect(await approval.textContent()).toContain('ship it');
    await page.getByTestId('awaiting-badge').waitFor({ state: 'detached', timeout: CONVERGE.timeout });
    await page.screenshot({ path: join(SCREENSHOTS, 'sluice-ui-promotions-merged.png'), fullPage: true });

    // The session outlives a reload; the reviewer is who signed in.
    await page.reload();
    expect(await page.getByTestId('signed-in').getAttribute('data-subject')).toBe('user:alice');
  });

  it('shows the prod chain: the same digest, the request with its approval, the commit and its syncs', async () => {
    await page.goto(`${sluice.url}#/apps/hello/envs/prod`);
    const newest = page.getByTestId('timeline-entry').first();
    await expect
      .poll(async () => [await newest.getAttribute('data-action'), await newest.getAttribute('data-status')], CONVERGE)
      .toEqual(['promote', 'deployed']);
    expect(await newest.getByTestId('entry-action').textContent()).toMatch(/from staging/i);
    expect(await newest.getByTestId('entry-artifacts').getByTestId('digest').getAttribute('title')).toBe(digest);
    // Lead time starts at the source commit, so the chain keeps it from dev.
    expect(await newest.getByTestId('entry-source').textContent()).toContain(SOURCE_COMMIT.slice(0, 7));
    const request = newest.getByTestId('entry-request');
    expect(await request.getByTestId('request-id').textContent()).toBe(`#${promotionId}`);
    expect(await request.getByTestId('promotion-state').textContent()).toBe('merged');
    expect(await request.locator('[data-testid="approval"][data-actor="alice"]').count()).toBe(1);
    expect(await newest.getByTestId('entry-sync').first().getAttribute('data-result')).toBe('Succeeded');
    const verification = newest.getByTestId('verification');
    await expect.poll(() => verification.getAttribute('data-result'), CONVERGE).toBe('Passed');
    expect(await verification.getByTestId('check').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'sluice-ui-timeline-prod.png'), fullPage: true });
  });

  it('shows a rollback with the change it undid, and that change as rolled back', async () => {
    const promoted = await newestEntry('prod');
    const out = await sluice.api<{ revision: string; rollbackOf: string }>(
      '/api/v1/apps/hello/envs/prod/rollback',
      { wait: true, timeoutSeconds: 60 },
      'bob',
    );
    expect(out.rollbackOf).toBe(promoted.change.revision);
    const newest = page.getByTestId('timeline-entry').first();
    await expect
      .poll(async () => [await newest.getAttribute('data-action'), await newest.getAttribute('data-status')], CONVERGE)
      .toEqual(['rollback', 'deployed']);
    expect(await newest.getByTestId('undid-revision').getAttribute('title')).toBe(promoted.change.revision);
    const undone = page.locator(`[data-testid="timeline-entry"][data-revision="${promoted.change.revision}"]`);
    await expect.poll(() => undone.getAttribute('data-status'), CONVERGE).toBe('rolled-back');
    expect(await undone.getByTestId('undone-by-revision').getAttribute('title')).toBe(out.revision);
    await page.screenshot({ path: join(SCREENSHOTS, 'sluice-ui-timeline-rollback.png'), fullPage: true });
  });

  it('shows per environment the deployments the DORA API counts, with charts that add up', async () => {
    await deployed('prod', 'rollback');
    await page.getByTestId('nav-dora').click();
    await expect.poll(() => new URL(page.url()).hash).toBe('#/dora');
    for (const env of ['dev', 'staging', 'prod']) {
      const section = page.getByTestId(`dora-${env}`);
      const api = await sluice.api<DoraReport>(`/api/v1/dora?env=${env}&since=30d`);
      expect(api.deployments).toBeGreaterThan(0);
      await expect
        .poll(() => section.getByTestId('deployment-count').textContent(), CONVERGE)
        .toBe(String(api.deployments));
      const bars = await section
        .getByTestId('day-bar')
        .evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-count'))));
      expect(bars.reduce((a, b) => a + b, 0)).toBe(api.deployments);
      expect(await section.getByTestId('lead-point').count()).toBe(
        api.details.filter((d) => d.leadTimeMs !== undefined).length,
      );
    }
    const prod = page.getByTestId('dora-prod');
    expect(await prod.getByRole('img', { name: 'Deployments per day in prod' }).count()).toBe(1);
    expect(await prod.getByTestId('metric-lead-time').textContent()).toMatch(/\d+(\.\d)? (s|min|h|d)/);
    // The promotion was rolled back: one failed deployment of three, restored by the rollback.
    const report = await sluice.api<DoraReport>('/api/v1/dora?env=prod&since=30d');
    expect(report.failedDeployments).toBe(1);
    expect(await prod.getByTestId('metric-failure-rate').getAttribute('data-value')).toBe(
      String(report.changeFailureRate),
    );
    expect(await prod.getByTestId('metric-restore').getAttribute('data-value')).toBe(
      String(report.timeToRestore.medianMs),
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'sluice-ui-dora.png'), fullPage: true });

    await page.getByTestId('window-7').click();
    await expect.poll(() => page.getByTestId('dora-view').getAttribute('data-days')).toBe('7');
    await expect.poll(() => prod.getByTestId('day-bar').count()).toBeGreaterThanOrEqual(7);
    expect(await prod.getByTestId('day-bar').count()).toBeLessThanOrEqual(8);
  });
});
