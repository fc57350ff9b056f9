import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArtifactArg, promote, PromotionService, rollback } from '../../src/promote/index.js';
import { Source } from '../../src/source/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createConfigRepo, type ConfigRepo } from '../support/config-repo.js';

/**
 * Provenance follows the artifact: promote and rollback copy the source commit, time and CI
 * run of the build they carry, never those of another build that happens to be newer in the
 * source environment. Real git and a real store; the syncs the controller would run are
 * recorded by hand so no process starts.
 */
let dir: string;
let repo: ConfigRepo;
let store: Store;
let svc: PromotionService;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-provenance-'));
  repo = createConfigRepo(join(dir, 'repo'), { basePort: 45100, prodRules: '      promotion: { from: dev }\n' });
  store = openStore(join(dir, 'data'));
  const source = await Source.open({ url: repo.url }, { dataDir: join(dir, 'data') });
  svc = new PromotionService({ source, store, push: true });
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the controller records after syncing `revision` in `env`: a healthy sync that applied `arg`. */
async function synced(env: string, revision: string, arg: string): Promise<void> {
  const s = await store.startSync({
    project: 'hosted',
    app: 'hello',
    env,
    revision,
    trigger: 'revision',
    reason: 'test',
    dryRun: false,
    startedAt: new Date().toISOString(),
  });
  await store.finishSync(s.id, { result: 'Succeeded', health: 'Healthy', timings: {} });
  await store.ledger.recordApplied({
    syncId: s.id,
    project: 'hosted',
    app: 'hello',
    env,
    revision,
    artifacts: [parseArtifactArg(arg)],
  });
}

const newest = async (env: string) => (await store.ledger.listChanges({ app: 'hello', env })).at(-1)!;
const ctx = { app: 'hello', actor: 'ci' };

describe('provenance follows the artifact', () => {
  it('a promoted build keeps its own source commit, not that of a newer build in the source environment', async () => {
    const v13 = repo.build('1.3.0');
    const first = await svc.setImage({
      ...ctx,
      env: 'dev',
      artifacts: [parseArtifactArg(v13)],
      sourceCommit: 'c0ffee13',
      sourceTime: '2026-05-01T09:00:00.000Z',
      ciRun: 'https://ci.example/run/13',
    });
    await synced('dev', first.revision!, v13);
    // 1.4.0 is committed to dev but not synced yet: dev still runs 1.3.0.
    await svc.setImage({
      ...ctx,
      env: 'dev',
      artifacts: [parseArtifactArg(repo.build('1.4.0'))],
      sourceCommit: 'c0ffee14',
      sourceTime: '2026-05-02T09:00:00.000Z',
      ciRun: 'https://ci.example/run/14',
    });

    const out = await promote(svc, { ...ctx, env: 'prod' });
    expect(out.mode).toBe('committed');
    expect(out.artifacts.map((a) => a.tag)).toEqual(['1.3.0']);
    const change = await newest('prod');
    expect(change.revision).toBe(out.revision);
    expect(change).toMatchObject({
      sourceCommit: 'c0ffee13',
      sourceTime: '2026-05-01T09:00:00.000Z',
      ciRun: 'https://ci.example/run/13',
    });
    expect(repo.git('log', '-1', '--format=%B', 'main')).toContain('Sluice-Source-Commit: c0ffee13');
    await synced('prod', out.revision!, v13);
  });

  it('a build with no known source is promoted as unknown, not with a borrowed source', async () => {
    const v15 = repo.build('1.5.0');
    const set = await svc.setImage({ ...ctx, env: 'dev', artifacts: [parseArtifactArg(v15)] });
    await synced('dev', set.revision!, v15);
    const out = await promote(svc, { ...ctx, env: 'prod' });
    expect(out.artifacts.map((a) => a.tag)).toEqual(['1.5.0']);
    const change = await newest('prod');
    expect(change.revision).toBe(out.revision);
    expect(change.sourceCommit).toBeUndefined();
    expect(change.sourceTime).toBeUndefined();
    expect(change.ciRun).toBeUndefined();
  });

  it('a rollback records the provenance of the build it brings back', async () => {
    const out = await rollback(svc, { ...ctx, env: 'prod' });
    expect(out.artifacts.map((a) => a.tag)).toEqual(['1.3.0']);
    const change = await newest('prod');
    expect(change).toMatchObject({ action: 'rollback', revision: out.revision, sourceCommit: 'c0ffee13' });
  });
});

describe('a deliberate rollback', () => {
  it('needs a target and a reason, and is recorded as not a failure', async () => {
    const target = (await store.ledger.listChanges({ app: 'hello', env: 'prod' })).find((c) => c.action === 'promote')!;
    await expect(rollback(svc, { ...ctx, env: 'prod', notAFailure: true, reason: 'retry' })).rejects.toMatchObject({
      code: 'ROLLBACK_NOT_A_FAILURE_NEEDS_REASON',
    });
    await expect(rollback(svc, { ...ctx, env: 'prod', notAFailure: true, to: target.revision })).rejects.toMatchObject({
      code: 'ROLLBACK_NOT_A_FAILURE_NEEDS_REASON',
    });
    // prod runs 1.3.0 again; step to the first promotion's overlay on purpose, e.g. to re-run a migration.
    await svc.setImage({ ...ctx, env: 'prod', artifacts: [parseArtifactArg(repo.build('1.6.0'))] });
    const out = await rollback(svc, {
      ...ctx,
      env: 'prod',
      to: target.revision,
      reason: 're-run the migration',
      notAFailure: true,
    });
    expect(out.artifacts.map((a) => a.tag)).toEqual(['1.3.0']);
    expect(await newest('prod')).toMatchObject({ action: 'rollback', notAFailure: 're-run the migration' });
    expect(repo.git('log', '-1', '--format=%B', 'main')).toContain('Sluice-Not-A-Failure: re-run the migration');
  });
});
