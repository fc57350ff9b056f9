import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { projectSchema } from '../../config/schema.js';
import { kubernetesScaffold } from './scaffold.js';
import { kustomizeBuild } from '../../render/kustomize/index.js';
import { MemoryFs } from '../../vfs/index.js';

describe('kubernetesScaffold', () => {
  const files = kubernetesScaffold({ project: 'shop', context: 'kind-dev' });

  it('writes a valid sluice.yaml with a kubernetes target', () => {
    const project = projectSchema.parse(parse(files['sluice.yaml']!));
    expect(project.spec.targets.cluster).toEqual({ provider: 'kubernetes', context: 'kind-dev' });
    expect(project.spec.environments.map((e) => e.name)).toEqual(['dev', 'staging', 'prod']);
    expect(project.spec.apps).toMatchObject([{ name: 'web', path: 'apps/web' }]);
  });

  it('has a base with a Deployment and a Service, and an overlay per environment', () => {
    expect(Object.keys(files).sort()).toEqual([
      'apps/web/base/deployment.yaml',
      'apps/web/base/kustomization.yaml',
      'apps/web/base/service.yaml',
      'apps/web/overlays/dev/kustomization.yaml',
      'apps/web/overlays/dev/namespace.yaml',
      'apps/web/overlays/prod/kustomization.yaml',
      'apps/web/overlays/prod/namespace.yaml',
      'apps/web/overlays/staging/kustomization.yaml',
      'apps/web/overlays/staging/namespace.yaml',
      'sluice.yaml',
    ]);
    expect(parse(files['apps/web/base/deployment.yaml']!).kind).toBe('Deployment');
    expect(parse(files['apps/web/base/service.yaml']!).kind).toBe('Service');
    const prod = parse(files['apps/web/overlays/prod/kustomization.yaml']!);
    expect(prod.namespace).toBe('shop-prod');
    expect(prod.replicas).toEqual([{ name: 'web', count: 3 }]);
    expect(prod.resources).toContain('../../base');
  });

  it('leaves the context to the kubeconfig when none is given', () => {
    const project = projectSchema.parse(parse(kubernetesScaffold({ project: 'shop' })['sluice.yaml']!));
    expect(project.spec.targets.cluster).toEqual({ provider: 'kubernetes' });
  });

  it('renders every overlay to a namespaced Deployment, Service and Namespace', () => {
    const fs = MemoryFs.fromFiles(files);
    for (const [env, replicas] of [
      ['dev', 1],
      ['staging', 2],
      ['prod', 3],
    ] as const) {
      const docs = parseAllDocuments(kustomizeBuild(fs, `apps/web/overlays/${env}`)).map(
        (d) =>
          d.toJS() as { kind: string; metadata: { name: string; namespace?: string }; spec?: { replicas?: number } },
      );
      expect(docs.map((d) => d.kind).sort()).toEqual(['Deployment', 'Namespace', 'Service']);
      const deployment = docs.find((d) => d.kind === 'Deployment')!;
      expect(deployment.metadata.namespace).toBe(`shop-${env}`);
      expect(deployment.spec?.replicas).toBe(replicas);
      expect(docs.find((d) => d.kind === 'Namespace')!.metadata.name).toBe(`shop-${env}`);
    }
  });
});
