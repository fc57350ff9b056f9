import { describe, expect, it } from 'vitest';
import { parseProject } from '../config/index.js';
import { MemoryFs } from '../vfs/index.js';
import { DesiredStates } from './pipeline.js';

/** The pipeline on Kubernetes-shaped repos: objects are claimed by name and namespace per cluster. */

const deployment = (ns?: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n${ns ? `  namespace: ${ns}\n` : ''}spec:\n  template:\n    spec:\n      containers: [{ name: web, image: "nginx:1.27" }]\n`;

function repo(targets: string, envs: string, files: Record<string, string>) {
  const project = parseProject(
    `apiVersion: sluice.dev/v1alpha1\nkind: Project\nmetadata: { name: shop }\nspec:\n  targets: ${targets}\n  environments: ${envs}\n  apps: [{ name: web, path: apps/web }, { name: api, path: apps/api }]\n`,
  );
  return new DesiredStates(MemoryFs.fromFiles(files), project);
}

const find = (d: DesiredStates, app: string, env: string) => {
  const s = d.scopes.find((x) => x.app.name === app && x.env.name === env)!;
  return d.findings(s.app, s.env);
};

describe('cross-app checks on a cluster', () => {
  it('two environments on one cluster declaring one object are refused, naming both', async () => {
    const d = repo(
      '{ a: { provider: kubernetes, context: kind-dev } }',
      '[{ name: dev, target: a }, { name: prod, target: a }]',
      {
        'apps/web/overlays/dev/d.yaml': deployment(),
        'apps/web/overlays/prod/d.yaml': deployment(),
        'apps/api/base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: api }\n',
      },
    );
    const { violations } = await find(d, 'web', 'dev');
    expect(violations.filter((v) => v.rule === 'cross-app')).toEqual([
      expect.objectContaining({
        file: 'apps/web/overlays/dev/d.yaml',
        line: 1,
        resource: 'Deployment/web',
        message: expect.stringMatching(
          /object Deployment\/default\/web \(app "web" in dev, apps\/web\/overlays\/dev\/d\.yaml:1\) overlaps object Deployment\/default\/web \(app "web" in prod, apps\/web\/overlays\/prod\/d\.yaml:1\)/,
        ),
      }),
    ]);
    const s = d.scopes.find((x) => x.env.name === 'prod' && x.app.name === 'web')!;
    await expect(d.of(s.app, s.env)).rejects.toMatchObject({ code: 'CROSS_APP_CONFLICT' });
  });

  it('the same object in two namespaces, or on two clusters, is no conflict', async () => {
    const apart = repo(
      '{ a: { provider: kubernetes, context: kind-dev } }',
      '[{ name: dev, target: a }, { name: prod, target: a }]',
      {
        'apps/web/overlays/dev/d.yaml': deployment('dev'),
        'apps/web/overlays/prod/d.yaml': deployment('prod'),
        'apps/api/overlays/dev/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: api }\n',
      },
    );
    expect((await find(apart, 'web', 'dev')).violations.filter((v) => v.severity === 'error')).toEqual([]);
    const clusters = repo(
      '{ a: { provider: kubernetes, context: kind-dev }, b: { provider: kubernetes, context: kind-prod } }',
      '[{ name: dev, target: a }, { name: prod, target: b }]',
      {
        'apps/web/overlays/dev/d.yaml': deployment(),
        'apps/web/overlays/prod/d.yaml': deployment(),
        'apps/api/overlays/dev/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: api }\n',
      },
    );
    expect((await find(clusters, 'web', 'prod')).violations.filter((v) => v.severity === 'error')).toEqual([]);
  });

  it('two targets naming one cluster are one target address', async () => {
    const d = repo(
      '{ a: { provider: kubernetes, context: kind-dev }, b: { provider: kubernetes, context: kind-dev, description: same } }',
      '[{ name: dev, target: a }, { name: qa, target: b }]',
      {
        'apps/web/overlays/dev/d.yaml': deployment(),
        'apps/api/overlays/qa/d.yaml': deployment(),
      },
    );
    const { violations } = await find(d, 'api', 'qa');
    expect(violations.find((v) => v.rule === 'cross-app')?.message).toMatch(
      /app "api" in qa.*app "web" in dev.*targets "b" and "a" \(one kubernetes target\)/,
    );
  });
});

describe('an empty render', () => {
  it('names a kustomization that lists nothing; allowEmpty lets it through', async () => {
    const files = {
      'apps/web/overlays/dev/kustomization.yaml': 'resources: []\n',
      'apps/api/overlays/dev/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: api }\n',
    };
    const d = repo('{ a: { provider: kubernetes } }', '[{ name: dev, target: a }]', files);
    expect((await find(d, 'web', 'dev')).violations).toEqual([
      expect.objectContaining({
        rule: 'empty',
        file: 'apps/web/overlays/dev/kustomization.yaml',
        message: 'app "web" renders no resources for dev: apps/web/overlays/dev/kustomization.yaml yields no resources',
      }),
    ]);
    const project = parseProject(
      'apiVersion: sluice.dev/v1alpha1\nkind: Project\nmetadata: { name: shop }\nspec:\n  targets: { a: { provider: kubernetes } }\n  environments: [{ name: dev, target: a }]\n  apps: [{ name: web, path: apps/web, allowEmpty: true }]\n',
    );
    const allowed = new DesiredStates(MemoryFs.fromFiles(files), project);
    expect((await allowed.of(project.apps[0]!, project.environments[0]!)).resources).toEqual([]);
  });
});

describe('objects two apps share', () => {
  const ns = (shared: string | undefined, label = 'a') =>
    `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: two-dev\n  labels: { team: ${label} }\n${shared ? `  annotations: { sluice.dev/shared: "${shared}" }\n` : ''}`;
  const two = (web: string, api: string) =>
    repo('{ a: { provider: kubernetes, context: kind-dev } }', '[{ name: dev, target: a }]', {
      'apps/web/base/ns.yaml': web,
      'apps/api/base/ns.yaml': api,
    });
  const conflicts = async (d: DesiredStates, app: string) =>
    (await find(d, app, 'dev')).violations.filter((v) => v.rule === 'cross-app');

  it('are no conflict when every declaration is shared and alike', async () => {
    const d = two(ns('true'), ns('true'));
    expect(await conflicts(d, 'web')).toEqual([]);
    expect(await conflicts(d, 'api')).toEqual([]);
    const s = d.scopes.find((x) => x.app.name === 'api')!;
    const elsewhere = await d.declaredElsewhere(d.project.targets.get('a')!, 'web', 'dev');
    expect(elsewhere.complete).toBe(true);
    expect(elsewhere.keys.has('object/Namespace//two-dev')).toBe(true);
    expect(elsewhere.keys.has('object/Namespace//other')).toBe(false);
    await expect(d.of(s.app, s.env)).resolves.toBeDefined();
  });

  it('conflict on both sides when one declaration is not shared, saying which to mark', async () => {
    const d = two(ns('true'), ns(undefined));
    for (const app of ['web', 'api']) {
      const [c] = await conflicts(d, app);
      expect(c?.hint).toContain('apps/api/base/ns.yaml:1 shared too');
    }
  });

  it('conflict when shared declarations differ', async () => {
    const d = two(ns('true'), ns('true', 'b'));
    const [c] = await conflicts(d, 'web');
    expect(c?.hint).toMatch(/declared differently/);
  });

  it('an app whose render fails makes what is declared elsewhere incomplete', async () => {
    const d = two(ns('true'), 'not: [valid');
    expect(await d.declaredElsewhere(d.project.targets.get('a')!, 'web', 'dev')).toMatchObject({ complete: false });
  });
});

describe('manifests against the Kubernetes schema', () => {
  it('refuses a value the API server would refuse, at its file and line, before any apply', async () => {
    const d = repo('{ a: { provider: kubernetes, context: kind-dev } }', '[{ name: dev, target: a }]', {
      'apps/web/base/d.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: nginx:1.27
          imagePullPolicy: Sometimes
          portz: [8080]
`,
      'apps/api/base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: api }\n',
    });
    const found = (await find(d, 'web', 'dev')).violations.filter((v) => v.rule === 'target');
    expect(found).toEqual([
      expect.objectContaining({
        file: 'apps/web/base/d.yaml',
        line: 13,
        field: 'spec.template.spec.containers[0].imagePullPolicy',
        message: expect.stringContaining('"Sometimes"'),
      }),
      expect.objectContaining({ file: 'apps/web/base/d.yaml', line: 14, message: expect.stringContaining('"portz"') }),
    ]);
  });
});
