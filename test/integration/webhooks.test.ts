import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectStatus } from '../../src/reconcile/status.js';
import type { EventRecord } from '../../src/store/types.js';
import { createConfigRepo, type ConfigRepo } from '../support/config-repo.js';
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
 * Signed webhooks against `sluice serve` following a real bare repository that is fetched only
 * once an hour: a commit pushed there is seen quickly only if a webhook asked for the fetch.
 */
const GITHUB_SECRET = 'gh-hook-secret-7c1f0e';
const GITLAB_SECRET = 'gl-hook-token-55aa01';
const GENERIC_SECRET = 'generic-hook-secret-9d2b';

let dir: string;
let repo: ConfigRepo;
let sluice: SluiceProcess;
let port: number;
const api = (path: string) => `http://127.0.0.1:${port}${path}`;
const sign = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function post(path: string, body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(api(path), { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
}

const events = (type: string) =>
  getJson<EventRecord[]>(api(`/api/v1/events?type=${type}&limit=100`), adminToken(join(dir, 'data')));

/** Pushes a commit that changes dev's overlay to the bare repository; returns its revision. */
function pushCommit(message: string): string {
  const work = join(dir, 'work');
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', work, '-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', ...args], {
      encoding: 'utf8',
    }).trim();
  const manifest = join(work, 'apps/hello/overlays/dev/hello.yaml');
  const text = readFileSync(manifest, 'utf8');
  const grace = Number(/terminationGracePeriodSeconds: (\d+)/.exec(text)![1]);
  writeFileSync(
    manifest,
    text.replace(/terminationGracePeriodSeconds: \d+/, `terminationGracePeriodSeconds: ${grace + 1}`),
  );
  git('add', '-A');
  git('commit', '-q', '-m', message);
  git('push', '-q', repo.bare, 'main');
  return git('rev-parse', 'HEAD');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-webhooks-'));
  const ports = await freePortBlock(30);
  port = ports + 20;
  const gitlabSecretFile = join(dir, 'gitlab-secret');
  writeFileSync(gitlabSecretFile, `${GITLAB_SECRET}\n`);
  repo = createConfigRepo(dir, {
    basePort: ports,
    repository: `  webhooks:
    github: { secretFrom: { env: HOOK_SECRET_GITHUB } }
    gitlab: { secretFrom: { file: ${JSON.stringify(gitlabSecretFile)} } }
    generic: { secretFrom: { env: HOOK_SECRET_GENERIC } }
    maxBodySize: 64Ki
`,
  });
  sluice = spawnSluice(
    ['--data-dir', join(dir, 'data'), 'serve', '--repo', repo.url, '--port', String(port), '--poll', '3600'],
    { HOOK_SECRET_GITHUB: GITHUB_SECRET, HOOK_SECRET_GENERIC: GENERIC_SECRET },
  );
  await sluice.waitFor('Sluice is serving', 30_000);
  await eventually(
    async () =>
      (await getJson<ProjectStatus>(api('/api/v1/status'), adminToken(join(dir, 'data')))).source.revision
        ? true
        : undefined,
    30_000,
    'the first fetch',
  );
}, 60_000);

