import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResourceHealth } from '../plan/types.js';
import type { Scope } from '../providers/types.js';
import type { LivePasses } from './live-passes.js';
import { Controller } from './controller.js';
import { MemorySource, MemoryTarget, projectFiles, quietLog, tempStore } from './test-support.js';

/**
 * A target whose plans and health come from a cache it can stamp (the Kubernetes watch
 * caches): passes skip the scopes whose stamp and state did not move, and only those.
 */
class StampedTarget extends MemoryTarget {
  version = 1;
  down = false;
  plans = 0;
  healthReads = 0;

  async liveStamp(): Promise<string> {
    if (this.down) throw new Error('the API server is not answering');
    return `v${this.version}`;
  }

  override async plan(scope: Scope, desired: Parameters<MemoryTarget['plan']>[1], options: { prune: boolean }) {
    this.plans++;
    return super.plan(scope, desired, options);
  }

  override async health(scope: Scope): Promise<ResourceHealth[]> {
    this.healthReads++;
    if (this.down) throw new Error('the API server is not answering');
    return super.health(scope);
  }
}

let target: StampedTarget;
let store: ReturnType<typeof tempStore>;
let c: Controller;
const passes = () => (c as unknown as { passes: LivePasses }).passes;
const pass = {
  drift: () => passes().drift(),
  health: () => passes().health(),
};
const healthOf = (env: string) => c.status().apps.find((a) => a.env === env)?.health;

/** A controller on `provider` whose periodic passes wait: each test runs them by hand. */
async function startOn(provider: MemoryTarget): Promise<Controller> {
  const source = new MemorySource();
  source.commit(projectFiles());
  const controller = new Controller({
    source,
    store: store.store,
    log: quietLog,
    createProvider: () => provider,
    random: () => 0.5,
    driftIntervalMs: 3_600_000,
    healthIntervalMs: 3_600_000,
  });
  await controller.start();
  await controller.idle();
  return controller;
}

beforeEach(async () => {
  target = new StampedTarget();
  store = tempStore();
  c = await startOn(target);
});

afterEach(async () => {
  await c.stop();
  await store.store.close();
  store.remove();
});

describe('passes over a target that stamps what it reads', () => {
  it('plan a scope again only once the stamp moves, and still find drift then', async () => {
    await pass.drift();
    const planned = target.plans;
    expect(planned).toBeGreaterThan(0);
    await pass.drift();
    await pass.drift();
    expect(target.plans).toBe(planned);

    // Someone edits a live object: the cache changes, and so does the stamp.
    const [, objects] = [...target.objects.entries()].find(([id]) => id.endsWith('/prod'))!;
    const [key, live] = [...objects.entries()][0]!;
    objects.set(key, { ...live, metadata: { ...live.metadata, labels: { edited: 'by-hand' } } });
    target.version++;
    await pass.drift();
    expect(target.plans).toBe(planned + 2);
    // prod does not heal itself: it shows the drift the new plan found.
    expect(c.status().apps.find((a) => a.env === 'prod')?.sync).toBe('OutOfSync');
    expect(c.status().apps.find((a) => a.env === 'dev')?.sync).toBe('Synced');
  });

  it('read health again only once the stamp moves, or after the target stopped answering', async () => {
    await pass.health();
    const reads = target.healthReads;
    await pass.health();
    expect(target.healthReads).toBe(reads);
    expect(healthOf('dev')).toBe('Healthy');

    target.down = true;
    await pass.health();
    expect(healthOf('dev')).toBe('Unknown');

    // Back, with the same cache (a quiet watch): health is read again, not left Unknown.
    target.down = false;
    await pass.health();
    expect(healthOf('dev')).toBe('Healthy');
    const back = target.healthReads;
    target.version++;
    await pass.health();
    expect(target.healthReads).toBe(back + 2);
  });

  it('plans every pass on a target that cannot stamp', async () => {
    await c.stop();
    const plain = new (class extends MemoryTarget {
      plans = 0;
      override async plan(scope: Scope, desired: Parameters<MemoryTarget['plan']>[1], options: { prune: boolean }) {
        this.plans++;
        return super.plan(scope, desired, options);
      }
    })();
    c = await startOn(plain);
    await pass.drift();
    const planned = plain.plans;
    await pass.drift();
    expect(plain.plans).toBe(planned + 2);
  });
});
