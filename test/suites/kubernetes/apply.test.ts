import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider, Scope } from '../../../src/providers/types.js';
import type { Resource } from '../../../src/model/resource.js';
import { applysetId } from '../../../src/providers/kubernetes/applyset.js';
import type { KubeClient } from '../../../src/providers/kubernetes/client.js';
import { applyOpts, configMap, deployment, get, ns, rawClient, service, startProvider } from './helpers.js';

describe('apply, update and dry-run against a real API server', () => {
  let provider: Provider;
  let client: KubeClient;
  const scope: Scope = { project: 'shop', app: 'web', env: 'apply' };
  const NS = 'apply-test';
  const desired = (color: string): Resource[] => [
    ns(NS),
    configMap(NS, 'web-config', { color }),
    deployment(NS, 'web', 2),
    service(NS, 'web'),
  ];

  beforeAll(async () => {
    provider = await startProvider();
    client = await rawClient();
  });
  afterAll(async () => {
    await provider.close();
    client.close();
  });

  it('plans a first sync as creates without touching the cluster', async () => {
    const plan = await provider.plan(scope, desired('blue'), { prune: true });
    expect(plan.summary).toEqual({ create: 4, update: 0, delete: 0, unchanged: 0 });
    expect(plan.changes.map((c) => c.kind)).toEqual(['Namespace', 'ConfigMap', 'Service', 'Deployment']);
    expect(plan.changes.find((c) => c.kind === 'ConfigMap')!.diff).toContain('+  color: blue');
    expect(await get(client, `/api/v1/namespaces/${NS}`)).toBeUndefined();
  });

  it('creates everything with server-side apply, stamped with scope, revision and applyset', async () => {
    const progress: string[] = [];
    const plan = await provider.apply(
      scope,
      desired('blue'),
      applyOpts({ onProgress: (m: string) => progress.push(m) }),
    );
    expect(plan.summary).toEqual({ create: 4, update: 0, delete: 0, unchanged: 0 });
    expect(progress.length).toBe(4);

    const cm = (await get(client, `/api/v1/namespaces/${NS}/configmaps/web-config`))!;
    const parentRef = { name: 'sluice.shop.apply.web', namespace: 'sluice-system', kind: 'ConfigMap', group: '' };
    const id = applysetId(parentRef);
    expect(cm.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'sluice',
      'sluice.dev/project': 'shop',
      'sluice.dev/app': 'web',
      'sluice.dev/env': 'apply',
      'applyset.kubernetes.io/part-of': id,
    });
    expect(cm.metadata.annotations).toMatchObject({ 'sluice.dev/revision': 'rev1' });
    const managers = (cm.metadata.managedFields as { manager: string; operation: string }[]).map(
      (m) => `${m.manager}/${m.operation}`,
    );
    expect(managers).toContain('sluice/Apply');

    const parent = (await get(client, '/api/v1/namespaces/sluice-system/configmaps/sluice.shop.apply.web'))!;
    expect(parent.metadata.labels!['applyset.kubernetes.io/id']).toBe(id);
    expect(parent.metadata.annotations).toMatchObject({
      'applyset.kubernetes.io/tooling': 'sluice/v0',
      'applyset.kubernetes.io/contains-group-kinds': 'ConfigMap,Deployment.apps,Namespace,Service',
      'applyset.kubernetes.io/additional-namespaces': NS,
    });
    expect(await provider.scopes()).toContainEqual(scope);
    const live = await provider.live(scope);
    expect(live.map((l) => l.key).sort()).toEqual([
      'ConfigMap/apply-test/web-config',
      'Deployment.apps/apply-test/web',
      'Namespace/apply-test',
      'Service/apply-test/web',
    ]);
  });

  it('finds nothing to do when nothing changed, even at a new revision', async () => {
    const plan = await provider.plan(scope, desired('blue'), { prune: true });
    expect(plan.summary).toEqual({ create: 0, update: 0, delete: 0, unchanged: 4 });
    const again = await provider.apply(scope, desired('blue'), applyOpts({ revision: 'rev2' }));
    expect(again.summary.unchanged).toBe(4);
  });

  it('shows an update as a server-side dry-run diff, and dry-run sync changes nothing', async () => {
    const plan = await provider.plan(scope, desired('green'), { prune: true });
    expect(plan.summary).toEqual({ create: 0, update: 1, delete: 0, unchanged: 3 });
    const c = plan.changes.find((x) => x.action === 'update')!;
    expect(c.key).toBe('ConfigMap/apply-test/web-config');
    expect(c.reason).toBe('.data.color changed');
    expect(c.diff).toContain('-  color: blue');
    expect(c.diff).toContain('+  color: green');
    // Only fields Sluice owns: no managedFields, uid or server defaults in the diff.
    expect(c.diff).not.toContain('managedFields');
    expect(c.diff).not.toContain('uid');

    const dry = await provider.apply(scope, desired('green'), applyOpts({ dryRun: true, revision: 'rev3' }));
    expect(dry.summary.update).toBe(1);
    const cm = (await get<Resource & { data: Record<string, string> }>(
      client,
      `/api/v1/namespaces/${NS}/configmaps/web-config`,
    ))!;
    expect(cm.data.color).toBe('blue');
  });

  it('applies the update and stamps the new revision', async () => {
    const plan = await provider.apply(scope, desired('green'), applyOpts({ revision: 'rev3' }));
    expect(plan.summary).toEqual({ create: 0, update: 1, delete: 0, unchanged: 3 });
    const cm = (await get<Resource & { data: Record<string, string> }>(
      client,
      `/api/v1/namespaces/${NS}/configmaps/web-config`,
    ))!;
    expect(cm.data.color).toBe('green');
    expect(cm.metadata.annotations!['sluice.dev/revision']).toBe('rev3');
  });

  it('does not see server-normalised quantities as changes', async () => {
    const d = (await get(client, `/apis/apps/v1/namespaces/${NS}/deployments/web`))! as unknown as {
      spec: { template: { spec: { containers: { resources: { limits: { cpu: string } } }[] } } };
    };
    expect(d.spec.template.spec.containers[0]!.resources.limits.cpu).toBe('500m');
    const plan = await provider.plan(scope, desired('green'), { prune: true });
    expect(plan.summary.unchanged).toBe(4);
  });

  it('reports a manifest the API server rejects as a ProviderError naming the resource', async () => {
    const bad = deployment(NS, 'broken', 1);
    (bad.spec as { replicas: unknown }).replicas = 'many';
    await expect(provider.apply(scope, [...desired('green'), bad], applyOpts())).rejects.toMatchObject({
      code: 'KUBE_INVALID',
      retry: false,
      location: { resource: 'Deployment/apply-test/broken' },
    });
  });

  it('rejects a kind the cluster does not serve before changing anything', async () => {
    const odd: Resource = { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g', namespace: NS } };
    await expect(provider.apply(scope, [...desired('purple'), odd], applyOpts())).rejects.toMatchObject({
      code: 'KUBE_UNKNOWN_KIND',
    });
    const cm = (await get<Resource & { data: Record<string, string> }>(
      client,
      `/api/v1/namespaces/${NS}/configmaps/web-config`,
    ))!;
    expect(cm.data.color).toBe('green');
  });

  it('adopts an object created by someone else, showing what it changes', async () => {
    await client.request('POST', `/api/v1/namespaces/${NS}/configmaps`, {
      query: { fieldManager: 'kubectl-create' },
      body: configMap(NS, 'legacy', { mode: 'old' }),
    });
    const withLegacy = [...desired('green'), configMap(NS, 'legacy', { mode: 'new' })];
    const plan = await provider.plan(scope, withLegacy, { prune: true });
    const c = plan.changes.find((x) => x.key === 'ConfigMap/apply-test/legacy')!;
    // The creator holds .data.mode through an Update, which Sluice takes back by default.
    expect(c).toMatchObject({
      action: 'update',
      reason: 'adopts an object Sluice did not create; takes back .data.mode (held by "kubectl-create")',
    });
    expect(c.diff).toContain('-  mode: old');
    expect(c.diff).toContain('+  mode: new');
    const applied = await provider.apply(scope, withLegacy, applyOpts({ revision: 'rev4' }));
    expect(applied.changes.find((x) => x.key === 'ConfigMap/apply-test/legacy')).toMatchObject({
      action: 'update',
      reason: 'adopted from "kubectl-create"',
    });
    expect((await provider.live(scope)).map((l) => l.key)).toContain('ConfigMap/apply-test/legacy');
  });
});
