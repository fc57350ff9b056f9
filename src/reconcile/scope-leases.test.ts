import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LeaseLostError } from '../store/errors.js';
import { SqliteStore } from '../store/sqlite/index.js';
import type { Store } from '../store/types.js';
import { Controller } from './controller.js';
import { LeaderLease } from './leader.js';
import { decideShare, limitFor } from './lease-share.js';
import { leaseTiming } from './lease-timing.js';
import { CLAIMS_PER_ROUND, ScopeLeases, SoleOwnership, type OwnedScope } from './scope-leases.js';
import { MemorySource, MemoryTarget, processYaml, projectFiles, quietLog, tempStore } from './test-support.js';

/** A 20 s lease period: leases kept 15 s, renewed every 5 s, trusted for 10 s. */
const TIMING = leaseTiming(20_000);
const DURATION = TIMING.ttlMs;
const RENEW = TIMING.renewMs;

/** 4 apps × 3 environments. */
const scopes: OwnedScope[] = ['a', 'b', 'c', 'd'].flatMap((app) =>
  ['dev', 'stage', 'prod'].map((env) => ({ key: `${app}@${env}`, app, env })),
);

describe('the fair share', () => {
  it('is ceil(scopes / live) plus a quarter of slack, never above 1.5× the share', () => {
    for (const [n, live] of [
      [12, 3],
      [12, 2],
      [10, 3],
      [3000, 3],
      [1, 3],
      [7, 1],
    ] as const) {
      const keys = Array.from({ length: n }, (_, i) => `s${i}`);
      const d = decideShare({ me: 'x', scopes: keys, held: [], heldByOthers: new Set(), live });
      expect(d.share).toBe(Math.ceil(n / live));
      expect(d.limit).toBeGreaterThanOrEqual(d.share);
      expect(d.limit).toBeLessThanOrEqual(Math.floor(1.5 * d.share));
      // Every replica holding its limit covers every scope.
      expect(d.limit * live).toBeGreaterThanOrEqual(n);
    }
    expect(limitFor(4)).toBe(5);
  });

  it('claims only what no live replica holds, and gives up its newest claims above the limit', () => {
    const keys = scopes.map((s) => s.key);
    const d = decideShare({
      me: 'x',
      scopes: keys,
      held: keys.slice(0, 8),
      heldByOthers: new Set(keys.slice(8, 10)),
      live: 3,
    });
    expect(d.limit).toBe(5);
    expect(d.release).toEqual(keys.slice(5, 8).reverse());
    expect(d.claim).toEqual([]);
    const e = decideShare({
      me: 'x',
      scopes: keys,
      held: keys.slice(0, 2),
      heldByOthers: new Set(keys.slice(2, 10)),
      live: 3,
    });
    expect(new Set(e.claim)).toEqual(new Set(keys.slice(10)));
  });

  it('orders claims differently per replica, so replicas that start together rarely race', () => {
    const keys = scopes.map((s) => s.key);
    const a = decideShare({ me: 'ctl-a', scopes: keys, held: [], heldByOthers: new Set(), live: 3 }).claim;
    const b = decideShare({ me: 'ctl-b', scopes: keys, held: [], heldByOthers: new Set(), live: 3 }).claim;
    expect(new Set(a)).toEqual(new Set(keys));
    expect(a).not.toEqual(b);
  });
});

