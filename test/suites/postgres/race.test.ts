import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PgStore } from '../../../src/store/postgres/index.js';
import { migrations } from '../../../src/store/postgres/migrations.js';
import {
  openStore,
  StoreConflictError,
  StoreUnavailableError,
  type PromotionState,
  type Store,
} from '../../../src/store/index.js';
import { createDatabase, query, skip, urlOf } from './helpers.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
});
const opened = (s: PgStore): PgStore => (stores.push(s), s);

const request = {
  project: 'shop',
  app: 'hello',
  kind: 'promote' as const,
  fromEnv: 'dev',
  env: 'prod',
  artifacts: [],
  author: 'ana',
  createdAt: '2026-01-01T00:00:00.000Z',
  baseRevision: 'base',
};

// Several controllers sharing one database: each races the others and exactly one wins.
describe.skipIf(skip)('several stores on one PostgreSQL database', () => {
  it('migrates once when several instances start at the same moment', async () => {
    const url = await createDatabase();
    const five = Array.from({ length: 5 }, (_, i) => opened(PgStore.open(url, { instance: `ctl-${i}` })));
    await Promise.all(five.map((s) => s.opened()));
    const applied = await query<{ version: number }>(url, 'SELECT version FROM schema_migrations ORDER BY version');
    expect(applied.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    // Every instance works on the one schema.
    await Promise.all(five.map((s, i) => s.addEvent({ project: 'p', type: `t${i}`, severity: 'info', message: 'm' })));
    expect(await five[0]!.listEvents()).toHaveLength(5);
  });

  it('lets exactly one of two instances move each promotion out of open', async () => {
    const url = await createDatabase();
    const a = opened(PgStore.open(url, { instance: 'ctl-a' }));
    const b = opened(PgStore.open(url, { instance: 'ctl-b' }));
    const ids = await Promise.all(
      Array.from({ length: 20 }, () => a.ledger.createPromotion(request).then((p) => p.id)),
    );
    const move = (s: Store, id: number, state: PromotionState) =>
      s.ledger.updatePromotion(id, { state, message: s === a ? 'by a' : 'by b' }, { state: 'open' }).then(
        () => 'won' as const,
        (e: unknown) => {
          if (e instanceof StoreConflictError) return 'lost' as const;
          throw e;
        },
      );
    const outcomes = await Promise.all(ids.map((id) => Promise.all([move(a, id, 'merged'), move(b, id, 'failed')])));
    for (const [i, [byA, byB]] of outcomes.entries()) {
      expect([byA, byB].sort()).toEqual(['lost', 'won']);
      const p = (await a.ledger.getPromotion(ids[i]!))!;
      expect(p).toMatchObject(
        byA === 'won' ? { state: 'merged', message: 'by a' } : { state: 'failed', message: 'by b' },
      );
    }
  });

  it('commits exactly one of two racing transactions that settle the same request', async () => {
    const url = await createDatabase();
    const a = opened(PgStore.open(url, { instance: 'ctl-a' }));
    const b = opened(PgStore.open(url, { instance: 'ctl-b' }));
    const p = await a.ledger.createPromotion(request);
    const settle = (s: Store, actor: string) =>
      s
        .transaction(async (tx) => {
          await tx.ledger.addApproval({ promotionId: p.id, actor, decision: 'approve', at: 't' });
          await tx.addEvent({ project: 'shop', type: 'promotion.merged', severity: 'info', message: actor });
          return tx.ledger.updatePromotion(p.id, { state: 'merged', message: actor }, { state: 'open' });
        })
        .then(
          () => actor,
          (e: unknown) => {
            if (e instanceof StoreConflictError) return undefined;
            throw e;
          },
        );
    const winners = (await Promise.all([settle(a, 'a'), settle(b, 'b')])).filter(Boolean);
    expect(winners).toHaveLength(1);
    // The loser's approval and event went with its transaction.
    expect((await b.ledger.listApprovals(p.id)).map((x) => x.actor)).toEqual(winners);
    expect((await b.listEvents({ type: 'promotion.merged' })).map((e) => e.message)).toEqual(winners);
    expect((await b.ledger.getPromotion(p.id))!.message).toBe(winners[0]);
  });

  it('grants each scope to exactly one of three instances claiming it at once', async () => {
    const url = await createDatabase();
    const three = ['ctl-a', 'ctl-b', 'ctl-c'].map((i) => opened(PgStore.open(url, { instance: i })));
    const scopes = Array.from({ length: 30 }, (_, i) => ({ project: 'shop', app: `app${i}`, env: 'prod' }));
    const claims = await Promise.all(
      scopes.map((scope) => Promise.all(three.map((s, i) => s.leases.claim(scope, `ctl-${'abc'[i]}`, 60_000)))),
    );
    for (const perScope of claims) expect(perScope.filter(Boolean)).toHaveLength(1);
    const leases = await three[0]!.leases.list('shop');
    expect(leases).toHaveLength(30);
    expect(leases.every((l) => l.token === 1)).toBe(true);
  });

  it('abandons only the syncs of the instance that restarts, while the other runs', async () => {
    const url = await createDatabase();
    const a = opened(PgStore.open(url, { instance: 'ctl-a' }));
    const b = opened(PgStore.open(url, { instance: 'ctl-b' }));
    const sync = {
      project: 'p',
      app: 'x',
      env: 'dev',
      revision: 'r',
      trigger: 'revision' as const,
      reason: 'r',
      dryRun: false,
    };
    const at = new Date().toISOString();
    const mine = await Promise.all([1, 2, 3].map(() => a.startSync({ ...sync, startedAt: at })));
    const theirs = await b.startSync({ ...sync, env: 'prod', startedAt: at });
    const [byA, byB] = await Promise.all([a.abandonRunningSyncs('restart'), b.abandonRunningSyncs('restart')]);
    expect(byA).toBe(3);
    expect(byB).toBe(1);
    for (const s of mine) expect((await b.getSync(s.id))!.error?.code).toBe('SYNC_ABANDONED');
    expect((await a.getSync(theirs.id))!.owner).toBe('ctl-b');
  });
});

describe.skipIf(skip)('openStore with a PostgreSQL location', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-pg-data-'));
  afterEach(() => rmSync(join(dataDir, 'sluice.db'), { force: true }));

  it('opens PostgreSQL for a postgres:// location, and writes nothing to the data directory', async () => {
    const url = await createDatabase();
    const s = openStore(dataDir, { location: url, instance: 'ctl-x' });
    stores.push(s);
    const started = await s.startSync({
      project: 'p',
      app: 'x',
      env: 'dev',
      revision: 'r',
      trigger: 'manual',
      reason: 'r',
      dryRun: false,
      startedAt: new Date().toISOString(),
    });
    expect(started.owner).toBe('ctl-x');
    expect(await query(url, 'SELECT id FROM syncs')).toEqual([{ id: String(started.id) }]);
  });

  it('fails the first call with StoreUnavailableError when nothing answers', async () => {
    const s = openStore(dataDir, {
      location: urlOf('postgres').replace(/@[^/]+/, `@${encodeURIComponent('/nonexistent')}`),
    });
    stores.push(s);
    await expect(s.listSyncs()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(s.listSyncs()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', retry: true });
  });
});
