import { describe, expect, it } from 'vitest';
import { parseProject } from '../config/index.js';
import type { Provider } from '../providers/types.js';
import { ProviderPool } from './provider-pool.js';

/** The pool replaces a provider whose target changed, in sluice.yaml or under it, and closes the old one. */

function fakeProvider(): Provider & { closed: boolean; stale: boolean } {
  const p = {
    kind: 'kubernetes',
    closed: false,
    stale: false,
    accepts: () => true,
    start: async () => undefined,
    live: async () => [],
    plan: async () => ({ changes: [], summary: { create: 0, update: 0, delete: 0, unchanged: 0 } }),
    apply: async () => ({ changes: [], summary: { create: 0, update: 0, delete: 0, unchanged: 0 } }),
    health: async () => [],
    scopes: async () => [],
    destroy: async () => undefined,
    onEvent: () => () => undefined,
    close: async () => {
      p.closed = true;
    },
    outdated: () => p.stale,
  };
  return p;
}

/** A pool of fake providers, and every provider it made. */
function fakePool(): { pool: ProviderPool; made: ReturnType<typeof fakeProvider>[] } {
  const made: ReturnType<typeof fakeProvider>[] = [];
  const pool = new ProviderPool(
    () => {
      const p = fakeProvider();
      made.push(p);
      return p;
    },
    () => undefined,
  );
  return { pool, made };
}

const project = (kubeconfig: string) =>
  parseProject(`apiVersion: sluice.dev/v1alpha1
kind: Project
metadata: { name: shop }
spec:
  targets: { cluster: { provider: kubernetes, kubeconfig: ${kubeconfig} } }
  environments: [{ name: dev, target: cluster }]
  apps: [{ name: web, path: apps/web }]
`);

describe('the provider pool', () => {
  it('replaces the provider when the kubeconfig path changes, and when the provider says it is outdated', async () => {
    const { pool, made } = fakePool();
    const a = project('/etc/a.yaml');
    await pool.get(a, 'cluster');
    await pool.get(a, 'cluster');
    expect(made).toHaveLength(1);

    await pool.get(project('/etc/b.yaml'), 'cluster');
    expect(made).toHaveLength(2);
    await pool.ready();
    await new Promise((r) => setImmediate(r));
    expect(made[0]!.closed).toBe(true);

    made[1]!.stale = true;
    await pool.get(project('/etc/b.yaml'), 'cluster');
    expect(made).toHaveLength(3);
    await new Promise((r) => setImmediate(r));
    expect(made[1]!.closed).toBe(true);
    expect(made[2]!.closed).toBe(false);
  });
});

describe('the provider pool once closed', () => {
  it('starts no provider for a pass that was still running when it closed', async () => {
    const { pool, made } = fakePool();
    const a = project('/etc/a.yaml');
    await pool.get(a, 'cluster');
    await pool.closeAll({});
    expect(made[0]!.closed).toBe(true);
    // The provider it had is closed and a new one would outlive the stop (its watches, its children).
    await expect(pool.get(a, 'cluster')).rejects.toMatchObject({ code: 'CONTROLLER_STOPPED' });
    await expect(pool.get(project('/etc/b.yaml'), 'cluster')).rejects.toMatchObject({ code: 'CONTROLLER_STOPPED' });
    expect(() => pool.kindOf(a, 'cluster')).toThrow(/stopped/);
    expect(made).toHaveLength(1);
  });
});
