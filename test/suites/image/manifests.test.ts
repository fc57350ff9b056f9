import { execFile } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { ROOT } from '../../support/sluice.js';
import { byKind, KUSTOMIZATIONS, manifestDir, render } from './manifests.js';

/**
 * deploy/kubernetes as Sluice renders it: byte for byte what kustomize renders (the version
 * the conformance suite compares against), and the properties a cluster admission policy for
 * a hardened controller would ask of it.
 */

const kustomize = inject('kustomize');

function kustomizeBuild(dir: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(kustomize, ['build', dir], { cwd: ROOT, encoding: 'utf8' }, (err, stdout, stderr) =>
      err ? reject(new Error(`kustomize build ${dir}: ${stderr}`)) : resolve(stdout),
    ),
  );
}

describe.skipIf(!kustomize)('deploy/kubernetes rendered by Sluice and by kustomize', () => {
  it.each(KUSTOMIZATIONS)('%s is the same bytes', async (k) => {
    const [ours, theirs] = await Promise.all([render(k), kustomizeBuild(manifestDir(k))]);
    expect(ours.text).toBe(theirs);
  });
});

type Container = {
  image: string;
  securityContext: Record<string, unknown>;
  livenessProbe: { httpGet: { path: string } };
  readinessProbe: { httpGet: { path: string } };
  env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  volumeMounts: { name: string; mountPath: string }[];
};
type PodSpec = {
  securityContext: Record<string, unknown>;
  serviceAccountName: string;
  containers: Container[];
  volumes: { name: string; persistentVolumeClaim?: { claimName: string }; emptyDir?: object }[];
};
const deployment = (docs: Awaited<ReturnType<typeof render>>['docs']) => {
  const [d] = byKind(docs, 'Deployment');
  return d as unknown as { spec: { replicas: number; strategy?: { type: string }; template: { spec: PodSpec } } };
};

describe('deploy/kubernetes overlays', () => {
  it.each(['overlays/single', 'overlays/ha'])(
    '%s runs non-root on a read-only root with no capabilities',
    async (k) => {
      const { docs } = await render(k);
      const pod = deployment(docs).spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
      const [c] = pod.containers;
      expect(c!.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(c!.livenessProbe.httpGet.path).toBe('/healthz');
      expect(c!.readinessProbe.httpGet.path).toBe('/readyz');
      expect(c!.volumeMounts.map((m) => m.mountPath).sort()).toEqual(['/tmp', '/var/lib/sluice']);
      expect(pod.serviceAccountName).toBe('sluice');
      expect(byKind(docs, 'ServiceAccount').map((s) => s.metadata.name)).toEqual(['sluice']);
      expect(
        byKind(docs, 'ClusterRoleBinding').flatMap((b) => (b as unknown as { subjects: unknown[] }).subjects),
      ).toEqual([
        { kind: 'ServiceAccount', name: 'sluice', namespace: 'sluice-system' },
        { kind: 'ServiceAccount', name: 'sluice', namespace: 'sluice-system' },
      ]);
      expect(byKind(docs, 'Service')).toHaveLength(1);
    },
  );

  it('single: one replica, never two on the SQLite volume, data on the claim', async () => {
    const { docs } = await render('overlays/single');
    const d = deployment(docs);
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy?.type).toBe('Recreate');
    expect(d.spec.template.spec.volumes.find((v) => v.name === 'data')).toEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: 'sluice-data' },
    });
    expect(byKind(docs, 'PersistentVolumeClaim').map((p) => p.metadata.name)).toEqual(['sluice-data']);
    expect(byKind(docs, 'Secret')).toEqual([]);
  });

  it('ha: three replicas on PostgreSQL from the generated Secret, which holds only a placeholder', async () => {
    const { docs } = await render('overlays/ha');
    const d = deployment(docs);
    expect(d.spec.replicas).toBe(3);
    const [secret] = byKind(docs, 'Secret') as unknown as {
      metadata: { name: string };
      data: Record<string, string>;
    }[];
    const ref = d.spec.template.spec.containers[0]!.env!.find((e) => e.name === 'SLUICE_STORE')!.valueFrom!
      .secretKeyRef!;
    expect(ref).toEqual({ name: secret!.metadata.name, key: 'SLUICE_STORE' });
    const url = new URL(Buffer.from(secret!.data['SLUICE_STORE']!, 'base64').toString('utf8').trim());
    expect(url.protocol).toBe('postgres:');
    expect(url.password).toBe('REPLACE-WITH-THE-PASSWORD');
    expect(byKind(docs, 'PodDisruptionBudget')).toHaveLength(1);
  });
});
