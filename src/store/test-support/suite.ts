import { afterEach, describe, expect, it } from 'vitest';
import { LeaseLostError, StoreConflictError } from '../errors.js';
import { canonicalJson, chainHash, GENESIS_HASH, verifyChain } from '../ledger-chain.js';
import type { GateResult, NewPromotion } from '../ledger-types.js';
import type { NewSync, Store, SyncResult } from '../types.js';

/** One empty database per call; `open` opens a store on it, as often as a test wants. */
export interface StoreHarness {
  database(): Promise<{ open(instance?: string): Store }>;
}

const base = {
  project: 'shop',
  app: 'hello',
  env: 'dev',
  revision: 'abc',
  trigger: 'revision' as const,
  reason: 'new revision',
  dryRun: false,
  startedAt: new Date().toISOString(),
};

const request: NewPromotion = {
  project: 'shop',
  app: 'hello',
  kind: 'promote',
  fromEnv: 'dev',
  env: 'prod',
  artifacts: [{ kind: 'image', name: 'hello', ref: 'registry.example/hello', digest: `sha256:${'a'.repeat(64)}` }],
  author: 'ana',
  createdAt: '2026-01-01T00:00:00.000Z',
  baseRevision: 'base1',
};

/**
 * What every store must do, whichever database holds it: run by src/store/sqlite/store.test.ts
 * on SQLite and by test/suites/postgres on a real PostgreSQL.
 */
