import { chownSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Resource } from '../../../src/model/resource.js';
import { KubeClient, loadKubeConfig } from '../../../src/providers/kubernetes/client.js';
import type { ProjectStatus } from '../../../src/reconcile/status.js';
import { adminToken, eventually, freePortBlock, getJson, git, ROOT, runSluice } from '../../support/sluice.js';
import { docker, dockerStatus } from './docker.js';
import { render } from './manifests.js';

/**
 * Sluice deploys Sluice: a config repo whose one app is deploy/kubernetes (base plus the
 * single and ha overlays as its environments), followed by `sluice serve` running in the
 * image (read-only, non-root) with a kubernetes target per environment, one API server each.
 * What lands on each API server must be what `sluice kustomize build` renders.
 */

const skip = inject('dockerSkip') || inject('kubeSkip');
const image = inject('image');
const [singleKubeconfig, haKubeconfig] = inject('kubeconfigs');
const name = `sluice-apply-${process.pid}`;
const UID = 10001;
let work: string;
let port: number;

function ownedByContainer(path: string): void {
  chownSync(path, UID, UID);
  if (statSync(path).isDirectory()) for (const f of readdirSync(path)) ownedByContainer(join(path, f));
}

beforeAll(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'sluice-image-apply-'));
  const clone = join(work, 'clone');
  git(work, 'init', '-q', '-b', 'main', clone);
  cpSync(join(ROOT, 'deploy/kubernetes'), join(clone, 'apps/sluice'), { recursive: true });
  writeFileSync(
    join(clone, 'sluice.yaml'),
    [
      'apiVersion: sluice.dev/v1alpha1',
      'kind: Project',
      'metadata: { name: platform }',
      'spec:',
      '  targets:',
      '    single: { provider: kubernetes, kubeconfig: /kube/single }',
      '    ha: { provider: kubernetes, kubeconfig: /kube/ha }',
      '  environments:',
      '    - { name: single, target: single, sync: auto }',
      '    - { name: ha, target: ha, sync: auto }',
      '  apps:',
      '    - { name: sluice, path: apps/sluice }',
      '',
    ].join('\n'),
  );
  // As a user must: Sluice refuses to apply a Secret committed in plaintext, so the
  // connection URL goes in encrypted and the controller gets the key.
  const identity = await generateIdentity();
  const encrypted = await runSluice([
    'secrets',
    'encrypt',
    '-i',
    '--age',
    await identityToRecipient(identity),
    join(clone, 'apps/sluice/overlays/ha/store.env'),
  ]);
  if (encrypted.code !== 0) throw new Error(`sluice secrets encrypt failed: ${encrypted.stderr}`);
  git(clone, 'add', '-A');
  git(clone, 'commit', '-qm', 'Sluice on two clusters');
  git(work, 'clone', '-q', '--bare', clone, join(work, 'origin.git'));
  mkdirSync(join(work, 'kube'));
  cpSync(singleKubeconfig!, join(work, 'kube/single'));
  cpSync(haKubeconfig!, join(work, 'kube/ha'));
  mkdirSync(join(work, 'data'));
  for (const p of ['origin.git', 'kube', 'data']) ownedByContainer(join(work, p));

  port = await freePortBlock(1);
  // Host networking: the API servers listen on this machine's loopback.
  await docker(
    'run',
    '-d',
    '--name',
    name,
    '--network',
    'host',
    '--read-only',
    '--user',
    `${UID}:${UID}`,
    '--tmpfs',
    '/tmp',
    '-v',
    `${join(work, 'data')}:/var/lib/sluice`,
    '-v',
    `${join(work, 'origin.git')}:/config.git:ro`,
    '-v',
    `${join(work, 'kube')}:/kube:ro`,
    '-e',
    'SLUICE_HOST=127.0.0.1',
    '-e',
    `SOPS_AGE_KEY=${identity}`,
    image,
    'serve',
    '--repo',
    'file:///config.git',
    '--port',
    String(port),
    '--poll',
    '1',
  );
});