afterAll(async () => {
  sluice?.child.kill('SIGINT');
  await sluice?.exited;
  for (const p of ownedProcesses(join(dir, 'data'))) process.kill(p.pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('webhooks', () => {
  it('refuses unsigned, wrongly signed and oversized deliveries, naming no secret', async () => {
    const body = JSON.stringify({ ref: 'refs/heads/main' });
    const unsigned = await post('/api/v1/webhooks/github', body, {
      'x-github-event': 'push',
      'x-github-delivery': randomUUID(),
    });
    expect(unsigned.status).toBe(401);
    const forged = await post('/api/v1/webhooks/github', body, {
      'x-github-event': 'push',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': sign('not-the-secret', body),
    });
    expect(forged.status).toBe(401);
    const wrongToken = await post('/api/v1/webhooks/gitlab', body, {
      'x-gitlab-event': 'Push Hook',
      'x-gitlab-event-uuid': randomUUID(),
      'x-gitlab-token': `${GITLAB_SECRET}x`,
    });
    expect(wrongToken.status).toBe(401);
    const huge = JSON.stringify({ ref: 'refs/heads/main', pad: 'x'.repeat(70 * 1024) });
    const tooLarge = await post('/api/v1/webhooks/generic', huge, {
      'x-sluice-delivery': randomUUID(),
      'x-sluice-signature-256': sign(GENERIC_SECRET, huge),
    });
    expect(tooLarge.status).toBe(413);

    const rejected = await events('webhook.rejected');
    expect(rejected.length).toBeGreaterThanOrEqual(3);
    expect(rejected.map((e) => e.data?.sender).sort()).toEqual(expect.arrayContaining(['github', 'gitlab']));
    const all = JSON.stringify(rejected);
    for (const secret of [GITHUB_SECRET, GITLAB_SECRET, GENERIC_SECRET]) expect(all).not.toContain(secret);
  });

  it(
    'fetches at once on a signed push to the followed branch, and acts once per delivery id',
    { timeout: 90_000 },
    async () => {
      const revision = pushCommit('Note for dev');
      const body = JSON.stringify({ ref: 'refs/heads/main', after: revision });
      const delivery = randomUUID();
      const headers = {
        'x-github-event': 'push',
        'x-github-delivery': delivery,
        'x-hub-signature-256': sign(GITHUB_SECRET, body),
      };
      const r = await post('/api/v1/webhooks/github', body, headers);
      expect(r.status).toBe(200);
      expect(await r.json()).toMatchObject({ result: 'fetching', delivery });

      // Fetched once an hour otherwise: the new revision is known, and dev's sync of it starts,
      // after the webhook's event.
      await eventually(
        async () =>
          (await getJson<ProjectStatus>(api('/api/v1/status'), adminToken(join(dir, 'data')))).source.revision ===
          revision
            ? true
            : undefined,
        30_000,
        'the pushed revision fetched',
      );
      const received = (await events('webhook.received')).find((e) => e.data?.delivery === delivery)!;
      expect(received).toBeDefined();
      const started = await eventually(
        async () =>
          (await events('sync.started')).find((e) => e.env === 'dev' && e.message.includes(revision.slice(0, 7))),
        30_000,
        "dev's sync of the pushed revision",
      ).catch(async (e: Error) => {
        throw new Error(
          `${e.message}\n${JSON.stringify(await getJson(api('/api/v1/events?limit=60'), adminToken(join(dir, 'data'))), null, 1)}`,
        );
      });
      expect(started.id).toBeGreaterThan(received.id);

      const again = await post('/api/v1/webhooks/github', body, headers);
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ result: 'duplicate', delivery });
    },
  );

  it('takes GitLab tokens and generic signatures, and ignores pushes to other branches', async () => {
    const other = JSON.stringify({ ref: 'refs/heads/feature' });
    const gl = await post('/api/v1/webhooks/gitlab', other, {
      'x-gitlab-event': 'Push Hook',
      'x-gitlab-event-uuid': randomUUID(),
      'x-gitlab-token': GITLAB_SECRET,
    });
    expect(gl.status).toBe(200);
    expect(await gl.json()).toMatchObject({ result: 'ignored' });

    const revision = pushCommit('Another note for dev');
    const body = JSON.stringify({ ref: 'refs/heads/main' });
    const generic = await post('/api/v1/webhooks/generic', body, {
      'x-sluice-delivery': randomUUID(),
      'x-sluice-signature-256': sign(GENERIC_SECRET, body),
    });
    expect(generic.status).toBe(200);
    expect(await generic.json()).toMatchObject({ result: 'fetching' });
    await eventually(
      async () =>
        (await getJson<ProjectStatus>(api('/api/v1/status'), adminToken(join(dir, 'data')))).source.revision ===
        revision
          ? true
          : undefined,
      30_000,
      'the revision pushed before the generic delivery fetched',
    );
  });
});
