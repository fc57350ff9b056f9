import { describe, expect, it } from 'vitest';
import { fieldLocation, parseFieldPath, type RenderedResource } from '../../model/resource.js';
import { MemoryFs } from '../../vfs/index.js';
import { renderApp } from '../registry.js';
import { kustomizeBuild } from './index.js';

/** Where the engine says each field of a built resource was written. */

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: proxy
          image: proxy:1
        - name: web
          image: web:1
`;

function build(files: Record<string, string>): RenderedResource[] {
  return renderApp(MemoryFs.fromFiles(files), { name: 'web', path: 'apps/web' }, 'dev').resources;
}

function where(rs: RenderedResource[], kind: string, field: string) {
  const r = rs.find((x) => x.object.kind === kind)!;
  return fieldLocation(r.origin, parseFieldPath(r.object, field));
}

const BASE = {
  'apps/web/base/kustomization.yaml': 'resources:\n- deploy.yaml\n',
  'apps/web/base/deploy.yaml': deployment,
};
const DEV = 'apps/web/overlays/dev/kustomization.yaml';

describe('kustomize provenance', () => {
  it('commonAnnotations and nameSuffix, at their keys', () => {
    const rs = build({
      ...BASE,
      [DEV]: 'resources:\n- ../../base\nnameSuffix: -dev\ncommonAnnotations:\n  owner: ops\n',
    });
    expect(where(rs, 'Deployment', 'metadata.name')).toEqual({ file: DEV, line: 3 });
    expect(where(rs, 'Deployment', 'metadata.annotations.owner')).toEqual({ file: DEV, line: 5 });
  });

  it('images: a digest, at the digest line; imageTags: at its entry', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const rs = build({
      ...BASE,
      [DEV]: `resources:\n- ../../base\nimages:\n- name: web\n  newTag: "2"\n  digest: ${digest}\nimageTags:\n- name: proxy\n  newTag: "3"\n`,
    });
    expect(where(rs, 'Deployment', 'spec.template.spec.containers[1].image')).toEqual({ file: DEV, line: 6 });
    expect(where(rs, 'Deployment', 'spec.template.spec.containers[0].image')).toEqual({ file: DEV, line: 9 });
  });

  it('a base’s images: stays with its container when an overlay patch moves it', () => {
    const rs = build({
      'apps/web/base/kustomization.yaml': 'resources:\n- deploy.yaml\nimages:\n- name: web\n  newTag: "2"\n',
      'apps/web/base/deploy.yaml': deployment,
      [DEV]: `resources:
- ../../base
patchesStrategicMerge:
- |-
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
  spec:
    template:
      spec:
        containers:
          - name: proxy
            image: proxy:9
`,
    });
    const d = rs[0]!.object as unknown as { spec: { template: { spec: { containers: { name: string }[] } } } };
    expect(d.spec.template.spec.containers.map((c) => c.name)).toEqual(['proxy', 'web']);
    expect(where(rs, 'Deployment', 'spec.template.spec.containers[0].image')).toEqual({ file: DEV, line: 14 });
    expect(where(rs, 'Deployment', 'spec.template.spec.containers[1].image')).toEqual({
      file: 'apps/web/base/kustomization.yaml',
      line: 5,
    });
  });

  it('a later patch over a value a transformer set wins', () => {
    const rs = build({
      ...BASE,
      'apps/web/overlays/dev/ops.yaml': '- op: replace\n  path: /spec/replicas\n  value: 5\n',
      [DEV]: `resources:
- ../../base
patchesJson6902:
- target: { group: apps, version: v1, kind: Deployment, name: web }
  path: ops.yaml
replicas:
- name: web
  count: 2
`,
    });
    // replicas: runs after JSON 6902 patches in kustomize's order, so it is the last write.
    expect(where(rs, 'Deployment', 'spec.replicas')).toEqual({ file: DEV, line: 8 });
    const later = build({
      ...BASE,
      'apps/web/overlays/prod/kustomization.yaml': 'resources:\n- ../../base\nreplicas:\n- name: web\n  count: 2\n',
      'apps/web/overlays/dev/ops.yaml': '- op: replace\n  path: /spec/replicas\n  value: 5\n',
      [DEV]: `resources:
- ../prod
patches:
- target: { kind: Deployment, name: web }
  path: ops.yaml
`,
    });
    expect(where(later, 'Deployment', 'spec.replicas')).toEqual({ file: 'apps/web/overlays/dev/ops.yaml', line: 3 });
  });

  it('replacements from a file, at the source in that file', () => {
    const rs = build({
      ...BASE,
      'apps/web/base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: conf\ndata:\n  replicas: "4"\n',
      'apps/web/base/kustomization.yaml': 'resources:\n- deploy.yaml\n- cm.yaml\n',
      'apps/web/overlays/dev/replace.yaml': `source:
  kind: ConfigMap
  name: conf
  fieldPath: data.replicas
targets:
- select: { kind: Deployment }
  fieldPaths: [spec.replicas]
`,
      [DEV]: 'resources:\n- ../../base\nreplacements:\n- path: replace.yaml\n',
    });
    expect(where(rs, 'Deployment', 'spec.replicas')).toEqual({ file: 'apps/web/overlays/dev/replace.yaml', line: 1 });
  });

  it('leaves the build’s output as it was', () => {
    const files = {
      ...BASE,
      [DEV]: 'resources:\n- ../../base\nnamePrefix: dev-\nimages:\n- name: web\n  newTag: "2"\ncommonLabels:\n  a: b\n',
    };
    const out = kustomizeBuild(MemoryFs.fromFiles(files), 'apps/web/overlays/dev');
    expect(out).toBe(`apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    a: b
  name: dev-web
spec:
  replicas: 1
  selector:
    matchLabels:
      a: b
  template:
    metadata:
      labels:
        a: b
    spec:
      containers:
      - image: proxy:1
        name: proxy
      - image: web:2
        name: web
`);
  });
});