describe('scope leases among replicas (SQLite store, fake clock)', () => {
  let clock: number;
  let store: SqliteStore;
  const now = () => clock;
  const keeper = (holder: string) => new ScopeLeases({ store, holder, timing: TIMING, now });

  beforeEach(() => {
    clock = Date.parse('2026-01-01T00:00:00Z');
    store = new SqliteStore(':memory:', { instance: 'test', now });
  });
  afterEach(() => store.close());

  /** One renewal round of every keeper, then the clock moves one renewal interval. */
  async function round(keepers: ScopeLeases[]): Promise<void> {
    for (const k of keepers) await k.renew('shop', scopes);
    clock += RENEW;
  }

  async function holders(): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const l of await store.leases.list('shop'))
      if (Date.parse(l.expiresAt) > clock) out.set(l.holder, [...(out.get(l.holder) ?? []), `${l.app}@${l.env}`]);
    return out;
  }

  it('three replicas settle on every scope held exactly once, none above 1.5× its share', async () => {
    const ks = ['ctl-a', 'ctl-b', 'ctl-c'].map(keeper);
    // The first alone takes everything; the others join one round later.
    await ks[0]!.renew('shop', scopes);
    expect(ks[0]!.count()).toBe(12);
    for (let i = 0; i < 4; i++) await round(ks);
    const held = await holders();
    const all = [...held.values()].flat();
    expect(all.sort()).toEqual(scopes.map((s) => s.key).sort());
    for (const k of ks) {
      expect(k.count()).toBeLessThanOrEqual(1.5 * 4);
      expect(k.count()).toBeGreaterThan(0);
      expect(k.count()).toBe(held.get(k.holder)?.length ?? 0);
    }
    // Steady: further rounds move nothing.
    const before = JSON.stringify([...(await holders())].sort());
    for (let i = 0; i < 3; i++) await round(ks);
    expect(JSON.stringify([...(await holders())].sort())).toBe(before);
  });

  it("claims a bounded number of free scopes a round, and a dead replica's all at once", async () => {
    const many = Array.from({ length: CLAIMS_PER_ROUND + 500 }, (_, i) => ({
      key: `s${i}@dev`,
      app: `s${i}`,
      env: 'dev',
    }));
    const k = keeper('ctl-a');
    expect((await k.renew('shop', many)).gained).toHaveLength(CLAIMS_PER_ROUND);
    clock += RENEW;
    expect((await k.renew('shop', many)).gained).toHaveLength(500);
    expect(k.count()).toBe(many.length);

    // It dies: once its leases run out, another takes all of them in one round, not 2,000 a round.
    clock += DURATION + 1;
    const b = keeper('ctl-b');
    expect((await b.renew('shop', many)).gained).toHaveLength(many.length);
  });

  it("a dead replica's scopes are taken over within one lease period, under higher tokens that fence it out", async () => {
    const ks = ['ctl-a', 'ctl-b', 'ctl-c'].map(keeper);
    for (let i = 0; i < 5; i++) await round(ks);
    const dead = ks.reduce((m, k) => (k.count() > m.count() ? k : m));
    const survivors = ks.filter((k) => k !== dead);
    const orphaned = scopes.filter((s) => dead.holds(s.key));
    const fences = new Map(orphaned.map((s) => [s.key, dead.fence(s.key)!]));
    const sync = await store.startSync({
      project: 'shop',
      app: orphaned[0]!.app,
      env: orphaned[0]!.env,
      revision: 'r1',
      trigger: 'revision',
      reason: 'test',
      dryRun: false,
      startedAt: new Date(clock).toISOString(),
    });
    // It dies at the worst moment, right after renewing; the survivors go on, each waking for
    // the first lease of another that runs out before its next round (as the controller does).
    await dead.renew('shop', scopes);
    const diedAt = clock;
    for (;;) {
      let next = clock + RENEW;
      for (const k of survivors) {
        const { expiresAt } = await k.renew('shop', scopes);
        if (expiresAt !== undefined) next = Math.min(next, expiresAt + 1);
      }
      if (!(await holders()).has(dead.holder) && survivors.reduce((n, k) => n + k.count(), 0) === 12) break;
      clock = next;
    }
    // Leased by then, with the last renewal interval of the lease period left to sync them.
    expect(clock - diedAt).toBeLessThanOrEqual(TIMING.periodMs - TIMING.renewMs + 1);
    for (const s of orphaned) {
      const lease = (await store.leases.list('shop')).find((l) => l.app === s.app && l.env === s.env)!;
      expect(lease.holder).not.toBe(dead.holder);
      expect(lease.token).toBeGreaterThan(fences.get(s.key)!.token);
    }
    // Its view: the leases are no longer trusted, a confirm fails, and a late result is refused.
    expect(dead.holds(orphaned[0]!.key)).toBe(false);
    await expect(dead.confirm(orphaned[0]!.key)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(
      store.finishSync(sync.id, { result: 'Succeeded', timings: {} }, fences.get(orphaned[0]!.key)),
    ).rejects.toBeInstanceOf(LeaseLostError);
    for (const k of survivors) expect(k.count()).toBeLessThanOrEqual(1.5 * 6);
  });

  it("two survivors take all of a dead replica's scopes in the round at its leases' expiry, racing each other", async () => {
    // Three times the claims of a round: the three replicas end with a third each.
    const many = Array.from({ length: 3 * CLAIMS_PER_ROUND }, (_, i) => ({
      key: `s${i}@dev`,
      app: `s${i}`,
      env: 'dev',
    }));
    const ks = ['ctl-a', 'ctl-b', 'ctl-c'].map(keeper);
    for (let i = 0; i < 3; i++) {
      for (const k of ks) await k.renew('shop', many);
      clock += RENEW;
    }
    const [dead, ...survivors] = ks;
    // No survivor has room for all of the dead one's scopes: they split them.
    const limit = limitFor(Math.ceil(many.length / survivors.length));
    for (const k of survivors) expect(limit - k.count()).toBeLessThan(dead!.count());
    // It renews no more; the survivors' next rounds come at the same time, once its leases and
    // heartbeat ran out, and each lists the leases before the other claims.
    clock += DURATION + 1;
    await Promise.all(survivors.map((k) => k.renew('shop', many)));
    const held = await holders();
    expect(held.has(dead!.holder)).toBe(false);
    expect([...held.values()].flat()).toHaveLength(many.length);
  });

  it('a clean stop gives every lease and the heartbeat up at once', async () => {
    const ks = ['ctl-a', 'ctl-b'].map(keeper);
    for (let i = 0; i < 3; i++) await round(ks);
    await ks[0]!.release('shop');
    expect(await store.heartbeats.live('shop')).toEqual(['ctl-b']);
    await ks[1]!.renew('shop', scopes);
    expect(ks[1]!.count()).toBe(12);
  });

  it('one leader; another takes over once its lease runs out, and each is told', async () => {
    const told: string[] = [];
    const leader = (holder: string) =>
      new LeaderLease({
        leases: store.leases,
        holder,
        timing: TIMING,
        now,
        onChange: (l) => told.push(`${holder}:${l}`),
      });
    const a = leader('ctl-a');
    const b = leader('ctl-b');
    expect(await a.renew('shop')).toBe(true);
    expect(await b.renew('shop')).toBe(false);
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    const first = a.fence()!.token;
    // a stops renewing: it stops trusting its lease before b may take it.
    clock += DURATION - RENEW;
    expect(a.isLeader()).toBe(false);
    expect(await b.renew('shop')).toBe(false);
    clock += RENEW;
    expect(await b.renew('shop')).toBe(true);
    expect(b.fence()!.token).toBeGreaterThan(first);
    expect(await a.renew('shop')).toBe(false);
    expect(told).toEqual(['ctl-a:true', 'ctl-b:true', 'ctl-a:false']);
    // The leader's row is not a scope: scope keepers never count or claim it.
    const k = keeper('ctl-c');
    await k.renew('shop', scopes);
    expect(k.count()).toBe(12);
  });

  it('alone on its store a controller holds every scope and stores nothing', async () => {
    const sole = new SoleOwnership('local');
    expect(await sole.renew('shop', scopes)).toEqual({ gained: [], lost: [] });
    expect(sole.holds()).toBe(true);
    expect(sole.fence()).toBeUndefined();
    expect(await store.leases.list('shop')).toEqual([]);
  });
});

