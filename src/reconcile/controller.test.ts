import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProviderError } from '../errors/index.js';
import type { Resource } from '../model/resource.js';
import type { Store } from '../store/types.js';
import { Controller } from './controller.js';
import type { AppEnvStatus } from './status.js';
import {
  MemorySource,
  MemoryTarget,
  processYaml,
  projectFiles,
  quietLog,
  sluiceYaml,
  tempStore,
  type Files,
} from './test-support.js';

/**
 * The controller against an in-memory revision history and target, under a fake clock: every
 * transition of a scope, including the faults that used to leave one stuck or wrong.
 */

let source: MemorySource;
let target: MemoryTarget;
let created: MemoryTarget[];
let store: ReturnType<typeof tempStore>;
let controllers: Controller[];

beforeEach(() => {
  vi.useFakeTimers();
  source = new MemorySource();
  target = new MemoryTarget();
  created = [];
  store = tempStore();
  controllers = [];
});

afterEach(async () => {
  for (const c of controllers) await c.stop();
  vi.useRealTimers();
  await store.store.close();
  store.remove();
});

function controller(o: { store?: Store; fresh?: boolean } = {}): Controller {
  const c = new Controller({
    source,
    store: o.store ?? store.store,
    log: quietLog,
    createProvider: () => {
      const t = o.fresh ? new MemoryTarget() : target;
      created.push(t);
      return t;
    },
    random: () => 0.5,
  });
  controllers.push(c);
  return c;
}

async function started(files: Files = projectFiles()): Promise<Controller> {
  source.commit(files);
  const c = controller();
  await c.start();
  await c.idle();
  return c;
}

const scope = (c: Controller, env = 'dev'): AppEnvStatus =>
  c.status().apps.find((a) => a.app === 'web' && a.env === env)!;

/** Commits and lets the controller take the revision and finish what it queued. */
async function commit(c: Controller, files: Files): Promise<string> {
  const revision = source.commit(files);
  await c.refresh();
  await c.idle();
  return revision;
}

const syncsOf = (env = 'dev') => store.store.listSyncs({ app: 'web', env, limit: 100 });

describe('revision errors', () => {
  it('a refused sluice.yaml is shown on every scope, and an exact revert clears it everywhere', async () => {
    const c = await started();
    const good = source.head();
    await commit(c, {
      ...good,
      'sluice.yaml': 'apiVersion: sluice.dev/v1alpha1\nkind: Project\nspec: { targets: 5 }\n',
    });
    for (const env of ['dev', 'prod']) {
      expect(scope(c, env)).toMatchObject({ sync: 'Stalled', reason: 'sluice.yaml is invalid' });
      expect(scope(c, env).error?.file).toBe('sluice.yaml');
    }
    const reverted = await commit(c, good);
    for (const env of ['dev', 'prod']) {
      const s = scope(c, env);
      expect(s.sync).toBe('Synced');
      expect(s.error).toBeUndefined();
      expect(s.syncedRevision).toBe(reverted);
    }
  });

  it('a broken manifest stalls its scope, and an exact revert of it recovers, recorded in history', async () => {
    const c = await started();
    const good = source.head();
    await commit(c, { ...good, 'apps/web/base/web.yaml': 'kind: [' });
    expect(scope(c).sync).toBe('Stalled');
    expect(scope(c).error).toMatchObject({ file: 'apps/web/base/web.yaml' });
    const applies = target.applies;
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(target.applies).toBe(applies); // a terminal error is not retried
    const reverted = await commit(c, good);
    expect(scope(c)).toMatchObject({ sync: 'Synced', syncedRevision: reverted });
    expect(scope(c).lastSync).toMatchObject({ revision: reverted, result: 'Succeeded' });
  });
});

