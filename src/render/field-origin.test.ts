import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../policy/index.js';
import { MemoryFs } from '../vfs/index.js';
import { renderApp } from './registry.js';

/** Policy findings point at the line of the field, in the file that set it. */

const deployment = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app.kubernetes.io/name: web
spec:
  replicas: ${replicas}
  template:
    spec:
      containers:
        - name: web
          image: nginx:latest
          resources:
            requests: { cpu: 10m }
`;

const env = { name: 'dev', policy: { minReplicas: 3, requiredLabels: ['team'] } };
const app = { name: 'web', path: 'apps/web' };

function findings(fs: MemoryFs) {
  const { resources } = renderApp(fs, app, 'dev');
  return Object.fromEntries(
    evaluatePolicy(resources, env).violations.map((v) => [v.rule, { file: v.file, line: v.line, field: v.field }]),
  );
}

describe('findings at the field', () => {
  it('plain YAML: each finding at the line of its field, not the start of the document', () => {
    const f = findings(MemoryFs.fromFiles({ 'apps/web/base/web.yaml': `# the web tier\n${deployment(1)}` }));
    expect(f['replicas-minimum']).toEqual({ file: 'apps/web/base/web.yaml', line: 9, field: 'spec.replicas' });
    expect(f['image-tag-mutable']).toMatchObject({ line: 14 });
    // A block map as the value: the line of its key, not of its first entry.
    expect(f['resources-required']).toMatchObject({ line: 15 });
    expect(f['labels-required']).toMatchObject({ line: 6, field: 'metadata.labels' });
  });

  it('Kustomize: a value set by an overlay patch file is reported at the patch', () => {
    const f = findings(
      MemoryFs.fromFiles({
        'apps/web/base/kustomization.yaml': 'resources:\n- web.yaml\n',
        'apps/web/base/web.yaml': deployment(3),
        'apps/web/overlays/dev/kustomization.yaml': 'resources:\n- ../../base\npatches:\n- path: replicas.yaml\n',
        'apps/web/overlays/dev/replicas.yaml':
          'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n',
      }),
    );
    expect(f['replicas-minimum']).toMatchObject({ file: 'apps/web/overlays/dev/replicas.yaml', line: 6 });
    // What the patch leaves alone stays at the base, at its line.
    expect(f['image-tag-mutable']).toMatchObject({ file: 'apps/web/base/web.yaml', line: 13 });
  });

  it('Kustomize: an inline patch in the overlay kustomization, at its line there', () => {
    const f = findings(
      MemoryFs.fromFiles({
        'apps/web/base/kustomization.yaml': 'resources:\n- web.yaml\n',
        'apps/web/base/web.yaml': deployment(3),
        'apps/web/overlays/dev/kustomization.yaml': `resources:
- ../../base
patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 2
`,
      }),
    );
    expect(f['replicas-minimum']).toMatchObject({ file: 'apps/web/overlays/dev/kustomization.yaml', line: 10 });
  });

  it('Kustomize: a JSON 6902 patch op, at the line of its value, through a name prefix', () => {
    const f = findings(
      MemoryFs.fromFiles({
        'apps/web/base/kustomization.yaml': 'resources:\n- web.yaml\n',
        'apps/web/base/web.yaml': deployment(3),
        'apps/web/overlays/dev/kustomization.yaml': `namePrefix: dev-
resources:
- ../../base
patches:
- path: ops.yaml
  target: { kind: Deployment, name: web }
`,
        'apps/web/overlays/dev/ops.yaml': '- op: replace\n  path: /spec/replicas\n  value: 2\n',
      }),
    );
    expect(f['replicas-minimum']).toMatchObject({ file: 'apps/web/overlays/dev/ops.yaml', line: 3 });
  });
});