afterAll(async () => {
  if (skip) return;
  const logs = await dockerStatus('logs', name);
  if (process.env['SLUICE_TEST_LOGS']) console.log(logs.out);
  await dockerStatus('rm', '-f', name);
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The object's path on the API server (every kind deploy/kubernetes uses has a regular plural). */
function pathOf(r: Resource): string {
  const group = r.apiVersion.includes('/') ? `/apis/${r.apiVersion}` : `/api/${r.apiVersion}`;
  const ns = r.metadata.namespace ? `/namespaces/${r.metadata.namespace}` : '';
  return `${group}${ns}/${r.kind.toLowerCase()}s/${r.metadata.name}`;
}

/**
 * Waits until Sluice has applied every rendered object to the API server (it carries the
 * environment's label: the namespace, for one, exists before, as the inventory's home) and
 * returns them as the server serves them.
 */
async function live(kubeconfig: string, env: string, desired: Resource[]): Promise<Resource[]> {
  const client = await KubeClient.create(loadKubeConfig({ kubeconfig }));
  try {
    return await Promise.all(
      desired.map((r) =>
        eventually(
          async () => {
            try {
              const obj = await client.request<Resource>('GET', pathOf(r));
              return obj.metadata.labels?.['sluice.dev/env'] === env ? obj : undefined;
            } catch (e) {
              if ((e as { statusCode?: number }).statusCode === 404) return undefined;
              throw e;
            }
          },
          400_000,
          `${r.kind} ${r.metadata.name} applied by the Sluice in the image`,
        ),
      ),
    );
  } catch (e) {
    const logs = (await dockerStatus('logs', '--tail', '40', name)).out;
    const status = await getJson<ProjectStatus>(
      `http://127.0.0.1:${port}/api/v1/status`,
      adminToken(join(work, 'data')),
    ).catch((err: unknown) => (err as Error).message);
    const scope = typeof status === 'string' ? status : status.apps.find((a) => a.env === env);
    throw new Error(
      `${(e as Error).message}\n--- what Sluice says of ${env} ---\n${JSON.stringify(scope, null, 2)}\n--- the container's last lines ---\n${logs}`,
    );
  }
}

/** What the API server keeps of a rendered object: Secret data compared decoded (kustomize wraps its base64). */
function comparable(r: Resource): Record<string, unknown> {
  if (r.kind !== 'Secret') return r as unknown as Record<string, unknown>;
  const data = (r as unknown as { data: Record<string, string> }).data;
  return {
    ...r,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])),
  };
}

describe.skipIf(skip)('Sluice in the image applies deploy/kubernetes', () => {
  it.each([
    ['single', 'overlays/single', 1],
    ['ha', 'overlays/ha', 3],
  ] as const)(
    'the %s environment lands on its API server as rendered',
    async (env, overlay, replicas) => {
      const { docs } = await render(overlay);
      const kinds = docs.map((d) => d.kind);
      for (const kind of [
        'Namespace',
        'ServiceAccount',
        'ClusterRole',
        'ClusterRoleBinding',
        'ConfigMap',
        'Deployment',
        'Service',
      ])
        expect(kinds).toContain(kind);
      if (env === 'ha') expect(kinds).toContain('Secret');

      const found = await live(env === 'single' ? singleKubeconfig! : haKubeconfig!, env, docs);
      found.forEach((obj, i) => {
        const want = comparable(docs[i]!);
        expect(comparable(obj)).toMatchObject(want);
        // Applied by Sluice for this app and environment, not by anyone else.
        expect(obj.metadata.labels).toMatchObject({
          'app.kubernetes.io/managed-by': 'sluice',
          'sluice.dev/app': 'sluice',
          'sluice.dev/env': env,
        });
      });
      const deployment = found.find((o) => o.kind === 'Deployment') as unknown as { spec: { replicas: number } };
      expect(deployment.spec.replicas).toBe(replicas);
    },
    480_000,
  );
});