describe('the source', () => {
  it('a force push that drops the revision in force is not followed: nothing pruned, an event, until the branch builds on it again', async () => {
    const c = await started();
    const root = source.head();
    const good = await commit(c, { ...root, 'apps/web/base/web.yaml': processYaml('web', ['v2']) });
    const first = source.commit(root, null); // a rewritten history with no common commit
    await c.refresh();
    await c.idle();
    expect(c.status().source.revision).toBe(good);
    expect(c.status().source.error).toMatchObject({ code: 'SOURCE_REWRITTEN' });
    expect(scope(c).syncedRevision).toBe(good);
    expect(target.destroyed).toEqual([]);
    expect((await store.store.listEvents({ type: 'source.rewritten' }))[0]!.message).toContain(
      `does not contain ${good.slice(0, 7)}`,
    );
    expect(first).not.toBe(good);
    const next = source.commit({ ...root, 'apps/web/base/web.yaml': processYaml('web', ['v3']) }, good);
    await c.refresh();
    await c.idle();
    expect(c.status().source.error).toBeUndefined();
    expect(scope(c)).toMatchObject({ sync: 'Synced', syncedRevision: next });
  });

  it('started while the remote is unreachable, it serves the revision fetched last', async () => {
    source.commit(projectFiles());
    source.down = true;
    const c = controller();
    await c.start();
    await c.idle();
    expect(scope(c)).toMatchObject({ sync: 'Synced', health: 'Healthy' });
  });
});

