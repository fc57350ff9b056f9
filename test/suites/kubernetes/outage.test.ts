import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { Controller } from '../../../src/reconcile/controller.js';
import { createProvider } from '../../../src/providers/index.js';
import type { AppEnvStatus } from '../../../src/reconcile/status.js';
import { MemorySource, quietLog, tempStore, type Files } from '../../../src/reconcile/test-support.js';
import { startServer, type RunningServer } from './server.js';

/**
 * A Kubernetes target that stops answering (its API server stopped with SIGSTOP, as a hung
 * node or a stalled load balancer does) and comes back: Sluice must not keep showing the last
 * good health, must not hold a scope or a diff forever, and must converge once it answers.
 * The server is this file's own, since stopping the suite's shared one would stall every test.
 */

let server: RunningServer;
let stopped = false;
const controllers: Controller[] = [];
const stores: ReturnType<typeof tempStore>[] = [];

beforeAll(async () => {
  server = await startServer(inject('apiserver'));
}, 240_000);

afterEach(async () => {
  resume();
  for (const c of controllers.splice(0)) await c.stop();
  for (const s of stores.splice(0)) {
    await s.store.close();
    s.remove();
  }
});

afterAll(async () => {
  resume();
  await server?.stop();
});

function hang(): void {
  process.kill(server.pid, 'SIGSTOP');
  stopped = true;
}

function resume(): void {
  if (stopped) process.kill(server.pid, 'SIGCONT');
  stopped = false;
}

function files(value: string): Files {
  return {
    'sluice.yaml': `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata:
  name: outage
spec:
  targets:
    cluster:
      provider: kubernetes
      kubeconfig: ${server.kubeconfig}
  environments:
    - { name: dev, target: cluster, sync: auto, selfHeal: true, healthTimeout: 20s }
  apps:
    - name: web
      path: apps/web
`,
    'apps/web/base/app.yaml': `apiVersion: v1
kind: Namespace
metadata:
  name: outage-dev
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: outage-dev
data:
  value: "${value}"
`,
  };
}

/** A controller with short deadlines, so a hung call is given up in seconds rather than the default 30 s. */
function controller(source: MemorySource): Controller {
  const store = tempStore();
  stores.push(store);
  const c = new Controller({
    source,
    store: store.store,
    log: quietLog,
    createProvider: (t) => createProvider(t, { dataDir: store.dir, log: quietLog }),
    targetTimeouts: { callMs: 3_000, startMs: 5_000 },
    healthIntervalMs: 500,
    driftIntervalMs: 1_000,
  });
  controllers.push(c);
  return c;
}

const web = (c: Controller): AppEnvStatus | undefined => c.status().apps.find((a) => a.app === 'web');

/** Polls the controller's status until `ok` holds; the test's own timeout bounds the wait. */
async function until(c: Controller, ok: (s: AppEnvStatus) => boolean): Promise<AppEnvStatus> {
  for (;;) {
    const s = web(c);
    if (s && ok(s)) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a Kubernetes target that hangs', () => {
  it('turns health Unknown with the reason, gives up a diff, and converges once it answers again', async () => {
    const source = new MemorySource();
    source.commit(files('one'));
    const c = controller(source);
    await c.start();
    await until(c, (s) => s.sync === 'Synced' && s.health === 'Healthy');

    hang();
    const unknown = await until(c, (s) => s.health === 'Unknown');
    expect(unknown.healthReason).toMatch(/timed out|no answer/);

    // A diff asked for meanwhile ends with the reason instead of hanging the caller.
    await expect(c.plan('web', 'dev')).rejects.toMatchObject({ code: 'TARGET_TIMEOUT' });

    // A revision that lands while the target hangs is not lost: it is tried, fails as transient, and waits.
    const next = source.commit(files('two'));
    await c.refresh();
    const failed = await until(c, (s) => s.sync === 'Failed');
    expect(failed.error?.message ?? failed.reason).toMatch(/timed out|no answer/);
    expect(failed.nextAttemptAt).toBeDefined();

    resume();
    const healed = await until(c, (s) => s.sync === 'Synced' && s.health === 'Healthy' && s.syncedRevision === next);
    expect(healed.healthReason).toBeUndefined();
    expect(healed.lastSync?.result).toBe('Succeeded');
  }, 180_000);

  it('a controller started while the target hangs shows why, and syncs once it answers', async () => {
    const source = new MemorySource();
    const revision = source.commit(files('three'));
    hang();
    const c = controller(source);
    await c.start();
    const waiting = await until(c, (s) => s.health === 'Unknown' && s.healthReason !== undefined);
    expect(waiting.healthReason).toMatch(/timed out|could not be started|no answer/);
    expect(waiting.sync).not.toBe('Synced');

    resume();
    const synced = await until(c, (s) => s.sync === 'Synced' && s.health === 'Healthy');
    expect(synced.syncedRevision).toBe(revision);
  }, 240_000);
});
