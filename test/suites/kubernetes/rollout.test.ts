import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DoraReport, LedgerEntry } from '../../../src/promote/index.js';
import type { AppEnvStatus, ProjectStatus } from '../../../src/reconcile/status.js';
import type { EventRecord, SyncRecord } from '../../../src/store/types.js';
import {
  adminToken,
  eventually,
  freePortBlock,
  getJson,
  git,
  spawnSluice,
  type SluiceProcess,
} from '../../support/sluice.js';
import { KubeClient, loadKubeConfig } from '../../../src/providers/kubernetes/client.js';
import { startControlPlane, type ControlPlane } from './server.js';

/**
 * Rollouts through `sluice serve` against a control plane with real controllers: the
 * Deployment, StatefulSet, DaemonSet and Job controllers of kube-controller-manager, the
 * scheduler, and kwok playing the kubelets of two nodes. Nothing writes status by hand: what
 * Sluice shows is what the controllers made of the rollout. Images under registry.invalid/
 * never pull (kwok keeps their pods in ImagePullBackOff), so a rollout of one gets stuck.
 *
 * This file has a control plane of its own: the suite's shared server runs no controllers,
 * because the provider's health tests write status by hand and a controller would race them.
 */

const APP = 'web';
const ENV = 'prod';
const NS = 'shop';
let plane: ControlPlane;
let work: string;
let origin: string;
let clone: string;
let port: number;
let serve: SluiceProcess;
// As the admin the loopback server writes into its data directory.
const api = <T>(path: string) => getJson<T>(`http://127.0.0.1:${port}/api/v1${path}`, adminToken(join(work, 'data')));
const scope = async (): Promise<AppEnvStatus | undefined> =>
  (await api<ProjectStatus>('/status')).apps.find((a) => a.app === APP && a.env === ENV);

/** The app: a Deployment whose image a commit changes, beside one of each other workload kind. */
function manifests(image: string): string {
  const labels = (name: string) => ({ app: name });
  const pod = (name: string, extra: object = {}) => ({
    metadata: { labels: labels(name) },
    spec: { containers: [{ name: 'main', image: `${name === 'web' ? image : 'registry.example/side:1'}` }], ...extra },
  });
  const docs = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: NS },
      spec: {
        replicas: 2,
        // A replica counts as available only after 5 s Ready, so every rollout spends a
        // while Progressing; a rollout that makes no progress for 10 s exceeds its deadline.
        minReadySeconds: 5,
        progressDeadlineSeconds: 10,
        selector: { matchLabels: labels('web') },
        template: pod('web'),
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: NS },
      spec: { replicas: 2, serviceName: 'db', selector: { matchLabels: labels('db') }, template: pod('db') },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: NS },
      spec: { selector: { matchLabels: labels('agent') }, template: pod('agent') },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate', namespace: NS },
      spec: { backoffLimit: 0, template: pod('migrate', { restartPolicy: 'Never' }) },
    },
  ];
  return docs.map((d) => JSON.stringify(d)).join('\n---\n') + '\n';
}

/** Commits the Deployment's new image to the config repo, as a person would, and returns the revision. */
function commitImage(image: string, message: string): string {
  git(clone, 'pull', '-q', '--rebase', 'origin', 'main');
  writeFileSync(join(clone, `apps/${APP}/overlays/${ENV}/workloads.yaml`), manifests(image));
  git(clone, 'commit', '-qam', message);
  git(clone, 'push', '-q', 'origin', 'main');
  return git(clone, 'rev-parse', 'HEAD').trim();
}

/**
 * Everything `/status` said about the scope while `until` had not yet held, one entry per
 * change: the history a person watching the dashboard would have seen.
 */
async function watchStatus(
  until: (s: AppEnvStatus) => boolean,
  timeoutMs: number,
  what: string,
): Promise<AppEnvStatus[]> {
  const seen: AppEnvStatus[] = [];
  let last = '';
  await eventually(
    async () => {
      const s = await scope();
      if (!s) return undefined;
      const key = JSON.stringify([s.sync, s.health, s.syncedRevision, s.resources]);
      if (key !== last) seen.push(s);
      last = key;
      return until(s) ? true : undefined;
    },
    timeoutMs,
    what,
  );
  return seen;
}