describe('health', () => {
  it('a retry after a health timeout that finds nothing to change is recorded Failed while unhealthy, Succeeded once healthy', async () => {
    const c = await started();
    target.healthOf.set('web', 'Degraded');
    const rev = source.commit({ ...source.head(), 'apps/web/base/web.yaml': processYaml('web', ['v2']) });
    await c.refresh();
    await vi.advanceTimersByTimeAsync(31_000);
    await vi.waitFor(() => expect(scope(c).sync).toBe('Failed'));
    expect(scope(c).error?.code).toBe('HEALTH_TIMEOUT');
    expect(scope(c).nextAttemptAt).toBeDefined();
    // The retry's plan is empty; it must prove health, not call an empty plan a success.
    await vi.advanceTimersByTimeAsync(5_000 + 31_000);
    await vi.waitFor(async () =>
      expect((await syncsOf()).filter((s) => s.trigger === 'retry').length).toBeGreaterThan(0),
    );
    await c.idle();
    const retries = (await syncsOf()).filter((s) => s.trigger === 'retry');
    expect(retries.every((s) => s.result === 'Failed')).toBe(true);
    expect((await syncsOf()).some((s) => s.result === 'Succeeded' && s.health === 'Degraded')).toBe(false);
    target.healthOf.set('web', 'Healthy');
    await vi.advanceTimersByTimeAsync(300_000);
    await c.idle();
    expect(scope(c)).toMatchObject({ sync: 'Synced', syncedRevision: rev, health: 'Healthy' });
    expect(scope(c).lastSync).toMatchObject({ result: 'Succeeded', health: 'Healthy' });
  });

  it('with rollback.auto, a rollout that never turns healthy fails verification once and is handed to rollback', async () => {
    const envs = `    - { name: dev, target: local, sync: auto, selfHeal: true, healthTimeout: 30s, rollback: { auto: true } }
    - { name: prod, target: local, sync: auto, selfHeal: false, healthTimeout: 30s }`;
    source.commit(projectFiles({ environments: envs }));
    const failedVerifications: {
      env: string;
      revision: string;
      result: string;
      checks: { name: string; message: string }[];
    }[] = [];
    const c = new Controller({
      source,
      store: store.store,
      log: quietLog,
      createProvider: () => target,
      random: () => 0.5,
      onVerificationFailed: async (v, env) => void failedVerifications.push({ ...v, env: env.name }),
    });
    controllers.push(c);
    await c.start();
    await c.idle();
    target.healthFn = (r: Resource) => ((r.spec as { args: string[] }).args[0] === 'bad' ? 'Degraded' : undefined);
    const bad = source.commit({ ...source.head(), 'apps/web/base/web.yaml': processYaml('web', ['bad']) });
    await c.refresh();
    await vi.advanceTimersByTimeAsync(31_000);
    await vi.waitFor(() => expect(scope(c).sync).toBe('Failed'));
    await vi.waitFor(() => expect(scope(c, 'prod').sync).toBe('Failed'));
    await c.idle();
    // Each environment by its own rules: dev hands the change to rollback, prod only fails its sync.
    expect(failedVerifications).toHaveLength(1);
    const [v] = failedVerifications;
    expect(v).toMatchObject({ env: 'dev', revision: bad, result: 'Failed' });
    expect(v!.checks).toEqual([
      expect.objectContaining({ name: 'health', passed: false, message: expect.stringContaining('web Degraded') }),
    ]);
    expect(await store.store.ledger.listVerifications({ app: 'web', env: 'dev' })).toHaveLength(1);
    expect(await store.store.ledger.listVerifications({ app: 'web', env: 'prod' })).toHaveLength(0);
    const events = await store.store.listEvents({ app: 'web', env: 'dev' });
    expect(events.some((e) => e.type === 'verification.failed' && e.message.includes('not healthy after 30s'))).toBe(
      true,
    );
    // A retry that applies nothing proves health again but does not roll back a second time.
    await vi.advanceTimersByTimeAsync(5_000 + 31_000);
    await vi.waitFor(async () =>
      expect((await syncsOf()).filter((s) => s.trigger === 'retry').length).toBeGreaterThan(0),
    );
    await c.idle();
    expect(failedVerifications).toHaveLength(1);
  });

  it('a newer revision supersedes the health wait of a bad deploy', async () => {
    const c = await started();
    target.healthFn = (r: Resource) => ((r.spec as { args: string[] }).args[0] === 'bad' ? 'Degraded' : undefined);
    const bad = source.commit({ ...source.head(), 'apps/web/base/web.yaml': processYaml('web', ['bad']) });
    void c.refresh();
    await vi.waitFor(() => expect(scope(c).sync).toBe('Syncing'));
    const fix = await commit(c, { ...source.head(), 'apps/web/base/web.yaml': processYaml('web', ['fixed']) });
    const syncs = await syncsOf();
    expect(syncs.find((s) => s.revision === bad)).toMatchObject({ result: 'Superseded' });
    expect(scope(c)).toMatchObject({ sync: 'Synced', syncedRevision: fix, health: 'Healthy' });
  });

  it('an apply that never returns ends at its deadline, is told to stop, and the sync is retried', async () => {
    const c = await started();
    target.hangApply = true;
    const rev = source.commit({ ...source.head(), 'apps/web/base/web.yaml': processYaml('web', ['v2']) });
    await c.refresh();
    await vi.advanceTimersByTimeAsync(2 * 30_000 + 60_000 + 1_000);
    expect(scope(c)).toMatchObject({ sync: 'Failed', error: { code: 'TARGET_TIMEOUT' } });
    expect(scope(c).error?.message).toMatch(/timed out/);
    expect(target.applySignals.at(-1)?.aborted).toBe(true);
    target.hangApply = false;
    await vi.advanceTimersByTimeAsync(60_000);
    await c.idle();
    expect(scope(c)).toMatchObject({ sync: 'Synced', syncedRevision: rev });
  });

  it('a target that stops answering turns health Unknown with the reason, and back when it answers', async () => {
    const c = await started();
    await vi.advanceTimersByTimeAsync(2_500);
    expect(scope(c).health).toBe('Healthy');
    target.hanging = true;
    await vi.advanceTimersByTimeAsync(40_000);
    expect(scope(c).health).toBe('Unknown');
    expect(scope(c).healthReason).toMatch(/timed out/);
    target.hanging = false;
    await vi.advanceTimersByTimeAsync(40_000);
    expect(scope(c).health).toBe('Healthy');
  });
});

