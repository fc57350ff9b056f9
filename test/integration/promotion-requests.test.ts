import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approve,
  parseArtifactArg,
  pendingRequestsOf,
  pollRequests,
  promote,
  PromotionService,
} from '../../src/promote/index.js';
import { Source } from '../../src/source/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createConfigRepo, type ConfigRepo } from '../support/config-repo.js';
import { settleRequest } from '../../src/promote/settle.js';

/**
 * Requests that move on their own: a local request whose gate failed after approval merges by
 * itself once the gate passes; approvals count once per identity; one open request per app ×
 * environment × artifacts. Real git and a real store; syncs are recorded as the controller would.
 */
let dir: string;
let repo: ConfigRepo;
let store: Store;
let svc: PromotionService;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-requests-'));
  repo = createConfigRepo(join(dir, 'repo'), {
    basePort: 45200,
    prodRules: '      promotion: { from: dev, approvals: 1 }\n',
  });
  store = openStore(join(dir, 'data'));
  const source = await Source.open({ url: repo.url }, { dataDir: join(dir, 'data') });
  svc = new PromotionService({ source, store, push: true });
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function synced(revision: string, arg: string, result: 'Succeeded' | 'Failed' = 'Succeeded'): Promise<void> {
  const s = await store.startSync({
    project: 'hosted',
    app: 'hello',
    env: 'dev',
    revision,
    trigger: 'revision',
    reason: 'test',
    dryRun: false,
    startedAt: new Date().toISOString(),
  });
  await store.finishSync(s.id, {
    result,
    ...(result === 'Succeeded' ? { health: 'Healthy' } : { error: { code: 'X', message: 'it broke' } }),
    timings: {},
  });
  if (result === 'Succeeded')
    await store.ledger.recordApplied({
      syncId: s.id,
      project: 'hosted',
      app: 'hello',
      env: 'dev',
      revision,
      artifacts: [parseArtifactArg(arg)],
    });
}

describe('promotion requests', () => {
  it('refuse a duplicate, count an approver once, and merge by themselves once a gate passes again', async () => {
    const v = repo.build('1.1.0');
    const set = await svc.setImage({ app: 'hello', env: 'dev', actor: 'ci', artifacts: [parseArtifactArg(v)] });
    await synced(set.revision!, v);

    const opened = await promote(svc, { app: 'hello', env: 'prod', actor: 'ci' });
    expect(opened.mode).toBe('requested');
    const id = opened.promotion!.id;

    await expect(promote(svc, { app: 'hello', env: 'prod', actor: 'bob' })).rejects.toMatchObject({
      code: 'PROMOTE_DUPLICATE_REQUEST',
      message: expect.stringContaining(`#${id}`),
    });
    expect(await store.ledger.listPromotions({ app: 'hello', env: 'prod', state: 'open' })).toHaveLength(1);

    // dev breaks before anyone approves: the approval is recorded, the gate holds the request.
    await synced(set.revision!, v, 'Failed');
    const first = await approve(svc, id, { actor: 'alice' });
    expect(first.state).toBe('open');
    expect(first.gates.find((g) => g.gate === 'source-healthy')?.passed).toBe(false);
    const again = await approve(svc, id, { actor: 'alice' });
    expect(again.approvals.map((a) => a.actor)).toEqual(['alice']);
    expect(again.state).toBe('open');

    // dev is healthy again; nobody runs a command: the next round merges the request.
    await synced(set.revision!, v);
    const poller = pollRequests(pendingRequestsOf(svc), { intervalMs: () => 3_600_000 });
    try {
      await poller.tick();
    } finally {
      poller.close();
    }
    const merged = await svc.getPromotion(id);
    expect(merged.state).toBe('merged');
    expect(repo.git('log', '-1', '--format=%B', 'main')).toContain(`Sluice-Promotion: ${id}`);
    expect(repo.git('log', '-1', '--format=%B', 'main')).toContain('Sluice-Approved-By: alice');
  });

  it('merge once when two controllers sharing the store settle the same request at the same moment', async () => {
    const source2 = await Source.open({ url: repo.url }, { dataDir: join(dir, 'data2') });
    const svc2 = new PromotionService({ source: source2, store, push: true });
    try {
      const v = repo.build('1.2.0');
      const set = await svc.setImage({ app: 'hello', env: 'dev', actor: 'ci', artifacts: [parseArtifactArg(v)] });
      await synced(set.revision!, v);
      const id = (await promote(svc, { app: 'hello', env: 'prod', actor: 'ci' })).promotion!.id;
      // dev breaks before the approval, so the approval does not merge it yet.
      await synced(set.revision!, v, 'Failed');
      expect((await approve(svc, id, { actor: 'alice' })).state).toBe('open');
      await synced(set.revision!, v);

      const [a, b] = await Promise.all([settleRequest(svc, id), settleRequest(svc2, id)]);
      expect([a.state, b.state]).toEqual(['merged', 'merged']);
      const commits = repo.git('log', '--format=%H', '--grep', `Sluice-Promotion: ${id}$`, 'main').trim().split('\n');
      expect(commits).toHaveLength(1);
      expect(a.revision).toBe(commits[0]);
      expect(b.revision).toBe(commits[0]);
      const changes = await store.ledger.listChanges({ app: 'hello', env: 'prod' });
      expect(changes.filter((c) => c.promotionId === id)).toHaveLength(1);
      expect(await store.ledger.listApprovals(id)).toHaveLength(1);
    } finally {
      await source2.close();
    }
  });

  it('merge once when the controller merging a request dies after its push, before recording it', async () => {
    // The second controller's store writes fail from the first transaction on, as if it were
    // killed there: after the push, before the ledger change and the merged request.
    const dying = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'transaction') return () => Promise.reject(new Error('killed'));
        const v = Reflect.get(target, key, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const source2 = await Source.open({ url: repo.url }, { dataDir: join(dir, 'data3') });
    const svc2 = new PromotionService({ source: source2, store: dying, push: true });
    try {
      const v = repo.build('1.3.0');
      const set = await svc.setImage({ app: 'hello', env: 'dev', actor: 'ci', artifacts: [parseArtifactArg(v)] });
      await synced(set.revision!, v);
      const id = (await promote(svc, { app: 'hello', env: 'prod', actor: 'ci' })).promotion!.id;
      await synced(set.revision!, v, 'Failed');
      expect((await approve(svc, id, { actor: 'alice' })).state).toBe('open');
      await synced(set.revision!, v);

      await expect(settleRequest(svc2, id)).rejects.toThrow('killed');
      const pushed = repo.git('log', '--format=%H', '--grep', `Sluice-Promotion: ${id}$`, 'main').trim();
      expect(pushed).toMatch(/^[0-9a-f]{40}$/);
      expect((await store.ledger.getPromotion(id))!.state).toBe('open');

      const merged = await settleRequest(svc, id);
      expect(merged.state).toBe('merged');
      expect(merged.revision).toBe(pushed);
      const changes = (await store.ledger.listChanges({ app: 'hello', env: 'prod' })).filter(
        (c) => c.promotionId === id,
      );
      expect(changes.map((c) => c.revision)).toEqual([pushed]);
      expect(changes[0]!.action).toBe('promote');
      expect(await store.listEvents({ app: 'hello', env: 'prod', type: 'promote.committed' })).toEqual(
        expect.arrayContaining([expect.objectContaining({ data: expect.objectContaining({ revision: pushed }) })]),
      );
    } finally {
      await source2.close();
    }
  });
});