export function storeSuite(name: string, harness: StoreHarness): void {
  const open: Store[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close().catch(() => undefined);
  });
  const database = async () => {
    const db = await harness.database();
    return {
      open(instance?: string): Store {
        const s = db.open(instance);
        open.push(s);
        return s;
      },
    };
  };

  describe(`${name}: syncs and events`, () => {
    it('records a sync from start to finish and lists newest first per scope', async () => {
      const s = (await database()).open();
      const a = await s.startSync(base);
      expect(a.result).toBe('Running');
      await s.finishSync(a.id, {
        result: 'Succeeded',
        plan: { create: 1, update: 0, delete: 0, unchanged: 0 },
        health: 'Healthy',
        timings: { render: 3 },
      });
      const b = await s.startSync({ ...base, env: 'prod', trigger: 'manual', actor: 'ana' });
      await s.finishSync(b.id, {
        result: 'Failed',
        error: { code: 'RENDER', message: 'bad', file: 'x.yaml', line: 3 },
        timings: {},
      });
      const dev = await s.listSyncs({ env: 'dev' });
      expect(dev).toHaveLength(1);
      expect(dev[0]).toMatchObject({
        result: 'Succeeded',
        plan: { create: 1 },
        health: 'Healthy',
        timings: { render: 3 },
        dryRun: false,
      });
      expect(typeof dev[0]!.id).toBe('number');
      const all = await s.listSyncs();
      expect(all.map((r) => r.env)).toEqual(['prod', 'dev']);
      expect(all[0]).toMatchObject({ actor: 'ana', error: { file: 'x.yaml', line: 3 } });
      expect((await s.listSyncs({ beforeId: b.id })).map((r) => r.id)).toEqual([a.id]);
      expect((await s.listSyncs({ result: 'Failed' })).map((r) => r.id)).toEqual([b.id]);
      expect(await s.getSync(b.id + 1000)).toBeUndefined();
    });

    it('filters dry runs from real syncs', async () => {
      const s = (await database()).open();
      const dry = await s.startSync({ ...base, dryRun: true });
      const real = await s.startSync(base);
      expect((await s.listSyncs({ dryRun: true })).map((r) => r.id)).toEqual([dry.id]);
      expect((await s.listSyncs({ dryRun: false })).map((r) => r.id)).toEqual([real.id]);
      expect((await s.getSync(dry.id))!.dryRun).toBe(true);
    });

    it("reads every scope's last real sync and last succeeded one in one call", async () => {
      const s = (await database()).open();
      const sync = async (app: string, env: string, result: SyncResult, more: Partial<NewSync> = {}) => {
        const started = await s.startSync({ ...base, app, env, ...more });
        return result === 'Running' ? started : s.finishSync(started.id, { result, health: 'Healthy', timings: {} });
      };
      // hello/dev: succeeded, then failed; a later dry run changes nothing.
      const helloOk = await sync('hello', 'dev', 'Succeeded', { revision: 'r1' });
      const helloFailed = await sync('hello', 'dev', 'Failed', { revision: 'r2' });
      await sync('hello', 'dev', 'Succeeded', { dryRun: true });
      // hello/prod: succeeded, then one still running.
      const prodOk = await sync('hello', 'prod', 'Succeeded');
      const prodRunning = await sync('hello', 'prod', 'Running');
      // shop/api: never succeeded; only dry runs in web/dev; no sync at all in web/prod.
      const apiFailed = await sync('api', 'dev', 'Failed');
      await sync('web', 'dev', 'Succeeded', { dryRun: true });
      // Another project's scope of the same names.
      await sync('hello', 'dev', 'Succeeded', { project: 'other' });
      const scopes = ['hello/dev', 'hello/prod', 'api/dev', 'web/dev', 'web/prod'].map((k) => {
        const [app, env] = k.split('/') as [string, string];
        return { app, env };
      });

      const latest = await s.latestSyncs('shop', scopes);
      const byScope = new Map(latest.map((l) => [`${l.lastSync.app}/${l.lastSync.env}`, l]));
      expect([...byScope.keys()].sort()).toEqual(['api/dev', 'hello/dev', 'hello/prod']);
      expect(byScope.get('hello/dev')).toEqual({ lastSync: helloFailed, lastSucceeded: helloOk });
      expect(byScope.get('hello/prod')).toEqual({ lastSync: prodRunning, lastSucceeded: prodOk });
      expect(byScope.get('api/dev')).toEqual({ lastSync: apiFailed });
      // Mapped as listSyncs maps them.
      expect(byScope.get('hello/dev')!.lastSync).toEqual(
        (await s.listSyncs({ project: 'shop', app: 'hello', env: 'dev', dryRun: false }))[0],
      );
      // Only the scopes asked for.
      expect(await s.latestSyncs('shop', [{ app: 'api', env: 'dev' }])).toEqual([{ lastSync: apiFailed }]);
      expect(await s.latestSyncs('shop', [])).toEqual([]);
      expect(await s.latestSyncs('nowhere', scopes)).toEqual([]);
      // A scope whose last sync succeeded: the same sync is both.
      const helloAgain = await sync('hello', 'dev', 'Succeeded', { revision: 'r3' });
      expect(await s.latestSyncs('shop', [{ app: 'hello', env: 'dev' }])).toEqual([
        { lastSync: helloAgain, lastSucceeded: helloAgain },
      ]);
    });

    it('survives a reopen and abandons only the running syncs of its own instance', async () => {
      const db = await database();
      const a1 = db.open('ctl-a');
      const b = db.open('ctl-b');
      const mine = await a1.startSync(base);
      const theirs = await b.startSync({ ...base, env: 'prod' });
      expect(mine.owner).toBe('ctl-a');
      await a1.close();
      // ctl-a restarts: what it left running is its own and failed; ctl-b's sync is still running.
      const a2 = db.open('ctl-a');
      expect(await a2.abandonRunningSyncs('controller restarted')).toBe(1);
      expect(await a2.getSync(mine.id)).toMatchObject({ result: 'Failed', error: { code: 'SYNC_ABANDONED' } });
      expect(await a2.getSync(theirs.id)).toMatchObject({ result: 'Running' });
      expect(await a2.abandonRunningSyncs('again')).toBe(0);
    });

    it('stores and filters events', async () => {
      const s = (await database()).open();
      const sync = await s.startSync(base);
      await s.addEvent({
        project: 'shop',
        app: 'hello',
        env: 'dev',
        type: 'replica.exited',
        severity: 'warning',
        message: 'killed by SIGKILL',
        syncId: sync.id,
        data: { pid: 1 },
      });
      await s.addEvent({ project: 'shop', type: 'source.unreachable', severity: 'error', message: 'down' });
      expect((await s.listEvents({ app: 'hello' })).map((e) => e.type)).toEqual(['replica.exited']);
      expect((await s.listEvents({ type: 'source.unreachable' })).map((e) => e.message)).toEqual(['down']);
      const all = await s.listEvents();
      expect(all[0]!.type).toBe('source.unreachable');
      expect(all[1]).toMatchObject({ data: { pid: 1 }, syncId: sync.id });
      expect(all[0]!.app).toBeUndefined();
      expect((await s.listEvents({ sinceId: all[1]!.id })).length).toBe(1);
      expect(await s.listEvents({ limit: 1 })).toHaveLength(1);
    });
  });

  describe(`${name}: ledger`, () => {
    it('records a change once per scope and revision, oldest first', async () => {
      const s = (await database()).open();
      const change = {
        project: 'shop',
        app: 'hello',
        env: 'dev',
        action: 'set-image' as const,
        subject: 'hello to 1.1',
        author: 'ana',
        artifacts: request.artifacts,
      };
      const first = await s.ledger.recordChange({ ...change, revision: 'r2', committedAt: '2026-01-02T00:00:00Z' });
      const again = await s.ledger.recordChange({ ...change, revision: 'r2', subject: 'other', committedAt: 'x' });
      expect(again).toEqual(first);
      await s.ledger.recordChange({ ...change, revision: 'r1', committedAt: '2026-01-01T00:00:00Z', ciRun: 'ci/7' });
      await s.ledger.recordChange({ ...change, env: 'prod', revision: 'r3', committedAt: '2026-01-03T00:00:00Z' });
      const dev = await s.ledger.listChanges({ env: 'dev' });
      expect(dev.map((c) => c.revision)).toEqual(['r1', 'r2']);
      expect(dev[0]).toMatchObject({ ciRun: 'ci/7', artifacts: request.artifacts });
      expect(dev[1]!.ciRun).toBeUndefined();
      // The newest `limit`, still oldest first.
      expect((await s.ledger.listChanges({ limit: 2 })).map((c) => c.revision)).toEqual(['r2', 'r3']);
      expect(await s.ledger.isObserved('shop', 'r1')).toBe(false);
      await s.ledger.markObserved('shop', 'r1');
      await s.ledger.markObserved('shop', 'r1');
      expect(await s.ledger.isObserved('shop', 'r1')).toBe(true);
    });

    it('keeps promotion requests with their approvals, applied artifacts and verifications', async () => {
      const s = (await database()).open();
      const p = await s.ledger.createPromotion(request);
      expect(p).toMatchObject({ state: 'open', gates: [], fromEnv: 'dev', updatedAt: request.createdAt });
      const moved = await s.ledger.updatePromotion(p.id, {
        gates: [{ gate: 'approvals', passed: false, message: '0 of 1' }],
        external: { backend: 'github', id: '12', url: 'https://example/pr/12' },
      });
      expect(moved).toMatchObject({ state: 'open', external: { id: '12' }, gates: [{ gate: 'approvals' }] });
      await s.ledger.addApproval({ promotionId: p.id, actor: 'bo', decision: 'approve', at: 't1' });
      await s.ledger.addApproval({ promotionId: p.id, actor: 'cy', decision: 'reject', comment: 'no', at: 't2' });
      expect(await s.ledger.listApprovals(p.id)).toMatchObject([
        { actor: 'bo', decision: 'approve' },
        { actor: 'cy', comment: 'no' },
      ]);
      await s.ledger.updatePromotion(p.id, { state: 'merged', revision: 'r9' });
      await s.ledger.createPromotion({ ...request, env: 'qa' });
      expect((await s.ledger.listPromotions({ state: 'open' })).map((x) => x.env)).toEqual(['qa']);
      expect((await s.ledger.listPromotions()).map((x) => x.env)).toEqual(['qa', 'prod']);
      expect(await s.ledger.getPromotion(p.id)).toMatchObject({ state: 'merged', revision: 'r9' });

      const sync = await s.startSync(base);
      const applied = { syncId: sync.id, project: 'shop', app: 'hello', env: 'dev', revision: 'r1', artifacts: [] };
      await s.ledger.recordApplied(applied);
      await s.ledger.recordApplied({ ...applied, artifacts: request.artifacts });
      expect(await s.ledger.listApplied({ env: 'dev' })).toEqual([{ ...applied, artifacts: request.artifacts }]);

      const v = await s.ledger.recordVerification({
        syncId: sync.id,
        project: 'shop',
        app: 'hello',
        env: 'dev',
        revision: 'r1',
        result: 'Failed',
        checks: [{ name: 'http', url: 'http://x', passed: false, message: '503' }],
        startedAt: 't1',
        finishedAt: 't2',
      });
      await s.ledger.setRollbackRevision(v.id, 'r0');
      expect(await s.ledger.listVerifications({ app: 'hello' })).toEqual([{ ...v, rollbackRevision: 'r0' }]);
    });

    it('keeps the gates a direct change passed; the chain holds over changes with and without them', async () => {
      const s = (await database()).open();
      const change = {
        project: 'shop',
        app: 'hello',
        env: 'staging',
        action: 'promote' as const,
        subject: 'Promote hello from dev to staging',
        author: 'ana',
        artifacts: request.artifacts,
      };
      const gates: GateResult[] = [
        { gate: 'source-healthy', passed: true, message: 'dev is synced and healthy' },
        {
          gate: 'metric',
          name: 'dev-error-rate',
          passed: true,
          message: 'dev-error-rate: 0.0125 < 0.05',
          query: 'sum(rate(errors{env="dev"}[5m])) / sum(rate(requests{env="dev"}[5m]))',
          value: 0.0125,
        },
      ];
      await s.ledger.recordChange({ ...change, revision: 'r1', committedAt: '2026-01-01T00:00:00Z' });
      const gated = await s.ledger.recordChange({
        ...change,
        revision: 'r2',
        committedAt: '2026-01-02T00:00:00Z',
        gates,
      });
      await s.ledger.recordChange({ ...change, revision: 'r3', committedAt: '2026-01-03T00:00:00Z' });
      expect(gated.gates).toEqual(gates);
      const [r1, r2, r3] = await s.ledger.listChanges({ env: 'staging' });
      expect(r1).not.toHaveProperty('gates');
      expect(r2!.gates).toEqual(gates);
      expect(r3).not.toHaveProperty('gates');
      const { entries, head } = await s.ledgerChain.readChain();
      expect(verifyChain(entries, head)).toMatchObject({ ok: true, entries: 3 });
      // A change without gates hashes as it did before gates were kept: rows written earlier still verify.
      expect(entries[0]!.hash).toBe(chainHash(entries[0]!.change, GENESIS_HASH));
      expect(canonicalJson(entries[0]!.change)).not.toContain('gates');
      // The gates are part of what the hash seals.
      const forged = { ...entries[1]!.change, gates: [{ ...gates[1]!, value: 0.5 }] };
      expect(chainHash(forged, entries[1]!.prevHash!)).not.toBe(entries[1]!.hash);
    });

    it('refuses a conditional promotion update when the request moved on, and changes nothing', async () => {
      const db = await database();
      const one = db.open('ctl-a');
      const two = db.open('ctl-b');
      const p = await one.ledger.createPromotion(request);
      await one.ledger.updatePromotion(p.id, { state: 'merged', revision: 'r1' }, { state: 'open' });
      const late = two.ledger.updatePromotion(p.id, { state: 'failed', message: 'too late' }, { state: 'open' });
      await expect(late).rejects.toBeInstanceOf(StoreConflictError);
      await expect(late).rejects.toMatchObject({ code: 'PROMOTION_CHANGED', retry: true });
      expect(await two.ledger.getPromotion(p.id)).toMatchObject({ state: 'merged', revision: 'r1' });
      expect((await two.ledger.getPromotion(p.id))!.message).toBeUndefined();
    });
  });

  describe(`${name}: transactions`, () => {
    it('commits every write of a transaction together', async () => {
      const s = (await database()).open();
      const p = await s.ledger.createPromotion(request);
      const merged = await s.transaction(async (tx) => {
        await tx.ledger.addApproval({ promotionId: p.id, actor: 'bo', decision: 'approve', at: 't' });
        await tx.addEvent({ project: 'shop', type: 'promotion.merged', severity: 'info', message: 'merged' });
        return tx.ledger.updatePromotion(p.id, { state: 'merged' }, { state: 'open' });
      });
      expect(merged.state).toBe('merged');
      expect(await s.ledger.listApprovals(p.id)).toHaveLength(1);
      expect(await s.listEvents({ type: 'promotion.merged' })).toHaveLength(1);
    });

    it('keeps none of the writes of a transaction that throws', async () => {
      const s = (await database()).open();
      const p = await s.ledger.createPromotion(request);
      const failed = s.transaction(async (tx) => {
        await tx.ledger.addApproval({ promotionId: p.id, actor: 'bo', decision: 'approve', at: 't' });
        await tx.ledger.updatePromotion(p.id, { state: 'merged' });
        // A nested transaction is part of the outer one.
        await tx.transaction((inner) => inner.addEvent({ project: 'shop', type: 'x', severity: 'info', message: 'm' }));
        throw new Error('the commit could not be pushed');
      });
      await expect(failed).rejects.toThrow('the commit could not be pushed');
      expect(await s.ledger.listApprovals(p.id)).toEqual([]);
      expect(await s.ledger.getPromotion(p.id)).toMatchObject({ state: 'open' });
      expect(await s.listEvents()).toEqual([]);
    });

    it('keeps writes made outside a transaction out of it, even while it waits', async () => {
      const s = (await database()).open();
      let inside!: () => void;
      const entered = new Promise<void>((r) => (inside = r));
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const failed = s.transaction(async (tx) => {
        await tx.addEvent({ project: 'shop', type: 'inside', severity: 'info', message: 'rolled back' });
        inside();
        await held;
        throw new Error('rolled back');
      });
      await entered;
      const outside = s.addEvent({ project: 'shop', type: 'outside', severity: 'info', message: 'kept' });
      release();
      await expect(failed).rejects.toThrow('rolled back');
      await outside;
      expect((await s.listEvents()).map((e) => e.type)).toEqual(['outside']);
    });
  });

  describe(`${name}: scope leases`, () => {
    const scope = { project: 'shop', app: 'hello', env: 'dev' };

    it('grants a scope to one holder, renews it, and hands it over with a higher token once it expires', async () => {
      const db = await database();
      const a = db.open('ctl-a');
      const b = db.open('ctl-b');
      const first = await a.leases.claim(scope, 'ctl-a', 60_000);
      expect(first).toMatchObject({ holder: 'ctl-a', token: 1 });
      expect(await b.leases.claim(scope, 'ctl-b', 60_000)).toBeUndefined();
      // Renewal keeps the token; only a change of holder raises it.
      expect(await a.leases.claim(scope, 'ctl-a', 0)).toMatchObject({ holder: 'ctl-a', token: 1 });
      // Expired (ttl 0): anyone may claim it.
      expect(await b.leases.claim(scope, 'ctl-b', 60_000)).toMatchObject({ holder: 'ctl-b', token: 2 });
      expect(await a.leases.claim(scope, 'ctl-a', 60_000)).toBeUndefined();
      await b.leases.release(scope, 'ctl-b');
      expect(await a.leases.claim(scope, 'ctl-a', 60_000)).toMatchObject({ holder: 'ctl-a', token: 3 });
      expect((await a.leases.list('shop')).map((l) => [l.env, l.holder, l.token])).toEqual([['dev', 'ctl-a', 3]]);
    });

    it('claims in one call what is free or run out or its own, and leaves out what another holds', async () => {
      const db = await database();
      const a = db.open('ctl-a');
      const b = db.open('ctl-b');
      await b.leases.claim({ ...scope, env: 'prod' }, 'ctl-b', 60_000);
      await b.leases.claim({ ...scope, env: 'qa' }, 'ctl-b', 0);
      await a.leases.claim({ ...scope, env: 'stage' }, 'ctl-a', 60_000);
      const claimed = await a.leases.claimAll(
        'shop',
        ['dev', 'stage', 'prod', 'qa'].map((env) => ({ app: 'hello', env })),
        'ctl-a',
        60_000,
      );
      expect(claimed.map((l) => [l.env, l.holder, l.token]).sort()).toEqual([
        ['dev', 'ctl-a', 1],
        ['qa', 'ctl-a', 2],
        ['stage', 'ctl-a', 1],
      ]);
      expect(await b.leases.claim({ ...scope, env: 'qa' }, 'ctl-b', 60_000)).toBeUndefined();
      expect(await a.leases.claimAll('shop', [], 'ctl-a', 60_000)).toEqual([]);
    });

    it('renews in one call what a holder still has, run out or not, and leaves out what another took', async () => {
      const db = await database();
      const a = db.open('ctl-a');
      const b = db.open('ctl-b');
      const envs = ['dev', 'stage', 'prod', 'qa'];
      for (const env of envs) await a.leases.claim({ ...scope, env }, 'ctl-a', env === 'prod' ? 0 : 60_000);
      // prod ran out and ctl-b took it; qa ran out and nobody took it.
      expect(await b.leases.claim({ ...scope, env: 'prod' }, 'ctl-b', 60_000)).toMatchObject({ token: 2 });
      await a.leases.claim({ ...scope, env: 'qa' }, 'ctl-a', 0);
      const renewed = await a.leases.renewAll(
        'shop',
        envs.map((env) => ({ app: 'hello', env })),
        'ctl-a',
        60_000,
      );
      expect(renewed.map((l) => [l.env, l.holder, l.token]).sort()).toEqual([
        ['dev', 'ctl-a', 1],
        ['qa', 'ctl-a', 1],
        ['stage', 'ctl-a', 1],
      ]);
      expect(renewed.every((l) => Date.parse(l.expiresAt) > Date.now() + 30_000)).toBe(true);
      // Renewed, qa is ctl-a's again: ctl-b cannot claim it.
      expect(await b.leases.claim({ ...scope, env: 'qa' }, 'ctl-b', 60_000)).toBeUndefined();
      expect(await a.leases.renewAll('shop', [], 'ctl-a', 60_000)).toEqual([]);
    });

    it('refuses the sync result of a holder that lost the lease, and writes nothing', async () => {
      const db = await database();
      const a = db.open('ctl-a');
      const b = db.open('ctl-b');
      const lease = (await a.leases.claim(scope, 'ctl-a', 0))!;
      const sync = await a.startSync(base);
      // ctl-a stalls past its lease; ctl-b takes the scope over.
      const taken = (await b.leases.claim(scope, 'ctl-b', 60_000))!;
      const late = a.finishSync(sync.id, { result: 'Succeeded', timings: {} }, { holder: 'ctl-a', token: lease.token });
      await expect(late).rejects.toBeInstanceOf(LeaseLostError);
      await expect(late).rejects.toMatchObject({ code: 'LEASE_LOST', retry: false });
      expect(await b.getSync(sync.id)).toMatchObject({ result: 'Running' });
      // The new holder's fenced write goes through.
      const done = await b.finishSync(
        sync.id,
        { result: 'Failed', timings: {} },
        { holder: 'ctl-b', token: taken.token },
      );
      expect(done.result).toBe('Failed');
    });

    it("the scope's new holder fails the syncs others left running there, and only those", async () => {
      const db = await database();
      const a = db.open('ctl-a');
      const b = db.open('ctl-b');
      const orphan = await a.startSync(base);
      const elsewhere = await a.startSync({ ...base, env: 'prod' });
      const own = await b.startSync(base);
      expect(await b.abandonScopeSyncs(scope, 'the lease moved')).toBe(1);
      expect(await b.getSync(orphan.id)).toMatchObject({
        result: 'Failed',
        error: { code: 'SYNC_ABANDONED', message: 'the lease moved' },
      });
      expect(await b.getSync(elsewhere.id)).toMatchObject({ result: 'Running' });
      expect(await b.getSync(own.id)).toMatchObject({ result: 'Running' });
    });
  });

  describe(`${name}: controller heartbeats`, () => {
    it('lists the controllers whose heartbeat has not run out; leaving removes one at once', async () => {
      const db = await database();
      const a = db.open('ctl-a');
      const b = db.open('ctl-b');
      await a.heartbeats.beat('shop', 'ctl-a', 60_000);
      await b.heartbeats.beat('shop', 'ctl-b', 60_000);
      await b.heartbeats.beat('other', 'ctl-c', 60_000);
      expect(await a.heartbeats.live('shop')).toEqual(['ctl-a', 'ctl-b']);
      // A beat with no time left is a controller presumed dead.
      await b.heartbeats.beat('shop', 'ctl-b', 0);
      expect(await a.heartbeats.live('shop')).toEqual(['ctl-a']);
      await a.heartbeats.beat('shop', 'ctl-b', 60_000);
      await a.heartbeats.leave('shop', 'ctl-a');
      expect(await b.heartbeats.live('shop')).toEqual(['ctl-b']);
    });
  });
}