describe('a controller sharing its store', () => {
  let tmp: ReturnType<typeof tempStore>;
  let controllers: Controller[];
  beforeEach(() => {
    vi.useFakeTimers();
    tmp = tempStore();
    controllers = [];
  });
  afterEach(async () => {
    for (const c of controllers) await c.stop();
    vi.useRealTimers();
    await tmp.store.close();
    tmp.remove();
  });

  function controller(source: MemorySource, target: MemoryTarget, holder: string, store: Store = tmp.store) {
    const c = new Controller({
      source,
      store,
      log: quietLog,
      createProvider: () => target,
      random: () => 0.5,
      ownership: new ScopeLeases({ store, holder, timing: TIMING }),
      leaseRenewMs: RENEW,
    });
    controllers.push(c);
    return c;
  }

  it('syncs the scopes it holds, and a lease taken between renewals stops the apply with an event', async () => {
    const source = new MemorySource();
    const target = new MemoryTarget();
    source.commit(projectFiles());
    const c = controller(source, target, 'ctl-a');
    await c.start();
    await c.idle();
    expect(c.replica()).toMatchObject({ instance: 'ctl-a', scopesHeld: 2 });
    const applies = target.applies;
    expect(applies).toBe(2);
    // Another replica takes dev over (ctl-a gave it up, as after a pause past its expiry).
    await tmp.store.leases.release({ project: 'shop', app: 'web', env: 'dev' }, 'ctl-a');
    const taken = await tmp.store.leases.claim({ project: 'shop', app: 'web', env: 'dev' }, 'ctl-b', 60_000);
    expect(taken?.holder).toBe('ctl-b');
    source.commit({ ...projectFiles(), 'apps/web/base/web.yaml': processYaml('web', ['v2']) });
    await c.refresh();
    await c.idle();
    // prod applied; dev stopped before applying.
    expect(target.applies).toBe(applies + 1);
    const [lost] = await tmp.store.listEvents({ type: 'sync.lease-lost' });
    expect(lost).toMatchObject({ app: 'web', env: 'dev', severity: 'warning' });
    expect(lost!.message).toContain('ctl-a no longer holds the lease');
    expect((await tmp.store.listSyncs({ app: 'web', env: 'dev' })).filter((s) => s.result === 'Running')).toEqual([]);
  });

  it('syncs at the next lease round what came while its lease ran late and was not trusted', async () => {
    // Lease rounds that run late (thousands of scopes, a slow store) leave held scopes
    // untrusted for a while; the revision that arrives then must not be dropped for good.
    class Late extends ScopeLeases {
      late = true;
      override holds(key: string): boolean {
        return !this.late && super.holds(key);
      }
    }
    const source = new MemorySource();
    const target = new MemoryTarget();
    source.commit(projectFiles());
    const ownership = new Late({ store: tmp.store, holder: 'ctl-a', timing: TIMING });
    const c = new Controller({
      source,
      store: tmp.store,
      log: quietLog,
      createProvider: () => target,
      random: () => 0.5,
      ownership,
      leaseRenewMs: RENEW,
    });
    controllers.push(c);
    await c.start();
    await c.idle();
    expect(target.applies).toBe(0);
    ownership.late = false;
    await vi.advanceTimersByTimeAsync(RENEW);
    await c.idle();
    expect(target.applies).toBe(2);
    expect(
      c
        .status()
        .apps.map((a) => `${a.env} ${a.sync}`)
        .sort(),
    ).toEqual(['dev Synced', 'prod Synced']);
  });

  it('answers for the scopes another replica holds with what their holder recorded since', async () => {
    const source = new MemorySource();
    const target = new MemoryTarget();
    source.commit(projectFiles());
    const a = controller(source, target, 'ctl-a');
    const b = controller(source, target, 'ctl-b');
    await a.start();
    await b.start();
    // Two replicas, two scopes: a round or two until each holds one.
    for (let i = 0; i < 4 && (a.replica().scopesHeld !== 1 || b.replica().scopesHeld !== 1); i++)
      await vi.advanceTimersByTimeAsync(RENEW);
    await a.idle();
    await b.idle();
    expect([a.replica().scopesHeld, b.replica().scopesHeld]).toEqual([1, 1]);
    const mine = (c: Controller) => c.liveStatus().apps[0]!.env;
    const theirs = mine(b);
    expect(mine(a)).not.toBe(theirs);

    const v2 = source.commit({ ...projectFiles(), 'apps/web/base/web.yaml': processYaml('web', ['v2']) });
    await b.refresh();
    await b.idle();
    expect(b.liveStatus().apps[0]).toMatchObject({ env: theirs, syncedRevision: v2, sync: 'Synced' });
    // ctl-a has not read v2 yet; it learns what ctl-b did to its scope at its next lease round.
    await vi.advanceTimersByTimeAsync(RENEW);
    expect(a.status().apps.find((x) => x.env === theirs)).toMatchObject({ syncedRevision: v2, sync: 'Synced' });
  });

  it("syncs a dead replica's scopes when its leases run out, within the lease period of its death", async () => {
    const source = new MemorySource();
    const target = new MemoryTarget();
    source.commit(projectFiles());
    // A replica that held both scopes died right after renewing; ctl-b starts half a renewal
    // interval later, so the leases run out between two of its rounds.
    const dead = new ScopeLeases({ store: tmp.store, holder: 'ctl-dead', timing: TIMING });
    const web = ['dev', 'prod'].map((env) => ({ key: `web@${env}`, app: 'web', env }));
    expect((await dead.renew('shop', web)).gained).toHaveLength(2);
    const diedAt = Date.now();
    await vi.advanceTimersByTimeAsync(RENEW / 2);
    const c = controller(source, target, 'ctl-b');
    await c.start();
    await c.idle();
    expect(c.replica().scopesHeld).toBe(0);
    await vi.advanceTimersByTimeAsync(diedAt + TIMING.ttlMs - RENEW / 4 - Date.now());
    expect(target.applies).toBe(0);
    await vi.advanceTimersByTimeAsync(diedAt + TIMING.periodMs - Date.now());
    await c.idle();
    expect(c.replica().scopesHeld).toBe(2);
    expect(target.applies).toBe(2);
  });

  it('lists no leases for the queued work of scopes it no longer holds', async () => {
    const source = new MemorySource();
    const target = new MemoryTarget();
    source.commit(projectFiles());
    const c = controller(source, target, 'ctl-a');
    await c.start();
    await c.idle();
    // ctl-b holds dev now; ctl-a has not had a lease round since, so a job for dev still runs here.
    await tmp.store.leases.release({ project: 'shop', app: 'web', env: 'dev' }, 'ctl-a');
    await tmp.store.leases.claim({ project: 'shop', app: 'web', env: 'dev' }, 'ctl-b', 60_000);
    const lists = vi.spyOn(tmp.store.leases, 'list');
    // dev's revision is taken in while held; by the time its job runs, the lease is gone.
    let asked = 0;
    const holds = vi
      .spyOn(ScopeLeases.prototype, 'holds')
      .mockImplementation((key) => key !== 'web@dev' || asked++ === 0);
    try {
      source.commit({ ...projectFiles(), 'apps/web/base/web.yaml': processYaml('web', ['v2']) });
      await c.refresh();
      await c.idle();
      expect(asked).toBeGreaterThan(1);
      expect(lists).not.toHaveBeenCalled();
    } finally {
      holds.mockRestore();
      lists.mockRestore();
    }
  });

  it('shows as live only the scopes it holds, so decisions read the others from the store', async () => {
    const source = new MemorySource();
    source.commit(projectFiles());
    const c = controller(source, new MemoryTarget(), 'ctl-a');
    await c.start();
    await c.idle();
    expect(
      c
        .liveStatus()
        .apps.map((a) => a.env)
        .sort(),
    ).toEqual(['dev', 'prod']);
    await tmp.store.leases.release({ project: 'shop', app: 'web', env: 'dev' }, 'ctl-a');
    await tmp.store.leases.claim({ project: 'shop', app: 'web', env: 'dev' }, 'ctl-b', 60_000);
    await vi.advanceTimersByTimeAsync(RENEW);
    expect(c.replica().scopesHeld).toBe(1);
    expect(c.liveStatus().apps.map((a) => a.env)).toEqual(['prod']);
    expect(
      c
        .status()
        .apps.map((a) => a.env)
        .sort(),
    ).toEqual(['dev', 'prod']);
  });
});
