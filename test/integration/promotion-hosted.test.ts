import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeOutcome } from '../../src/promote/index.js';
import {
  HostedRequests,
  observeCommits,
  parseArtifactArg,
  pendingRequestsOf,
  pollRequests,
  PromotionService,
} from '../../src/promote/index.js';
import type { ProjectStatus } from '../../src/reconcile/status.js';
import { Source } from '../../src/source/index.js';
import type { PromotionRecord } from '../../src/store/ledger-types.js';
import { openStore } from '../../src/store/index.js';
import { createConfigRepo, runCli, type ConfigRepo } from '../support/config-repo.js';
import { startFakeGithub, type FakeGithub } from '../support/hosted-fakes/github.js';
import { startFakeGitlab } from '../support/hosted-fakes/gitlab.js';
import {
  eventually,
  freePortBlock,
  adminToken,
  createToken,
  getJson,
  ownedProcesses,
  spawnSluice,
  type SluiceProcess,
} from '../support/sluice.js';
import { settleRequest } from '../../src/promote/settle.js';

/**
 * Promotion requests on a config repo hosted on GitHub or GitLab: a real git repository as a
 * file:// remote, and in-memory servers that answer like GitHub's and GitLab's REST APIs.
 */
describe('a protected environment on GitHub, through `sluice serve`', () => {
  let dir: string;
  let repo: ConfigRepo;
  let github: FakeGithub;
  let sluice: SluiceProcess;
  let port: number;
  const api = (path: string) => `http://127.0.0.1:${port}${path}`;
  let ciToken: string;
  // The CLI acts as ci, through a token of its own.
  const cli = (...args: string[]) =>
    runCli(['--data-dir', join(dir, 'data'), '--server', api(''), ...args], { SLUICE_TOKEN: ciToken });
  const promotion = (id: number) =>
    getJson<PromotionRecord & { approvals: { actor: string; decision: string; at: string }[] }>(
      api(`/api/v1/promotions/${id}`),
      adminToken(join(dir, 'data')),
    );

  async function converged(env: string): Promise<void> {
    await eventually(
      async () => {
        const s = await getJson<ProjectStatus>(api('/api/v1/status'), adminToken(join(dir, 'data')));
        const scope = s.apps.find((a) => a.env === env);
        return scope?.syncedRevision === repo.git('rev-parse', 'main') &&
          scope.sync === 'Synced' &&
          scope.health === 'Healthy'
          ? true
          : undefined;
      },
      40_000,
      `${env} synced and healthy at the remote's tip`,
    );
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-hosted-'));
    github = await startFakeGithub({ owner: 'acme', repo: 'config', tokens: { 'gh-token': { login: 'sluice-bot' } } });
    const ports = await freePortBlock(30);
    port = ports + 20;
    repo = createConfigRepo(dir, {
      basePort: ports,
      repository: `  repository: { hosting: github, apiUrl: "${github.url}", owner: acme, repo: config, pollInterval: 1s }\n`,
    });
    sluice = spawnSluice(
      ['--data-dir', join(dir, 'data'), 'serve', '--repo', repo.url, '--port', String(port), '--poll', '1'],
      { SLUICE_GITHUB_TOKEN: 'gh-token' },
    );
    await sluice.waitFor('Sluice is serving', 30_000);
    ciToken = await createToken(join(dir, 'data'), { name: 'ci', role: 'deployer', environments: ['*'], user: 'ci' });
    await converged('prod');
  }, 60_000);

  afterAll(async () => {
    sluice?.child.kill('SIGINT');
    await sluice?.exited;
    for (const p of ownedProcesses(join(dir, 'data'))) process.kill(p.pid, 'SIGKILL');
    await github?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens a pull request, reads an approval given on GitHub back, commits and syncs prod', async () => {
    expect((await cli('set-image', 'hello', '--env', 'dev', repo.build('1.1.0'))).code).toBe(0);
    await converged('dev');
    const base = repo.git('rev-parse', 'main');
    const r = await cli('promote', 'hello', '--to', 'prod', '-o', 'json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as ChangeOutcome;
    expect(out.mode).toBe('requested');
    const id = out.promotion!.id;
    expect(out.promotion!.external).toEqual({
      backend: 'github',
      id: '1',
      url: 'https://github.com/acme/config/pull/1',
    });

    const pull = github.pulls.get(1)!;
    expect(pull.title).toMatch(/^Promote hello from dev to prod: hello=.*:1\.1\.0@sha256:[0-9a-f]+.*\(Sluice #1\)$/);
    expect(pull.head.ref).toBe(`sluice/prod/hello-${id}`);
    expect(pull.base.ref).toBe('main');
    expect(pull.body).toContain('```diff');
    expect(pull.body).toContain('+    sluice.dev/artifact-tag: "1.1.0"');
    // The branch carries the promotion commit on top of the base, with its trailers.
    expect(repo.git('rev-parse', `${pull.head.ref}^`)).toBe(base);
    expect(repo.git('log', '-1', '--format=%B', pull.head.ref)).toMatch(
      /Sluice-Action: promote\n[\s\S]*Sluice-Promotion: 1\n/,
    );
    expect(repo.git('rev-parse', 'main')).toBe(base);

    // The author's own approval does not count on a protected environment.
    github.review(1, { user: 'ci', state: 'APPROVED' });
    // Rounds of reading requests back run one at a time: a second read of the reviews means
    // the first one that saw this approval has been acted on.
    const reviewedAt = github.requests.length;
    const reviewReads = () =>
      github.requests.slice(reviewedAt).filter((r) => r.method === 'GET' && r.path.endsWith('/pulls/1/reviews')).length;
    await eventually(() => (reviewReads() >= 2 ? true : undefined), 20_000, 'the reviews read back twice');
    expect((await promotion(id)).state).toBe('open');

    github.review(1, { user: 'alice', state: 'APPROVED' });
    const merged = await eventually(
      async () => ((await promotion(id)).state === 'merged' ? promotion(id) : undefined),
      20_000,
      'the promotion merged',
    );
    expect(merged.approvals.map((a) => `${a.actor}:${a.decision}`)).toEqual(expect.arrayContaining(['alice:approve']));
    const message = repo.git('log', '-1', '--format=%B', 'main');
    expect(message).toContain('Sluice-Promotion: 1');
    expect(message).toContain('Sluice-Approved-By: ');
    expect(message).toContain('alice');
    expect(repo.git('rev-parse', 'main')).toBe(merged.revision);
    await eventually(() => (pull.state === 'closed' ? true : undefined), 5_000, 'the pull request closed');
    expect(pull.comments.at(-1)!.body).toContain(merged.revision!);
    // The request has ended: its branch is deleted from the remote.
    await eventually(
      () => (repo.git('branch', '--list', pull.head.ref).trim() === '' ? true : undefined),
      5_000,
      'the request branch deleted',
    );
    await converged('prod');
  }, 60_000);

  it('changes requested on GitHub reject the request; nothing is committed', async () => {
    // set-image on a protected environment is a request as well, and needs no synced source.
    const out = JSON.parse(
      (await cli('set-image', 'hello', '--env', 'prod', repo.build('1.2.0'), '-o', 'json')).stdout,
    ) as ChangeOutcome;
    expect(out.mode).toBe('requested');
    expect(github.pulls.get(2)!.head.ref).toBe(`sluice/prod/hello-${out.promotion!.id}`);
    const tip = repo.git('rev-parse', 'main');
    github.review(2, { user: 'bob', state: 'CHANGES_REQUESTED' });
    const rejected = await eventually(
      async () =>
        (await promotion(out.promotion!.id)).state === 'rejected' ? promotion(out.promotion!.id) : undefined,
      20_000,
      'the promotion rejected',
    );
    expect(rejected.message).toContain('bob');
    await eventually(
      () => (github.pulls.get(2)!.state === 'closed' ? true : undefined),
      5_000,
      'the pull request closed',
    );
    await eventually(
      () => (repo.git('branch', '--list', github.pulls.get(2)!.head.ref).trim() === '' ? true : undefined),
      5_000,
      'the request branch deleted',
    );
    expect(repo.git('rev-parse', 'main')).toBe(tip);
  }, 60_000);
});

describe('a protected environment on GitLab, in process', () => {
  it('opens a merge request, counts an approval given there (timed when first seen) and commits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-hosted-gl-'));
    const gitlab = await startFakeGitlab({
      project: 'acme/platform/config',
      tokens: { 'gl-token': { username: 'sluice-bot' } },
    });
    const repo = createConfigRepo(dir, {
      basePort: 41000,
      prodRules: '      protected: true\n',
      repository: `  repository: { hosting: gitlab, apiUrl: "${gitlab.apiUrl}", project: acme/platform/config }\n`,
    });
    const source = await Source.open({ url: repo.url }, { dataDir: join(dir, 'data') });
    const store = openStore(join(dir, 'data'));
    const requests = new HostedRequests({ source, env: { SLUICE_GITLAB_TOKEN: 'gl-token' } });
    const svc = new PromotionService({ source, store, requests });
    const poller = pollRequests(pendingRequestsOf(svc), { intervalMs: () => 100, checkEveryMs: 50 });
    try {
      const out = await svc.setImage({
        app: 'hello',
        env: 'prod',
        actor: 'ci',
        artifacts: [parseArtifactArg(repo.build('2.0.0'))],
      });
      expect(out.mode).toBe('requested');
      const mr = gitlab.mergeRequests.get(1)!;
      expect(mr.source_branch).toBe(`sluice/prod/hello-${out.promotion!.id}`);
      expect(mr.target_branch).toBe('main');
      expect(mr.title).toContain('Set hello in prod to hello=');
      expect(out.promotion!.external?.backend).toBe('gitlab');

      const approvedAt = Date.now();
      gitlab.approve(1, 'sluice-bot'); // the token Sluice opens requests with is no reviewer
      gitlab.approve(1, 'carol');
      const merged = await eventually(
        async () =>
          (await store.ledger.getPromotion(out.promotion!.id))?.state === 'merged'
            ? store.ledger.getPromotion(out.promotion!.id)
            : undefined,
        15_000,
        'merged',
      );
      const approvals = await store.ledger.listApprovals(merged!.id);
      expect(approvals.map((a) => a.actor)).toEqual(['carol']);
      // GitLab gives no time for an approval: it is the moment Sluice first saw it.
      expect(Date.parse(approvals[0]!.at)).toBeGreaterThanOrEqual(approvedAt);
      expect(Date.parse(approvals[0]!.at)).toBeLessThanOrEqual(Date.now());
      expect(repo.git('log', '-1', '--format=%B', 'main')).toMatch(/Sluice-Promotion: 1\nSluice-Approved-By: carol\n/);
      // Closing follows the merge in the ledger.
      await eventually(() => (mr.state === 'closed' ? true : undefined), 5_000, 'the merge request closed');
      expect(mr.notes.at(-1)!.body).toContain(merged!.revision!);

      // Someone merges the next request on GitLab itself after approving it: the head GitLab reports merged is the merge.
      const next = await svc.setImage({
        app: 'hello',
        env: 'prod',
        actor: 'ci',
        artifacts: [parseArtifactArg(repo.build('2.1.0'))],
      });
      const branch = gitlab.mergeRequests.get(2)!.source_branch;
      const head = repo.git('rev-parse', branch);
      repo.git('update-ref', 'refs/heads/main', head);
      // A fast-forward merge: GitLab reports no merge commit, and the head it merged is the one that landed.
      Object.assign(gitlab.mergeRequests.get(2)!, { state: 'merged', sha: head });
      gitlab.approve(2, 'carol');
      const landed = await eventually(
        async () =>
          (await store.ledger.getPromotion(next.promotion!.id))?.state === 'merged'
            ? store.ledger.getPromotion(next.promotion!.id)
            : undefined,
        15_000,
        'merged on the host',
      );
      expect(landed!.revision).toBe(head);
      expect(repo.git('rev-parse', 'main')).toBe(head);
    } finally {
      poller.close();
      source.close();
      await store.close();
      await gitlab.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

/**
 * A commit's `Sluice-Promotion: N` trailer is text anyone with push access can write: only the
 * revision the forge reports a request merged as counts as its merge.
 */
describe('a hosted request is merged by what GitHub reports, not by a trailer', () => {
  it('takes the rebased commit GitHub reports; flags a hand commit naming an open request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-hosted-claims-'));
    const github = await startFakeGithub({
      owner: 'acme',
      repo: 'config',
      tokens: { 'gh-token': { login: 'sluice-bot' } },
    });
    const repo = createConfigRepo(dir, {
      basePort: 41100,
      prodRules: '      protected: true\n',
      repository: `  repository: { hosting: github, apiUrl: "${github.url}", owner: acme, repo: config }\n`,
    });
    const source = await Source.open({ url: repo.url }, { dataDir: join(dir, 'data') });
    const store = openStore(join(dir, 'data'));
    const requests = new HostedRequests({ source, env: { SLUICE_GITHUB_TOKEN: 'gh-token' } });
    const svc = new PromotionService({ source, store, requests });
    // A clone where people other than Sluice commit and push, as they would on the forge.
    const work = join(dir, 'hands');
    const hands = (who: string, ...args: string[]) =>
      execFileSync('git', ['-c', 'commit.gpgsign=false', ...args], {
        cwd: work,
        encoding: 'utf8',
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: who,
          GIT_AUTHOR_EMAIL: `${who.toLowerCase()}@example.com`,
          GIT_COMMITTER_NAME: who,
          GIT_COMMITTER_EMAIL: `${who.toLowerCase()}@example.com`,
        },
      }).trim();
    const observe = async () => observeCommits(source, store, (await source.fetch()).revision);
    try {
      execFileSync('git', ['clone', '-q', repo.url, work]);
      await observe();

      // GitHub rebases request #1 onto main: a new commit, the one GitHub reports as its merge.
      const first = await svc.setImage({
        app: 'hello',
        env: 'prod',
        actor: 'ci',
        artifacts: [parseArtifactArg(repo.build('2.0.0'))],
      });
      const pull = github.pulls.get(1)!;
      hands('GitHub', 'fetch', '-q', 'origin');
      hands('GitHub', 'cherry-pick', `origin/${pull.head.ref}`);
      hands('GitHub', 'push', '-q', 'origin', 'HEAD:main');
      const rebased = hands('GitHub', 'rev-parse', 'HEAD');
      Object.assign(pull, {
        head: { ...pull.head, sha: repo.git('rev-parse', pull.head.ref) },
        state: 'closed',
        merged: true,
        merged_at: new Date().toISOString(),
        merge_commit_sha: rebased,
      });
      await source.fetch();
      expect(await settleRequest(svc, first.promotion!.id)).toMatchObject({ state: 'merged', revision: rebased });
      const [landed] = await observe();
      expect(landed).toMatchObject({ revision: rebased, action: 'set-image', promotionId: first.promotion!.id });
      expect(landed!.flagged).toBeUndefined();

      // Request #2 is open and unapproved; Mallory pushes its content herself, naming it.
      const second = await svc.setImage({
        app: 'hello',
        env: 'prod',
        actor: 'ci',
        artifacts: [parseArtifactArg(repo.build('2.1.0'))],
      });
      const id = second.promotion!.id;
      hands('Mallory', 'fetch', '-q', 'origin');
      hands('Mallory', 'checkout', '-q', `origin/${github.pulls.get(2)!.head.ref}`, '--', 'apps/hello/overlays/prod');
      hands(
        'Mallory',
        'commit',
        '-q',
        '-m',
        `Set hello in prod (#${id})\n\nSluice-Action: set-image\nSluice-App: hello\nSluice-Env: prod\nSluice-Actor: carol\nSluice-Promotion: ${id}\n`,
      );
      hands('Mallory', 'push', '-q', 'origin', 'HEAD:main');
      const forged = hands('Mallory', 'rev-parse', 'HEAD');
      await source.fetch();
      const after = await settleRequest(svc, id);
      expect(after.state).toBe('open');
      expect(after.revision).toBeUndefined();

      const [change] = await observe();
      expect(change).toMatchObject({ revision: forged, action: 'commit', author: 'Mallory <mallory@example.com>' });
      expect(change!.promotionId).toBeUndefined();
      expect(change!.flagged).toContain(`names promotion request #${id}, which is open and has not merged`);
      const events = await store.listEvents({ type: 'change.unapproved' });
      expect(events.find((e) => (e.data as { revision?: string }).revision === forged)?.data).toMatchObject({
        author: { name: 'Mallory', email: 'mallory@example.com' },
        committer: { name: 'Mallory', email: 'mallory@example.com' },
      });
    } finally {
      source.close();
      await store.close();
      await github.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
