import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DesiredStates } from '../desired/index.js';
import { Controller } from './controller.js';
import type { AppEnvStatus } from './status.js';
import { MemorySource, MemoryTarget, processYaml, quietLog, tempStore, type Files } from './test-support.js';

/**
 * Passes where nothing a scope reads changed: no render, no apply, while drift (found by
 * comparing live with the kept render) is still found and healed.
 */

const APPS = ['web', 'api', 'worker'];

function project(apps: string[], o: { comment?: string; healthTimeout?: string } = {}): string {
  return `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata:
  name: shop
spec:
  targets:
    local:
      provider: process
  environments:
    - { name: dev, target: local, sync: auto, selfHeal: true, prune: true, healthTimeout: ${o.healthTimeout ?? '30s'} }
    - { name: prod, target: local, sync: auto, selfHeal: false, prune: true }
  apps:
${apps.map((a) => `    - name: ${a}\n      path: apps/${a}`).join('\n')}
${o.comment ? `# ${o.comment}\n` : ''}`;
}

function files(o: Parameters<typeof project>[1] = {}, args: Record<string, string> = {}): Files {
  const out: Files = { 'sluice.yaml': project(APPS, o) };
  for (const a of APPS) out[`apps/${a}/base/${a}.yaml`] = processYaml(a, [args[a] ?? 'v1']);
  return out;
}

let source: MemorySource;
let target: MemoryTarget;
let store: ReturnType<typeof tempStore>;
let c: Controller;
let renders: ReturnType<typeof vi.spyOn>;

beforeEach(async () => {
  vi.useFakeTimers();
  source = new MemorySource();
  target = new MemoryTarget();
  store = tempStore();
  // The renderer is counted where every render of every scope goes through: the desired pipeline.
  renders = vi.spyOn(DesiredStates.prototype as unknown as { render: () => unknown }, 'render');
  source.commit(files());
  c = new Controller({ source, store: store.store, log: quietLog, createProvider: () => target, random: () => 0.5 });
  await c.start();
  await c.idle();
});

afterEach(async () => {
  await c.stop();
  renders.mockRestore();
  vi.useRealTimers();
  await store.store.close();
  store.remove();
});

const scope = (app: string, env: string): AppEnvStatus => c.status().apps.find((a) => a.app === app && a.env === env)!;

async function commit(f: Files): Promise<string> {
  const revision = source.commit(f);
  await c.refresh();
  await c.idle();
  return revision;
}

describe('a pass with nothing changed', () => {
  it('renders and applies nothing, and finds drift by comparing live with the kept render', async () => {
    expect(renders).toHaveBeenCalledTimes(APPS.length * 2);
    renders.mockClear();
    const applies = target.applies;
    const syncs = await store.store.listSyncs({ limit: 100 });

    // A revision that touches sluice.yaml but nothing any scope reads or is configured by.
    const revision = await commit(files({ comment: 'who owns what: see the wiki' }));
    // Drift passes run on their timer.
    await vi.advanceTimersByTimeAsync(15_000);
    expect(renders).not.toHaveBeenCalled();
    expect(target.applies).toBe(applies);
    expect(await store.store.listSyncs({ limit: 100 })).toHaveLength(syncs.length);
    for (const app of APPS)
      for (const env of ['dev', 'prod'])
        expect(scope(app, env)).toMatchObject({ sync: 'Synced', syncedRevision: revision });

    // Live changed behind Sluice's back: found without a render, healed where selfHeal is on.
    target.tamper({ project: 'shop', app: 'api', env: 'prod' }, 'api', (r) => {
      (r.spec as { args: string[] }).args = ['tampered'];
    });
    target.tamper({ project: 'shop', app: 'api', env: 'dev' }, 'api', (r) => {
      (r.spec as { args: string[] }).args = ['tampered'];
    });
    await vi.advanceTimersByTimeAsync(15_000);
    await c.idle();
    expect(scope('api', 'prod')).toMatchObject({
      sync: 'OutOfSync',
      drift: { causes: [expect.stringContaining('api')] },
    });
    expect(target.applies).toBe(applies + 1); // dev healed itself
    expect(scope('api', 'dev').sync).toBe('Synced');
    expect(renders).not.toHaveBeenCalled();
  });

  it('still renders what a revision changes: an app’s manifest, or the configuration of its environment', async () => {
    renders.mockClear();
    const changed = await commit(files({}, { web: 'v2' }));
    // web in dev and prod; the other apps keep their renders.
    expect(renders).toHaveBeenCalledTimes(2);
    expect(scope('web', 'dev')).toMatchObject({ sync: 'Synced', syncedRevision: changed });
    expect(scope('api', 'dev')).toMatchObject({ sync: 'Synced', syncedRevision: changed });

    renders.mockClear();
    await commit(files({ healthTimeout: '45s' }, { web: 'v2' }));
    // An environment's settings are part of every scope's inputs: every scope renders again.
    expect(renders).toHaveBeenCalledTimes(APPS.length * 2);
  });
});