describe('retries', () => {
  it('retries a transient failure for as long as it lasts, showing the error and the next attempt', async () => {
    const c = await started();
    target.applyError = new ProviderError('TARGET_DOWN', 'connection refused');
    await commit(c, { ...source.head(), 'apps/web/base/web.yaml': processYaml('web', ['v2']) });
    for (let i = 0; i < 12; i++) await vi.advanceTimersByTimeAsync(300_000);
    const s = scope(c);
    expect(s.sync).toBe('Failed');
    expect(s.error?.message).toBe('connection refused');
    expect(s.attempts).toBeGreaterThan(5);
    expect(Date.parse(s.nextAttemptAt!)).toBeGreaterThan(Date.now());
    expect(Date.parse(s.nextAttemptAt!) - Date.now()).toBeLessThanOrEqual(300_000);
    target.applyError = undefined;
    await vi.advanceTimersByTimeAsync(300_000);
    await c.idle();
    expect(scope(c)).toMatchObject({ sync: 'Synced', health: 'Healthy' });
    expect(scope(c).attempts).toBeUndefined();
  });

  it('a terminal failure stalls without retries until a manual sync', async () => {
    const c = await started();
    target.applyError = new ProviderError('BAD_INPUT', 'artifact digest mismatch', { retry: false });
    await commit(c, { ...source.head(), 'apps/web/base/web.yaml': processYaml('web', ['v2']) });
    expect(scope(c).sync).toBe('Stalled');
    const applies = target.applies;
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(target.applies).toBe(applies);
    target.applyError = undefined;
    const record = await c.sync('web', 'dev', { actor: 'alice' });
    expect(record).toMatchObject({ result: 'Succeeded', trigger: 'manual' });
    expect(scope(c).sync).toBe('Synced');
  });

  it('an unexpected error (not a SluiceError) is terminal, not retried', async () => {
    const c = await started();
    target.applyError = new TypeError('cannot read properties of undefined');
    await commit(c, { ...source.head(), 'apps/web/base/web.yaml': processYaml('web', ['v2']) });
    expect(scope(c).sync).toBe('Stalled');
  });

  it('a target that cannot be started is started again with backoff, and its scopes converge', async () => {
    target.startFailures = 3;
    source.commit(projectFiles());
    const c = controller();
    await c.start();
    await c.idle();
    expect(scope(c).sync).toBe('Failed');
    expect(scope(c).error?.code).toBe('TARGET_UNAVAILABLE');
    for (let i = 0; i < 10 && scope(c).sync !== 'Synced'; i++) {
      await vi.advanceTimersByTimeAsync(60_000);
      await c.idle();
    }
    expect(scope(c)).toMatchObject({ sync: 'Synced' });
    expect(target.starts).toBe(4);
  });
});

describe('the store', () => {
  it('a locked database mid-sync fails the sync transiently; it is retried and converges', async () => {
    source.commit(projectFiles());
    const real = store.store;
    let locked = true;
    const lockedFinish = (inner: Store): Store => {
      const f: Store = Object.create(inner) as Store;
      f.finishSync = async (id, finish) => {
        if (locked) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
        return inner.finishSync(id, finish);
      };
      return f;
    };
    const flaky = lockedFinish(real);
    flaky.transaction = (fn) => real.transaction((tx) => fn(lockedFinish(tx)));
    const c = controller({ store: flaky });
    await c.start();
    await c.idle();
    expect(scope(c)).toMatchObject({ sync: 'Failed', error: { message: 'database is locked' } });
    // What was applied and the sync's success are one transaction: the failed write took the
    // ledger entry with it, so no sync's artifacts are known without the sync being recorded.
    expect(await real.ledger.listApplied({ app: 'web', env: 'dev' })).toEqual([]);
    locked = false;
    await vi.advanceTimersByTimeAsync(60_000);
    await c.idle();
    expect(scope(c)).toMatchObject({ sync: 'Synced', health: 'Healthy' });
  });
});

describe('the store at start', () => {
  it('started while the store is locked, it waits for it, then rebuilds and converges', async () => {
    const c0 = await started();
    await c0.stop();
    controllers = [];
    const real = store.store;
    let locked = 3;
    const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    const flaky: Store = Object.create(real) as Store;
    flaky.abandonRunningSyncs = async (reason) => {
      if (locked-- > 0) throw busy();
      return real.abandonRunningSyncs(reason);
    };
    let historyLocked = true;
    flaky.latestSyncs = async (project, scopes) => {
      if (historyLocked) throw busy();
      return real.latestSyncs(project, scopes);
    };
    const c = controller({ store: flaky });
    const starting = c.start();
    await vi.advanceTimersByTimeAsync(120_000);
    await starting;
    expect(c.status().apps).toEqual([]); // history could not be read: no scope is shown as never synced
    historyLocked = false;
    await vi.advanceTimersByTimeAsync(5_000);
    await c.idle();
    expect(scope(c)).toMatchObject({ sync: 'Synced', lastSync: { result: 'Succeeded' } });
  });
});

