import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Source } from '../source/index.js';
import { commit, initRepo, tempDir } from '../source/test-support.js';
import { signWith, sshKey } from '../../test/support/signing-keys.js';
import { SqliteStore } from '../store/sqlite/index.js';
import { observeCommits } from './observer.js';

/**
 * Commits with forged Sluice trailers, made with git itself by someone other than Sluice, on a
 * real repository observed into a real SQLite ledger.
 */
const dirs: { remove(): void }[] = [];
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  dirs.splice(0).forEach((d) => d.remove());
});

const sluiceYaml = `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata: { name: shop }
spec:
  targets:
    local: { provider: process }
  environments:
    - { name: dev, target: local }
    - { name: prod, target: local, protected: true, promotion: { from: dev, approvals: 1 } }
  apps:
    - { name: hello, path: apps/hello }
`;
const manifest = (tag: string) => `apiVersion: v1
kind: ConfigMap
metadata: { name: hello, annotations: { tag: "${tag}" } }
`;

/** A commit by Mallory, who writes whatever trailers she likes (and signs with what she holds). */
function handCommit(repo: string, file: string, text: string, message: string, sign: string[] = []): string {
  const abs = join(repo, file);
  mkdirSync(join(abs, '..'), { recursive: true });
  writeFileSync(abs, text);
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'Mallory',
    GIT_AUTHOR_EMAIL: 'mallory@example.com',
    GIT_COMMITTER_NAME: 'Mallory',
    GIT_COMMITTER_EMAIL: 'mallory@example.com',
  };
  execFileSync('git', ['-C', repo, 'add', '-A'], { env });
  execFileSync('git', ['-C', repo, '-c', 'commit.gpgsign=false', ...sign, 'commit', '-q', '-m', message], { env });
  return execFileSync('git', ['-C', repo, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
}

async function setup(extraYaml = '', d = tempDir('sluice-claims-')) {
  dirs.push(d);
  const repo = initRepo(join(d.path, 'config'));
  commit(
    repo,
    {
      'sluice.yaml': sluiceYaml + extraYaml,
      'apps/hello/base/hello.yaml': manifest('base'),
      'apps/hello/overlays/dev/hello.yaml': manifest('1.0.0'),
      'apps/hello/overlays/prod/hello.yaml': manifest('1.0.0'),
    },
    'Start',
  );
  const source = await Source.open({ path: repo }, { dataDir: join(d.path, 'data') });
  const store = new SqliteStore(join(d.path, 'data', 'sluice.db'));
  closers.push(
    () => source.close(),
    () => store.close(),
  );
  await observeCommits(source, store, (await source.fetch()).revision);
  return { repo, source, store };
}

const prodFile = 'apps/hello/overlays/prod/hello.yaml';

describe('claims in trailers are checked, not believed', () => {
  it('flags a hand commit to prod that says it is a rollback by carol, under its real author', async () => {
    const { repo, source, store } = await setup();
    const sha = handCommit(
      repo,
      prodFile,
      manifest('0.9.0'),
      'Roll back hello\n\nSluice-Action: rollback\nSluice-App: hello\nSluice-Env: prod\nSluice-Actor: carol\n',
    );
    const [change] = await observeCommits(source, store, (await source.fetch()).revision);
    expect(change).toMatchObject({ revision: sha, action: 'commit', author: 'Mallory <mallory@example.com>' });
    expect(change!.flagged).toContain('says it is a Sluice rollback, but Sluice did not write it');
    expect(change!.flagged).toContain('committer Mallory <mallory@example.com>');
    const [event] = await store.listEvents({ type: 'change.unapproved' });
    expect(event!.data).toMatchObject({
      revision: sha,
      author: { name: 'Mallory', email: 'mallory@example.com' },
      committer: { name: 'Mallory', email: 'mallory@example.com' },
      claimed: { action: 'rollback', actor: 'carol' },
    });
  });

  it('flags a commit naming a promotion request that merged as another commit', async () => {
    const { repo, source, store } = await setup();
    const merged = handCommit(
      repo,
      prodFile,
      manifest('1.1.0'),
      'Promote hello to prod (#1)\n\nSluice-Action: promote\nSluice-App: hello\nSluice-Env: prod\nSluice-Promotion: 1\n',
    );
    const p = await store.ledger.createPromotion({
      project: 'shop',
      app: 'hello',
      kind: 'promote',
      fromEnv: 'dev',
      env: 'prod',
      artifacts: [],
      author: 'ci',
      createdAt: new Date().toISOString(),
      baseRevision: merged,
    });
    await store.ledger.updatePromotion(p.id, { state: 'merged', revision: merged });
    const [genuine] = await observeCommits(source, store, (await source.fetch()).revision);
    expect(genuine).toMatchObject({ revision: merged, action: 'promote', promotionId: 1 });
    expect(genuine!.flagged).toBeUndefined();

    const forged = handCommit(
      repo,
      prodFile,
      manifest('6.6.6'),
      'Promote hello to prod (#1)\n\nSluice-Action: promote\nSluice-App: hello\nSluice-Env: prod\nSluice-Promotion: 1\nSluice-Actor: carol\n',
    );
    const [change] = await observeCommits(source, store, (await source.fetch()).revision);
    expect(change).toMatchObject({ revision: forged, action: 'commit', author: 'Mallory <mallory@example.com>' });
    expect(change!.promotionId).toBeUndefined();
    expect(change!.flagged).toContain(`names promotion request #1, which merged as ${merged.slice(0, 12)}`);
  });

  it('keeps the change Sluice recorded as it wrote the commit', async () => {
    const { repo, source, store } = await setup();
    const sha = handCommit(
      repo,
      prodFile,
      manifest('0.9.0'),
      'Roll back hello\n\nSluice-Action: rollback\nSluice-App: hello\nSluice-Env: prod\nSluice-Actor: bob\n',
    );
    const recorded = await store.ledger.recordChange({
      project: 'shop',
      app: 'hello',
      env: 'prod',
      revision: sha,
      action: 'rollback',
      subject: 'Roll back hello',
      author: 'bob',
      committedAt: new Date().toISOString(),
      artifacts: [],
    });
    const [change] = await observeCommits(source, store, (await source.fetch()).revision);
    expect(change).toEqual(recorded);
    expect(await store.listEvents({ type: 'change.unapproved' })).toEqual([]);
  });

  it('flags a plain hand commit to prod and leaves dev alone', async () => {
    const { repo, source, store } = await setup();
    handCommit(repo, 'apps/hello/overlays/dev/hello.yaml', manifest('1.2.0'), 'Try 1.2.0 on dev');
    handCommit(repo, prodFile, manifest('1.2.0'), 'Ship 1.2.0 to prod by hand');
    const changes = await observeCommits(source, store, (await source.fetch()).revision);
    expect(changes.map((c) => [c.env, c.flagged === undefined])).toEqual([
      ['dev', true],
      ['prod', false],
    ]);
    expect(changes[1]!.flagged).toContain('is not a Sluice change');
  });

  it("believes a commit carrying Sluice's own signature, and not one signed by another key", async () => {
    const d = tempDir('sluice-claims-');
    const own = sshKey(d.path, 'sluice');
    const other = sshKey(d.path, 'mallory');
    const { repo, source, store } = await setup(
      `  signing:\n    sign: { format: ssh, key: ${JSON.stringify(own.path)} }\n`,
      d,
    );
    const trailers = '\n\nSluice-Action: rollback\nSluice-App: hello\nSluice-Env: prod\nSluice-Actor: bob\n';
    const signed = handCommit(repo, prodFile, manifest('0.9.0'), `Roll back hello${trailers}`, signWith(own));
    const [genuine] = await observeCommits(source, store, (await source.fetch()).revision);
    expect(genuine).toMatchObject({ revision: signed, action: 'rollback', author: 'bob' });
    expect(genuine!.flagged).toBeUndefined();

    const forged = handCommit(repo, prodFile, manifest('0.8.0'), `Roll back hello${trailers}`, signWith(other));
    const [change] = await observeCommits(source, store, (await source.fetch()).revision);
    expect(change).toMatchObject({ revision: forged, action: 'commit' });
    expect(change!.flagged).toContain('says it is a Sluice rollback, but Sluice did not write it');
  });
});
