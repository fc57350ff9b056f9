import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeOutcome } from '../../src/promote/index.js';
import type { ProjectStatus } from '../../src/reconcile/status.js';
import type { PromotionRecord } from '../../src/store/ledger-types.js';
import type { EventRecord } from '../../src/store/types.js';
import { createConfigRepo, runCli, type ConfigRepo } from '../support/config-repo.js';
import { startFakeGithub, type FakeGithub } from '../support/hosted-fakes/github.js';
import {
  eventually,
  freePortBlock,
  adminToken,
  getJson,
  ownedProcesses,
  spawnSluice,
  type SluiceProcess,
} from '../support/sluice.js';

/**
 * A review given on a GitHub pull request reaches Sluice by a signed `pull_request_review`
 * webhook. Requests are read back only once an hour otherwise (the forge is an in-memory
 * server answering like GitHub's REST API; the repository is real).
 */
const SECRET = 'review-hook-secret-31d7';
let dir: string;
let repo: ConfigRepo;
let github: FakeGithub;
let sluice: SluiceProcess;
let port: number;
const api = (path: string) => `http://127.0.0.1:${port}${path}`;
const cli = (...args: string[]) => runCli(['--data-dir', join(dir, 'data'), '--server', api(''), ...args]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-hook-review-'));
  github = await startFakeGithub({ owner: 'acme', repo: 'config', tokens: { 'gh-token': { login: 'sluice-bot' } } });
  const ports = await freePortBlock(30);
  port = ports + 20;
  repo = createConfigRepo(dir, {
    basePort: ports,
    repository: `  repository: { hosting: github, apiUrl: "${github.url}", owner: acme, repo: config, pollInterval: 1h }
  webhooks:
    github: { secretFrom: { env: HOOK_SECRET } }
`,
  });
  sluice = spawnSluice(
    ['--data-dir', join(dir, 'data'), 'serve', '--repo', repo.url, '--port', String(port), '--poll', '1'],
    { SLUICE_GITHUB_TOKEN: 'gh-token', HOOK_SECRET: SECRET },
  );
  await sluice.waitFor('Sluice is serving', 30_000);
}, 60_000);

afterAll(async () => {
  sluice?.child.kill('SIGINT');
  await sluice?.exited;
  for (const p of ownedProcesses(join(dir, 'data'))) process.kill(p.pid, 'SIGKILL');
  await github?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a review webhook', () => {
  it('reads the pull request at once and merges the approved promotion', { timeout: 120_000 }, async () => {
    expect((await cli('set-image', 'hello', '--env', 'dev', repo.build('1.1.0'))).code).toBe(0);
    await eventually(
      async () => {
        const s = await getJson<ProjectStatus>(api('/api/v1/status'), adminToken(join(dir, 'data')));
        const dev = s.apps.find((a) => a.env === 'dev');
        return dev?.syncedRevision === repo.git('rev-parse', 'main') && dev.health === 'Healthy' ? true : undefined;
      },
      60_000,
      'dev synced and healthy',
    );
    const r = await cli('promote', 'hello', '--to', 'prod', '-o', 'json');
    expect(r.code, r.stderr).toBe(0);
    const id = (JSON.parse(r.stdout) as ChangeOutcome).promotion!.id;

    github.review(1, { user: 'alice', state: 'APPROVED' });
    const body = JSON.stringify({ action: 'submitted', review: { state: 'approved' }, pull_request: { number: 1 } });
    const delivery = randomUUID();
    const res = await fetch(api('/api/v1/webhooks/github'), {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'pull_request_review',
        'x-github-delivery': delivery,
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ result: 'reading-request' });

    const merged = await getJson<PromotionRecord>(api(`/api/v1/promotions/${id}`), adminToken(join(dir, 'data')));
    expect(merged.state).toBe('merged');
    const events = await getJson<EventRecord[]>(api('/api/v1/events?limit=200'), adminToken(join(dir, 'data')));
    const received = events.find((e) => e.type === 'webhook.received' && e.data?.delivery === delivery)!;
    const committed = events.find((e) => e.type === 'promote.committed' && e.env === 'prod')!;
    expect(committed.id).toBeGreaterThan(received.id);
  });
});
