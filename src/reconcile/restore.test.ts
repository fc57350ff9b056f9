import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProviderError } from '../errors/index.js';
import type { Store } from '../store/types.js';
import { Controller } from './controller.js';
import { MemorySource, MemoryTarget, processYaml, quietLog, tempStore, type Files } from './test-support.js';

/**
 * A controller that files a revision's scopes rebuilds them from the store's history with one
 * read for them all: at 10,000 scopes, one read per scope flooded the store at every start.
 */

function files(apps: string[], version: (app: string) => string = () => 'v1'): Files {
  const out: Files = {
    'sluice.yaml': `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata:
  name: shop
spec:
  targets:
    local:
      provider: process
  environments:
    - { name: dev, target: local, sync: auto }
    - { name: prod, target: local, sync: auto }
  apps:
${apps.map((a) => `    - name: ${a}\n      path: apps/${a}`).join('\n')}
`,
  };
  for (const a of apps) out[`apps/${a}/base/${a}.yaml`] = processYaml(a, [version(a)]);
  return out;
}

const stores: ReturnType<typeof tempStore>[] = [];
const controllers: Controller[] = [];

beforeEach(() => vi.useFakeTimers());

afterEach(async () => {
  for (const c of controllers.splice(0)) await c.stop();
  vi.useRealTimers();
  // Every store closed before any directory goes: a reopened store shares its first's.
  const done = stores.splice(0);
  for (const s of done) await s.store.close();
  for (const s of done) s.remove();
});

/** The store, with how often the controller read sync history through it. */
function counted(store: Store): { store: Store; reads: Record<string, number> } {
  const reads: Record<string, number> = { listSyncs: 0, latestSyncs: 0 };
  const wrapped = new Proxy(store, {
    get(t, prop, receiver) {
      const v: unknown = Reflect.get(t, prop, receiver);
      if (typeof prop === 'string' && prop in reads && typeof v === 'function')
        return (...args: unknown[]) => {
          reads[prop]!++;
          return (v as (...a: unknown[]) => unknown).apply(t, args);
        };
      return v;
    },
  });
  return { store: wrapped, reads };
}

/**
 * Runs a project of `count` apps in dev and prod, breaks `app0` (its newest revision fails to
 * apply), then starts a second controller on the same store and returns what it shows and how
 * often it read the history.
 */
async function restarted(count: number) {
  const apps = Array.from({ length: count }, (_, i) => `app${i}`);
  const source = new MemorySource();
  const target = new MemoryTarget();
  const tmp = tempStore();
  stores.push(tmp);
  const controller = (store: Store) => {
    const c = new Controller({ source, store, log: quietLog, createProvider: () => target, random: () => 0.5 });
    controllers.push(c);
    return c;
  };

  const first = source.commit(files(apps));
  const c0 = controller(tmp.store);
  await c0.start();
  await c0.idle();
  target.applyError = new ProviderError('TARGET_DOWN', 'the target refused the apply');
  const second = source.commit(files(apps, (a) => (a === 'app0' ? 'v2' : 'v1')));
  await c0.refresh();
  await c0.idle();
  const before = c0.status().apps;
  await c0.stop();
  controllers.splice(controllers.indexOf(c0), 1);

  const { store, reads } = counted(tmp.reopen());
  stores.push({ store, dir: tmp.dir, reopen: tmp.reopen, remove: () => undefined });
  const c1 = controller(store);
  await c1.start();
  await c1.idle();
  return { first, second, before, after: c1.status().apps, reads };
}

describe('restoring scopes from the store', () => {
  it('reads the history of all the scopes a revision files at once, however many, and shows it', async () => {
    const few = await restarted(2);
    const many = await restarted(8);
    expect(many.after).toHaveLength(16);
    // The same reads for 16 scopes as for 4: none per scope.
    expect(many.reads).toEqual(few.reads);
    expect(many.reads.latestSyncs).toBe(1);

    for (const run of [few, many])
      for (const before of run.before) {
        const after = run.after.find((a) => a.app === before.app && a.env === before.env)!;
        if (before.app === 'app0') {
          // Its last sync failed: the revision it last synced is the older one that succeeded.
          expect(before.lastSync).toMatchObject({ result: 'Failed', revision: run.second });
          expect(after).toMatchObject({ syncedRevision: run.first, lastSync: { result: 'Failed' } });
        } else {
          expect(before.lastSync).toMatchObject({ result: 'Succeeded', revision: run.first });
          expect(after.lastSync).toEqual(before.lastSync);
        }
      }
  });
});
