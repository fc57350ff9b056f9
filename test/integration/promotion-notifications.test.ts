import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approve,
  noticeLanding,
  parseArtifactArg,
  promote,
  PromotionService,
  reject,
  setImageInRepo,
  tellVerificationFailed,
  type NotificationEvent,
} from '../../src/promote/index.js';
import { Source } from '../../src/source/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import type { SyncRecord } from '../../src/store/types.js';
import { createConfigRepo, type ConfigRepo } from '../support/config-repo.js';
import { eventually } from '../support/sluice.js';

/**
 * What people are told about promotions, with real git and a real store: `promoted` once the
 * change is synced and verified where it went (once, however often it is synced again), never
 * for a plain dev set-image; a rejected request and a failed verification are told with the
 * ids that tie them to the ledger. The controller's syncs and verifications are recorded by hand.
 */
let dir: string;
let store: Store;
let sent: NotificationEvent[];

const VERIFY = `      verify:
        - { name: version, http: { url: "http://127.0.0.1:1/version" } }
`;

interface Setup {
  repo: ConfigRepo;
  source: Source;
  svc: PromotionService;
}

async function setup(name: string, basePort: number, prodRules: string): Promise<Setup> {
  const repo = createConfigRepo(join(dir, name), { basePort, prodRules });
  const source = await Source.open({ url: repo.url }, { dataDir: join(dir, `${name}-data`) });
  const svc = new PromotionService({ source, store, push: true, notify: (e) => void sent.push(e) });
  return { repo, source, svc };
}

async function synced(env: string, revision: string, arg: string, result: 'Succeeded' | 'Failed' = 'Succeeded') {
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
  if (result === 'Succeeded')
    await store.ledger.recordApplied({
      syncId: s.id,
      project: 'hosted',
      app: 'hello',
      env,
      revision,
      artifacts: [parseArtifactArg(arg)],
    });
  return store.finishSync(s.id, { result, health: 'Healthy', timings: {} });
}

async function verified(sync: SyncRecord, passed: boolean) {
  const at = new Date().toISOString();
  return store.ledger.recordVerification({
    syncId: sync.id,
    project: sync.project,
    app: sync.app,
    env: sync.env,
    revision: sync.revision,
    result: passed ? 'Passed' : 'Failed',
    checks: [{ name: 'version', url: 'http://127.0.0.1:1/version', passed, message: passed ? 'ok' : 'answered 500' }],
    startedAt: at,
    finishedAt: at,
  });
}

const told = (type: string) => sent.filter((e) => e.type === type);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-promo-notify-'));
  store = openStore(join(dir, 'store'));
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('promoted means synced and verified in the target', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup('gated', 45300, `      protected: true\n      promotion: { from: dev, approvals: 1 }\n${VERIFY}`);
    sent = [];
  });

  it('a plain dev set-image is no promotion: nothing is told when it lands', async () => {
    const arg = s.repo.build('1.1.0');
    const out = await s.svc.setImage({ app: 'hello', env: 'dev', actor: 'ci', artifacts: [parseArtifactArg(arg)] });
    expect(await noticeLanding(s.svc, await synced('dev', out.revision!, arg))).toBe(false);
    expect(told('promoted')).toEqual([]);
  });

  it('a rejected request is told with who rejected it and the request id', async () => {
    const out = await promote(s.svc, { app: 'hello', env: 'prod', actor: 'ci' });
    const id = out.promotion!.id;
    expect(told('promotion.awaiting-approval')).toMatchObject([{ promotionId: id, actor: 'ci', fromEnv: 'dev' }]);
    await reject(s.svc, id, { actor: 'alice', comment: 'not on a Friday' });
    await eventually(() => told('promotion.rejected')[0], 5_000, 'promotion.rejected');
    expect(told('promotion.rejected')).toMatchObject([
      {
        app: 'hello',
        env: 'prod',
        actor: 'alice',
        promotionId: id,
        artifacts: [{ tag: '1.1.0' }],
        details: { comment: 'not on a Friday', author: 'ci' },
      },
    ]);
  });

  it('is told after the merged commit synced and passed verification, once', async () => {
    const out = await promote(s.svc, { app: 'hello', env: 'prod', actor: 'ci' });
    const merged = await approve(s.svc, out.promotion!.id, { actor: 'bob' });
    expect(merged.state).toBe('merged');
    const arg = s.repo.build('1.1.0');
    // Committed, but not yet synced: nothing to tell.
    expect(told('promoted')).toEqual([]);
    const failedSync = await synced('prod', merged.revision!, arg, 'Failed');
    expect(await noticeLanding(s.svc, failedSync)).toBe(false);
    const first = await synced('prod', merged.revision!, arg);
    // Synced, but its verification failed: not promoted, and the failure is told.
    const bad = await verified(first, false);
    expect(await noticeLanding(s.svc, first)).toBe(false);
    await tellVerificationFailed(s.svc, bad);
    const again = await synced('prod', merged.revision!, arg);
    const good = await verified(again, true);
    expect(await noticeLanding(s.svc, again)).toBe(true);
    // A later sync of the same revision (drift healed, a restart) tells nothing new.
    const third = await synced('prod', merged.revision!, arg);
    await verified(third, true);
    expect(await noticeLanding(s.svc, third)).toBe(false);
    await eventually(() => (told('promoted').length && told('verification.failed').length ? true : undefined), 5_000);
    expect(told('promoted')).toEqual([
      expect.objectContaining({
        app: 'hello',
        env: 'prod',
        revision: merged.revision,
        actor: 'ci',
        fromEnv: 'dev',
        promotionId: out.promotion!.id,
        syncId: again.id,
        verificationId: good.id,
        artifacts: [expect.objectContaining({ tag: '1.1.0' })],
      }),
    ]);
    expect(told('verification.failed')).toEqual([
      expect.objectContaining({
        revision: merged.revision,
        syncId: first.id,
        verificationId: bad.id,
        artifacts: [expect.objectContaining({ tag: '1.1.0' })],
        details: { failedChecks: [{ name: 'version', message: 'answered 500' }] },
      }),
    ]);
    const events = await store.listEvents({ app: 'hello', env: 'prod', type: 'promoted' });
    expect(events.map((e) => e.data?.revision)).toEqual([merged.revision]);
  });
});

describe('set-image --repo into an environment with promotion rules', () => {
  it('is a promotion, told once the server synced it', async () => {
    const s = await setup('open', 45400, '      promotion: { from: dev }\n');
    sent = [];
    const arg = s.repo.build('2.0.0');
    // The CI job writes with its own scratch store and no notifier, as `sluice set-image --repo` does.
    const scratch = openStore(join(dir, 'scratch'));
    const out = await setImageInRepo(
      { source: s.source, store: scratch },
      { app: 'hello', env: 'prod', actor: 'ci', artifacts: [parseArtifactArg(arg)] },
    );
    await scratch.close();
    expect(out.mode).toBe('committed');
    expect(await noticeLanding(s.svc, await synced('prod', out.revision!, arg))).toBe(true);
    await eventually(() => told('promoted')[0], 5_000, 'promoted');
    expect(told('promoted')).toMatchObject([{ env: 'prod', revision: out.revision, actor: 'ci' }]);
  });
});
