import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runValidate } from '../../src/cli/commands/validate.js';
import { isSluiceError } from '../../src/errors/index.js';

/**
 * `sluice validate` points a finding at the line that produced the offending value: the
 * overlay kustomization's `replicas:`, `images:`, `labels:`, `namespace:`, `namePrefix:` or
 * `replacements:` entry when a transformer computed it, the patch's line when a strategic
 * merge patch set it (wherever the list item ended up), the `resources:` entry when a file
 * is missing. The base file holds the values these overlays replace.
 */

const OVERLAY = 'apps/web/overlays/prod/kustomization.yaml';
const BASE = 'apps/web/base/deploy.yaml';

const project = `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata: { name: shop }
spec:
  targets: { cluster: { provider: kubernetes } }
  environments:
    - name: prod
      target: cluster
      policy: { minReplicas: 3, allowedRegistries: [registry.example.com] }
  apps:
    - { name: web, path: apps/web }
`;

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 3
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: proxy
          image: registry.example.com/proxy:2.1
          resources: { requests: { cpu: 10m, memory: 8Mi }, limits: { memory: 16Mi } }
        - name: web
          image: registry.example.com/web:1.0
          resources: { requests: { cpu: 10m, memory: 8Mi }, limits: { memory: 16Mi } }
`;

const repo = (overlay: string, more: Record<string, string> = {}): Record<string, string> => ({
  'sluice.yaml': project,
  'apps/web/base/kustomization.yaml': 'resources:\n- deploy.yaml\n',
  [BASE]: deployment,
  [OVERLAY]: overlay,
  ...more,
});

interface Finding {
  rule: string;
  file?: string;
  line?: number;
  field?: string;
  severity: string;
  message: string;
}

let root: string;
let n = 0;
beforeAll(() => void (root = mkdtempSync(join(tmpdir(), 'sluice-findings-'))));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every finding of `sluice validate` on the repo, and what it threw, if it did. */
async function validate(files: Record<string, string>): Promise<Finding[]> {
  const dir = join(root, String(n++));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  try {
    const result = await runValidate({ dir, identities: { identities: [], searched: [] } });
    return result.report.violations as Finding[];
  } catch (e) {
    if (!isSluiceError(e)) throw e;
    return [{ rule: e.code, severity: 'error', message: e.message, ...e.location }];
  }
}

const at = (findings: Finding[], rule: string) => findings.filter((f) => f.rule === rule);

describe('validate: a value a kustomization computed is reported where the overlay set it', () => {
  it('passes the repo without the overlay’s changes (the findings below come from them)', async () => {
    const findings = await validate(repo('resources:\n- ../../base\n'));
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('replicas: below the policy minimum, at the count in the overlay', async () => {
    const findings = await validate(repo('resources:\n- ../../base\nreplicas:\n- name: web\n  count: 1\n'));
    expect(at(findings, 'replicas-minimum')).toEqual([
      expect.objectContaining({ file: OVERLAY, line: 5, field: 'spec.replicas' }),
    ]);
  });

  it('images: a registry that is not allowed, at newName; a mutable tag, at newTag', async () => {
    const findings = await validate(
      repo(`resources:
- ../../base
images:
- name: registry.example.com/proxy
  newTag: latest
- name: registry.example.com/web
  newName: docker.io/library/web
`),
    );
    expect(at(findings, 'registry-allowed')).toEqual([
      expect.objectContaining({ file: OVERLAY, line: 7, field: 'spec.template.spec.containers[1].image' }),
    ]);
    expect(at(findings, 'image-tag-mutable')).toEqual([
      expect.objectContaining({ file: OVERLAY, line: 5, field: 'spec.template.spec.containers[0].image' }),
    ]);
  });

  it('labels: a label value the API server refuses, at its pair in the overlay', async () => {
    const findings = await validate(
      repo(`resources:
- ../../base
labels:
- pairs:
    team: payments
    owner: "ops team"
`),
    );
    const bad = findings.filter((f) => f.field === 'metadata.labels.owner');
    expect(bad).toEqual([expect.objectContaining({ severity: 'error', file: OVERLAY, line: 6 })]);
  });

  it('commonLabels: the same, at its key', async () => {
    const findings = await validate(repo('commonLabels:\n  tier: "-front"\nresources:\n- ../../base\n'));
    expect(findings.find((f) => f.field === 'metadata.labels.tier')).toMatchObject({ file: OVERLAY, line: 2 });
  });

  it('namespace: a namespace that is not a DNS label, at namespace:', async () => {
    const findings = await validate(repo('resources:\n- ../../base\nnamespace: Web_Prod\n'));
    expect(findings.find((f) => f.field === 'metadata.namespace')).toMatchObject({
      severity: 'error',
      file: OVERLAY,
      line: 3,
    });
  });

  it('namePrefix: a name the API server refuses, at namePrefix:', async () => {
    const findings = await validate(repo('namePrefix: "prod/"\nresources:\n- ../../base\n'));
    expect(findings.find((f) => f.field === 'metadata.name')).toMatchObject({ file: OVERLAY, line: 1 });
  });

  it('replacements: a value copied into the resource, at the replacement’s sourceValue', async () => {
    const findings = await validate(
      repo(`resources:
