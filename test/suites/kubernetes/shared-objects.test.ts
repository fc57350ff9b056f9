import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { Controller } from '../../../src/reconcile/controller.js';
import { createProvider } from '../../../src/providers/index.js';
import type { AppEnvStatus } from '../../../src/reconcile/status.js';
import { MemorySource, quietLog, tempStore } from '../../../src/reconcile/test-support.js';
import type { KubeClient } from '../../../src/providers/kubernetes/client.js';
import { get, rawClient } from './helpers.js';

/**
 * One object declared by two scopes (two apps on one cluster): neither may apply it against
 * the other, and removing one app must never delete what the other still declares.
 */

let client: KubeClient;
const controllers: Controller[] = [];
const stores: ReturnType<typeof tempStore>[] = [];

beforeAll(async () => {
  client = await rawClient();
});
afterEach(async () => {
  for (const c of controllers.splice(0)) await c.stop();
  for (const s of stores.splice(0)) {
    await s.store.close();
    s.remove();
  }
});
afterAll(() => client.close());

function sluiceYaml(project: string, apps: string[]): string {
  return `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata:
  name: ${project}
spec:
  targets:
    cluster:
      provider: kubernetes
      kubeconfig: ${inject('kubeconfig')}
      waveTimeout: 0s
  environments:
    - { name: dev, target: cluster, sync: auto, selfHeal: true, healthTimeout: 20s }
  apps:
${apps.map((a) => `    - { name: ${a}, path: apps/${a} }`).join('\n')}
`;
}

function namespace(name: string, shared = false): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
${shared ? '  annotations:\n    sluice.dev/shared: "true"\n' : ''}`;
}

function settings(ns: string, name: string): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${ns}
data:
  owner: ${name}
`;
}

function controller(source: MemorySource): Controller {
  const store = tempStore();
  stores.push(store);
  const c = new Controller({
    source,
    store: store.store,
    log: quietLog,
    createProvider: (t) => createProvider(t, { dataDir: store.dir, log: quietLog }),
    healthIntervalMs: 500,
    driftIntervalMs: 1_000,
  });
  controllers.push(c);
  return c;
}

const statusOf = (c: Controller, app: string): AppEnvStatus | undefined =>
  c.status().apps.find((a) => a.app === app && a.env === 'dev');

async function until(c: Controller, app: string, ok: (s: AppEnvStatus) => boolean): Promise<AppEnvStatus> {
  for (;;) {
    const s = statusOf(c, app);
    if (s && ok(s)) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('two apps declaring one Namespace', () => {
  it('is a conflict reported on both, and neither applies it', async () => {
    const NS = 'two-dev';
    const source = new MemorySource();
    source.commit({
      'sluice.yaml': sluiceYaml('two', ['api', 'web']),
      'apps/api/base/app.yaml': `${namespace(NS)}---\n${settings(NS, 'api')}`,
      'apps/web/base/app.yaml': `${namespace(NS)}---\n${settings(NS, 'web')}`,
    });
    const c = controller(source);
    await c.start();
    for (const app of ['api', 'web']) {
      const s = await until(c, app, (x) => x.error !== undefined);
      expect(s.error?.message ?? '').toContain('object Namespace/two-dev');
      expect(s.sync).not.toBe('Synced');
    }
    expect(await get(client, `/api/v1/namespaces/${NS}`)).toBeUndefined();
  });

  it('removing one app never deletes the namespace the other still declares', async () => {
    const NS = 'kept-dev';
    const source = new MemorySource();
    // api brings the namespace; web only puts its settings in it.
    source.commit({
      'sluice.yaml': sluiceYaml('kept', ['api', 'web']),
      'apps/api/base/app.yaml': `${namespace(NS)}---\n${settings(NS, 'api')}`,
      'apps/web/base/app.yaml': settings(NS, 'web'),
    });
    const c = controller(source);
    await c.start();
    await until(c, 'api', (s) => s.sync === 'Synced');
    await until(c, 'web', (s) => s.sync === 'Synced');

    // One commit hands the namespace to web and removes api from sluice.yaml.
    const next = source.commit({
      'sluice.yaml': sluiceYaml('kept', ['web']),
      'apps/web/base/app.yaml': `${namespace(NS)}---\n${settings(NS, 'web')}`,
    });
    await c.refresh();
    await until(c, 'web', (s) => s.sync === 'Synced' && s.syncedRevision === next);
    expect(await get(client, `/api/v1/namespaces/${NS}/configmaps/api`)).toBeUndefined();
    const live = await get<{ metadata: { deletionTimestamp?: string } }>(client, `/api/v1/namespaces/${NS}`);
    expect(live?.metadata.deletionTimestamp).toBeUndefined();
    expect(await get(client, `/api/v1/namespaces/${NS}/configmaps/web`)).toBeDefined();
  });

  it('shared on both declarations, both apply it and stay in sync without re-applying each other', async () => {
    const NS = 'shared-dev';
    const source = new MemorySource();
    source.commit({
      'sluice.yaml': sluiceYaml('shared', ['api', 'web']),
      'apps/api/base/app.yaml': `${namespace(NS, true)}---\n${settings(NS, 'api')}`,
      'apps/web/base/app.yaml': `${namespace(NS, true)}---\n${settings(NS, 'web')}`,
    });
    const c = controller(source);
    await c.start();
    await until(c, 'api', (s) => s.sync === 'Synced');
    await until(c, 'web', (s) => s.sync === 'Synced');
    // Each sees the namespace as in sync: neither would write it back over the other.
    for (const app of ['api', 'web']) {
      const plan = await c.plan(app, 'dev');
      expect(plan.changes.filter((x) => x.action !== 'unchanged')).toEqual([]);
    }

    // Removing api leaves the namespace to web.
    const extra = 'shared-extra';
    source.commit({
      'sluice.yaml': sluiceYaml('shared', ['web']),
      'apps/web/base/app.yaml': `${namespace(NS, true)}---\n${namespace(extra, true)}---\n${settings(NS, 'web')}`,
    });
    await c.refresh();
    await waitGone(`/api/v1/namespaces/${NS}/configmaps/api`);
    const live = await get<{ metadata: { deletionTimestamp?: string } }>(client, `/api/v1/namespaces/${NS}`);
    expect(live?.metadata.deletionTimestamp).toBeUndefined();
    expect(await get(client, `/api/v1/namespaces/${NS}/configmaps/web`)).toBeDefined();
    const healthy = await until(
      c,
      'web',
      (s) => s.sync === 'Synced' && s.health === 'Healthy' && s.resources.some((r) => r.key === `Namespace/${extra}`),
    );
    expect(healthy.resources.map((r) => r.key)).toEqual(expect.arrayContaining([`Namespace/${NS}`]));

    // A shared object no scope declares any more goes.
    source.commit({
      'sluice.yaml': sluiceYaml('shared', ['web']),
      'apps/web/base/app.yaml': `${namespace(NS, true)}---\n${settings(NS, 'web')}`,
    });
    await c.refresh();
    for (;;) {
      const ns = await get<{ metadata: { deletionTimestamp?: string } }>(client, `/api/v1/namespaces/${extra}`);
      if (!ns || ns.metadata.deletionTimestamp) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const kept = await get<{ metadata: { deletionTimestamp?: string } }>(client, `/api/v1/namespaces/${NS}`);
    expect(kept?.metadata.deletionTimestamp).toBeUndefined();
  });
});

async function waitGone(path: string): Promise<void> {
  while ((await get(client, path)) !== undefined) await new Promise((r) => setTimeout(r, 100));
}
