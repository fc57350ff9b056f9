import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DigestHeldError,
  holdFailedDigests,
  liftHold,
  listHolds,
  loadLedger,
  parseArtifactArg,
  promote,
  PromotionService,
  type NotificationEvent,
} from '../../src/promote/index.js';
import { Source } from '../../src/source/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createConfigRepo, type ConfigRepo } from '../support/config-repo.js';

/**
 * A digest whose verification failed in an environment is held there: promoting it again is
 * refused with the reason until someone lifts the hold. Real git and a real store; the syncs
 * and verifications the controller would record are recorded by hand.
 */
let dir: string;
let store: Store;
let repo: ConfigRepo;
let svc: PromotionService;
const sent: NotificationEvent[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-holds-'));
  repo = createConfigRepo(join(dir, 'repo'), { basePort: 45500, prodRules: '      promotion: { from: dev }\n' });
  store = openStore(join(dir, 'store'));
  const source = await Source.open({ url: repo.url }, { dataDir: join(dir, 'data') });
  svc = new PromotionService({ source, store, push: true, notify: (e) => void sent.push(e) });
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function synced(env: string, revision: string, arg: string) {
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
  await store.ledger.recordApplied({
    syncId: s.id,
    project: 'hosted',
    app: 'hello',
    env,
    revision,
    artifacts: [parseArtifactArg(arg)],
  });
  return store.finishSync(s.id, { result: 'Succeeded', health: 'Healthy', timings: {} });
}

describe('holds on bad digests', () => {
  const ctx = { app: 'hello', actor: 'ci' };
  let digest: string;

  it('after a failed verification in prod the digest is held, and promoting it again is refused', async () => {
    const arg = repo.build('1.7.0');
    digest = parseArtifactArg(arg).digest!;
    const dev = await svc.setImage({ ...ctx, env: 'dev', artifacts: [parseArtifactArg(arg)] });
    await synced('dev', dev.revision!, arg);
    const first = await promote(svc, { ...ctx, env: 'prod' });
    expect(first.mode).toBe('committed');
    const sync = await synced('prod', first.revision!, arg);
    const at = new Date().toISOString();
    const v = await store.ledger.recordVerification({
      syncId: sync.id,
      project: 'hosted',
      app: 'hello',
      env: 'prod',
      revision: first.revision!,
      result: 'Failed',
      checks: [{ name: 'version', url: 'http://127.0.0.1:1/version', passed: false, message: 'answered 500' }],
      startedAt: at,
      finishedAt: at,
    });
    const held = await holdFailedDigests(svc, v);
    expect(held.map((h) => h.digest)).toEqual([digest]);
    // A second failure of the same digest does not hold it twice.
    expect(await holdFailedDigests(svc, v)).toEqual([]);
    expect(sent.filter((e) => e.type === 'digest.held')).toMatchObject([
      { env: 'prod', syncId: sync.id, verificationId: v.id, details: { digest } },
    ]);

    // prod was rolled back by hand (or automatically); the same build is promoted again.
    await svc.setImage({ ...ctx, env: 'prod', artifacts: [parseArtifactArg(repo.build('1.0.0'))] });
    const dry = await promote(svc, { ...ctx, env: 'prod', dryRun: true });
    expect(dry.gates).toContainEqual(expect.objectContaining({ gate: 'held', passed: false }));
    const refused = await promote(svc, { ...ctx, env: 'prod' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DigestHeldError);
    expect(refused).toMatchObject({ code: 'HOLD_DIGEST_HELD' });
    expect((refused as Error).message).toContain('answered 500');
    // Held in prod only: dev may still run it.
    expect(await listHolds(svc, { env: 'dev' })).toEqual([]);

    const entry = (await loadLedger(store, { project: 'hosted', app: 'hello', env: 'prod' })).find(
      (e) => e.change.revision === first.revision,
    );
    expect(entry?.holds?.map((h) => h.digest)).toEqual([digest]);
  });

  it('lifting the hold, with a reason, lets the digest be promoted again', async () => {
    await expect(liftHold(svc, { digest, env: 'prod', actor: 'alice', reason: ' ' })).rejects.toMatchObject({
      code: 'HOLD_LIFT_NEEDS_REASON',
    });
    await expect(liftHold(svc, { digest, env: 'stage', actor: 'alice', reason: 'x' })).rejects.toMatchObject({
      code: 'ENV_NOT_FOUND',
    });
    const lifted = await liftHold(svc, { digest, env: 'prod', actor: 'alice', reason: 'the database was down' });
    expect(lifted).toMatchObject({ liftedBy: 'alice', liftReason: 'the database was down' });
    await expect(liftHold(svc, { digest, env: 'prod', actor: 'alice', reason: 'again' })).rejects.toMatchObject({
      code: 'HOLD_NOT_FOUND',
    });
    expect(await listHolds(svc, { env: 'prod' })).toEqual([]);
    expect((await listHolds(svc, { env: 'prod', all: true })).map((h) => h.liftedBy)).toEqual(['alice']);
    const again = await promote(svc, { ...ctx, env: 'prod' });
    expect(again.mode).toBe('committed');
    expect(again.artifacts.map((a) => a.digest)).toEqual([digest]);
  });
});