- ../../base
replacements:
- sourceValue: "2"
  targets:
  - select: { kind: Deployment, name: web }
    fieldPaths: [spec.replicas]
`),
    );
    expect(at(findings, 'replicas-minimum')).toEqual([expect.objectContaining({ file: OVERLAY, line: 4 })]);
  });

  it('the overlay wins over the base it builds on: a base’s images: set again by the overlay', async () => {
    const base = 'resources:\n- deploy.yaml\nimages:\n- name: registry.example.com/web\n  newTag: "1.1"\n';
    const findings = await validate(
      repo('resources:\n- ../../base\nimages:\n- name: registry.example.com/web\n  newName: quay.io/web\n', {
        'apps/web/base/kustomization.yaml': base,
      }),
    );
    expect(at(findings, 'registry-allowed')).toEqual([expect.objectContaining({ file: OVERLAY, line: 5 })]);
  });
});

describe('validate: a value a patch set is reported at the patch', () => {
  const patchOf = (container: string, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: ${container}
          image: ${image}
`;

  it('a container matched by name at another index than in the patch, at the patch’s line', async () => {
    // Each strategic merge puts the containers it names first: after both patches the proxy
    // is containers[0] and web, which the first patch wrote as its containers[0], is [1].
    const findings = await validate(
      repo('resources:\n- ../../base\npatches:\n- path: web.yaml\n- path: proxy.yaml\n', {
        'apps/web/overlays/prod/web.yaml': patchOf('web', 'docker.io/library/web:1.0'),
        'apps/web/overlays/prod/proxy.yaml': patchOf('proxy', 'registry.example.com/proxy:2.2'),
      }),
    );
    expect(at(findings, 'registry-allowed')).toEqual([
      expect.objectContaining({
        file: 'apps/web/overlays/prod/web.yaml',
        line: 10,
        field: 'spec.template.spec.containers[1].image',
      }),
    ]);
  });

  it('a field the patch left alone, in a container the patch moved, stays at its line in the base', async () => {
    const findings = await validate(
      repo('resources:\n- ../../base\npatches:\n- path: web.yaml\n', {
        [BASE]: deployment.replace('proxy:2.1', 'proxy'),
        'apps/web/overlays/prod/web.yaml': patchOf('web', 'docker.io/library/web:1.0'),
      }),
    );
    // The proxy is containers[1] after the merge; in the base it is [0], its image on line 17.
    expect(at(findings, 'image-tag-mutable')).toEqual([
      expect.objectContaining({ file: BASE, line: 17, field: 'spec.template.spec.containers[1].image' }),
    ]);
    expect(at(findings, 'registry-allowed')).toEqual([
      expect.objectContaining({ file: 'apps/web/overlays/prod/web.yaml', line: 10 }),
    ]);
  });

  it('the same patch inline in the kustomization, at its line there', async () => {
    const findings = await validate(
      repo(`resources:
- ../../base
patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      template:
        spec:
          containers:
            - name: web
              image: docker.io/library/web:1.0
`),
    );
    expect(at(findings, 'registry-allowed')).toEqual([expect.objectContaining({ file: OVERLAY, line: 14 })]);
  });

  it('a JSON 6902 op that inserts a container moves what was noted after it', async () => {
    const ops = `- op: add
  path: /spec/template/spec/containers/0
  value: { name: init, image: registry.example.com/init:1 }
`;
    const findings = await validate(
      repo(
        `resources:
- ../../base
images:
- name: registry.example.com/web
  newName: quay.io/web
patches:
- path: ops.yaml
  target: { kind: Deployment, name: web }
`,
        { 'apps/web/overlays/prod/ops.yaml': ops },
      ),
    );
    expect(at(findings, 'registry-allowed')).toEqual([
      expect.objectContaining({ file: OVERLAY, line: 5, field: 'spec.template.spec.containers[2].image' }),
    ]);
  });

  it('what neither the overlay nor a patch touched stays at the base, at its line', async () => {
    const findings = await validate(
      repo('resources:\n- ../../base\nimages:\n- name: registry.example.com/web\n  newName: quay.io/web\n', {
        [BASE]: deployment.replace('proxy:2.1', 'proxy'),
      }),
    );
    expect(at(findings, 'image-tag-mutable')).toEqual([expect.objectContaining({ file: BASE, line: 17 })]);
    expect(at(findings, 'registry-allowed')).toEqual([expect.objectContaining({ file: OVERLAY, line: 5 })]);
  });
});

describe('validate: a resources: entry that is not there', () => {
  it('names the kustomization and the line of the entry', async () => {
    const findings = await validate(repo('resources:\n- ../../base\n- service.yaml\n'));
    expect(findings).toEqual([expect.objectContaining({ file: OVERLAY, line: 3, severity: 'error' })]);
    expect(findings[0]!.message).toContain('service.yaml');
  });
});