describe('restart', () => {
  it('rebuilds every scope from the store: the same status before and after', async () => {
    const c = await started();
    await vi.advanceTimersByTimeAsync(2_500);
    const before = c.status().apps;
    await c.stop();
    controllers = [];
    const again = controller({ store: store.reopen() });
    await again.start();
    await again.idle();
    await vi.advanceTimersByTimeAsync(2_500);
    const pick = (a: AppEnvStatus) => ({
      env: a.env,
      sync: a.sync,
      health: a.health,
      syncedRevision: a.syncedRevision,
      lastSync: a.lastSync?.id,
    });
    expect(again.status().apps.map(pick)).toEqual(before.map(pick));
    expect(before.every((a) => a.lastSync?.result === 'Succeeded')).toBe(true);
  });

  it('prunes at start what runs for a scope removed from Git while Sluice was down, with an event that says why', async () => {
    const c = await started();
    await c.stop();
    controllers = [];
    const files = source.head();
    source.commit({
      ...files,
      'sluice.yaml': sluiceYaml({ environments: '    - { name: dev, target: local, sync: auto }' }),
    });
    const again = controller();
    await again.start();
    await again.idle();
    expect(target.destroyed).toEqual(['shop/web/prod']);
    const events = await store.store.listEvents({ type: 'app.removed' });
    expect(events[0]!.message).toMatch(/environment "prod" is no longer in sluice.yaml/);
  });

  it('an overlay directory removed: the app leaves that environment, with an event naming the directory', async () => {
    const files: Files = {
      ...projectFiles(),
      'apps/web/overlays/dev/kustomization.yaml': 'resources: [../../base]\n',
      'apps/web/overlays/prod/kustomization.yaml': 'resources: [../../base]\n',
    };
    const c = await started(files);
    const { ['apps/web/overlays/prod/kustomization.yaml']: _gone, ...rest } = files;
    await commit(c, rest);
    expect(c.status().apps.map((a) => a.env)).toEqual(['dev']);
    expect(target.destroyed).toEqual(['shop/web/prod']);
    const events = await store.store.listEvents({ type: 'app.removed' });
    expect(events[0]!.message).toContain('apps/web/overlays/prod was removed');
  });
});

describe('providers', () => {
  it('editing only a target description keeps its provider; a new connection replaces and closes it', async () => {
    const c = controller({ fresh: true });
    source.commit(projectFiles());
    await c.start();
    await c.idle();
    await commit(c, { ...source.head(), 'sluice.yaml': sluiceYaml({ description: 'the laptop' }) });
    expect(created).toHaveLength(1);
    await commit(c, {
      ...source.head(),
      'sluice.yaml': sluiceYaml().replace('provider: process', 'provider: kubernetes\n      context: other'),
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(created).toHaveLength(2);
    expect(created[0]!.closed).toBe(true);
    expect(created[1]!.closed).toBe(false);
  });
});

describe('drift', () => {
  it('heals drift where selfHeal is on and shows it as OutOfSync where it is off', async () => {
    const c = await started();
    const edit = (r: Resource) => ((r.spec as { args: string[] }).args = ['edited']);
    target.tamper({ project: 'shop', app: 'web', env: 'dev' }, 'web', edit);
    target.tamper({ project: 'shop', app: 'web', env: 'prod' }, 'web', edit);
    await vi.advanceTimersByTimeAsync(5_500);
    await c.idle();
    expect(scope(c, 'prod')).toMatchObject({ sync: 'OutOfSync' });
    expect(scope(c, 'prod').drift?.causes[0]).toContain('Process/web');
    const healed = (await syncsOf('dev')).find((s) => s.trigger === 'drift');
    expect(healed).toMatchObject({ result: 'Succeeded' });
    expect(scope(c, 'dev')).toMatchObject({ sync: 'Synced' });
    expect(scope(c, 'dev').drift).toBeUndefined();
  });
});