const syncs = () => api<SyncRecord[]>(`/syncs?app=${APP}&env=${ENV}&limit=50`);
const events = () => api<EventRecord[]>(`/events?app=${APP}&env=${ENV}&limit=200`);
/** The cluster as the controllers left it, read beside Sluice. */
async function cluster(): Promise<KubeClient> {
  return KubeClient.create(loadKubeConfig({ kubeconfig: plane.server.kubeconfig }));
}

beforeAll(async () => {
  plane = await startControlPlane(inject('kubeBinaries'));
  work = mkdtempSync(join(tmpdir(), 'sluice-kube-rollout-'));
  port = await freePortBlock(1);
  origin = join(work, 'origin.git');
  clone = join(work, 'clone');
  git(work, 'init', '-q', '--bare', '-b', 'main', origin);
  git(work, 'init', '-q', '-b', 'main', clone);
  git(clone, 'remote', 'add', 'origin', origin);
  mkdirSync(join(clone, `apps/${APP}/overlays/${ENV}`), { recursive: true });
  writeFileSync(
    join(clone, 'sluice.yaml'),
    [
      'apiVersion: sluice.dev/v1alpha1',
      'kind: Project',
      'metadata: { name: shop }',
      'spec:',
      '  targets:',
      `    cluster: { provider: kubernetes, kubeconfig: ${JSON.stringify(plane.server.kubeconfig)} }`,
      '  environments:',
      `    - { name: ${ENV}, target: cluster, sync: auto, selfHeal: true, healthTimeout: 40s, rollback: { auto: true } }`,
      '  apps:',
      `    - { name: ${APP}, path: apps/${APP} }`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(clone, `apps/${APP}/overlays/${ENV}/workloads.yaml`), manifests('registry.example/web:1'));
  git(clone, 'add', '-A');
  git(clone, 'commit', '-qm', 'web 1 on the cluster');
  git(clone, 'push', '-q', 'origin', 'main');
  serve = spawnSluice([
    '--data-dir',
    join(work, 'data'),
    'serve',
    '--repo',
    `file://${origin}`,
    '--port',
    String(port),
    '--poll',
    '1',
  ]);
  await serve.waitFor('dashboard', 90_000);
}, 360_000);

afterAll(async () => {
  serve?.child.kill('SIGINT');
  await serve?.exited;
  await plane?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('rollouts through the controller, with real Kubernetes controllers', () => {
  it('a first sync is Progressing while the controllers roll it out, then Healthy, every workload kind', async () => {
    const seen = await watchStatus(
      (s) => s.sync === 'Synced' && s.health === 'Healthy',
      180_000,
      'the first sync Healthy',
    );
    const healths = seen.map((s) => s.health);
    expect(healths.indexOf('Progressing')).toBeGreaterThanOrEqual(0);
    expect(healths.lastIndexOf('Progressing')).toBeLessThan(healths.lastIndexOf('Healthy'));
    const progressing = seen.find((s) => s.health === 'Progressing')!;
    expect(progressing.sync).toBe('Syncing');
    const final = seen[seen.length - 1]!;
    const byKind = Object.fromEntries(final.resources.map((r) => [r.kind, r]));
    expect(byKind).toMatchObject({
      Deployment: { status: 'Healthy' },
      StatefulSet: { status: 'Healthy' },
      DaemonSet: { status: 'Healthy' },
      Job: { status: 'Healthy', message: 'completed' },
    });
    // The pods are the controllers' own, placed by the scheduler on the simulated nodes.
    const pods = await (
      await cluster()
    ).request<{ items: { spec: { nodeName?: string }; metadata: { labels: Record<string, string> } }[] }>(
      'GET',
      `/api/v1/namespaces/${NS}/pods`,
    );
    const nodesOf = (app: string) =>
      pods.items
        .filter((p) => p.metadata.labels.app === app)
        .map((p) => p.spec.nodeName)
        .sort();
    expect(nodesOf('agent')).toEqual(plane.nodes);
    expect(nodesOf('web')).toHaveLength(2);
    expect(nodesOf('web').every((n) => n && plane.nodes.includes(n))).toBe(true);
    expect(nodesOf('db')).toHaveLength(2);
  }, 240_000);

  it('a rollout stuck on an image that never pulls turns Degraded, fails verification and is rolled back by itself', async () => {
    const good = (await scope())!.syncedRevision!;
    const bad = commitImage('registry.invalid/web:2', 'web 2');
    const seen = await watchStatus(
      (s) =>
        !!s.syncedRevision && ![good, bad].includes(s.syncedRevision) && s.sync === 'Synced' && s.health === 'Healthy',
      300_000,
      'the automatic rollback synced and Healthy',
    );
    // Sluice showed the stuck rollout as it was: Degraded once the Deployment controller gave up on it.
    const degraded = seen.find((s) => s.health === 'Degraded');
    expect(degraded).toMatchObject({ sync: 'Syncing', desiredRevision: bad });
    expect(degraded!.resources.find((r) => r.kind === 'Deployment')?.message).toContain('progress deadline');

    const badSync = (await syncs()).find((s) => s.revision === bad)!;
    expect(badSync).toMatchObject({ result: 'Failed', error: { code: 'HEALTH_TIMEOUT' } });
    expect(badSync.error!.message).toMatch(/Deployment\/web Degraded: rollout exceeded its progress deadline/);
    const all = await events();
    expect(all.find((e) => e.type === 'verification.failed' && e.syncId === badSync.id)?.message).toMatch(
      /not healthy after 40s/,
    );
    expect(all.find((e) => e.type === 'rollback.auto')?.message).toMatch(/rolled back automatically/);

    // The rollback is a commit, like every change: Git holds it, naming what it undid.
    const rollback = (await scope())!.syncedRevision!;
    const message = git(origin, 'log', '-1', '--format=%B', rollback);
    expect(message).toContain('Sluice-Action: rollback');
    expect(message).toContain(`Sluice-Rollback-Of: ${bad}`);
    // And the cluster runs the image from before, every replica available.
    const web = await (
      await cluster()
    ).request<{ spec: { template: { spec: { containers: { image: string }[] } } }; status: Record<string, number> }>(
      'GET',
      `/apis/apps/v1/namespaces/${NS}/deployments/web`,
    );
    expect(web.spec.template.spec.containers[0]!.image).toBe('registry.example/web:1');
    expect(web.status).toMatchObject({ updatedReplicas: 2, availableReplicas: 2 });
  }, 360_000);

  it('a fix committed while a rollout is stuck supersedes it: no rollback, the fix rolls out', async () => {
    const rollbacksBefore = (await events()).filter((e) => e.type === 'rollback.auto').length;
    const bad = commitImage('registry.invalid/web:3', 'web 3');
    await watchStatus(
      (s) => s.sync === 'Syncing' && s.desiredRevision === bad && s.health === 'Degraded',
      120_000,
      'the rollout of web 3 stuck and Degraded',
    );
    const fix = commitImage('registry.example/web:4', 'web 4: an image that exists');
    await watchStatus(
      (s) => s.syncedRevision === fix && s.sync === 'Synced' && s.health === 'Healthy',
      240_000,
      'the fix synced and Healthy',
    );
    expect((await syncs()).find((s) => s.revision === bad)).toMatchObject({ result: 'Superseded' });
    expect((await events()).filter((e) => e.type === 'rollback.auto')).toHaveLength(rollbacksBefore);
    expect(git(origin, 'rev-parse', 'main').trim()).toBe(fix);
  }, 360_000);

  it('the ledger and DORA record the failed rollout, its restoration and the superseded change', async () => {
    const entries = await api<LedgerEntry[]>(`/ledger?app=${APP}&env=${ENV}`);
    const bySubject = (subject: string) => entries.find((e) => e.change.subject === subject)!;
    expect(bySubject('web 2')).toMatchObject({ status: 'rolled-back', verificationFailed: true });
    const rollback = entries.find((e) => e.change.action === 'rollback')!;
    expect(bySubject('web 2').rolledBackBy).toBe(rollback.change.revision);
    expect(rollback.deployedAt).toBeDefined();
    expect(bySubject('web 3').status).toBe('superseded');
    expect(bySubject('web 4: an image that exists').status).toBe('deployed');

    const dora = await api<DoraReport>(`/dora?env=${ENV}`);
    expect(dora.restorations).toBe(1);
    // web 1, web 2 (reached the cluster, never healthy, rolled back) and web 4; web 3 was replaced before it deployed.
    expect(dora.deployments).toBe(3);
    expect(dora.failedDeployments).toBe(1);
    const failed = dora.details.find((d) => d.failed)!;
    expect(failed).toMatchObject({ failure: 'verification', restoredAt: rollback.deployedAt });
    expect(dora.timeToRestore).toMatchObject({ count: 1, unrestored: 0 });
  });
});
