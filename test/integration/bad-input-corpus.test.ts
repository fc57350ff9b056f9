import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseDocument } from 'yaml';
import { runValidate } from '../../src/cli/commands/validate.js';
import { isSluiceError } from '../../src/errors/index.js';
import type { Resource } from '../../src/model/resource.js';
import { Controller } from '../../src/reconcile/controller.js';
import type { StatusError } from '../../src/reconcile/status.js';
import { MemorySource, MemoryTarget, quietLog, tempStore, type Files } from '../../src/reconcile/test-support.js';

/**
 * A corpus of bad commits, each a small mutation of one good config repo, run through both
 * `sluice validate` and the controller: both must refuse every case, each with an error naming
 * the file at fault and a line or resource, and the controller must apply nothing.
 */

const WEB = 'apps/web/base/web.yaml';
const API = 'apps/api/base/api.yaml';
const PROJECT = 'sluice.yaml';

const project = (o: { envs?: string; apps?: string } = {}) => `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata: { name: shop }
spec:
  targets: { local: { provider: process } }
  environments:
${o.envs ?? '    - { name: dev, target: local, sync: auto, selfHeal: true, healthTimeout: 30s }'}
  apps:
${o.apps ?? '    - { name: web, path: apps/web }\n    - { name: api, path: apps/api }'}
`;

const processDoc = (name: string, port: number) => `apiVersion: sluice.dev/v1alpha1
kind: Process
metadata:
  name: ${name}
spec:
  command: /bin/true
  args: [v1]
  port: ${port}
  service: { port: ${port - 1} }
`;

const base = (): Files => ({ [PROJECT]: project(), [WEB]: processDoc('web', 7501), [API]: processDoc('api', 7511) });

interface Case {
  name: string;
  mutate: (files: Files) => void;
  /** The file the error must name; web.yaml unless said. */
  file?: string;
  /** Why this error may name only the file: a known gap, said here so it is not forgotten. */
  fileOnly?: string;
  /** The line the error must name, where the case is about which line says it. */
  line?: number;
}

/** Sets (or, with undefined, removes) a field of a manifest, keeping the rest as written. */
function edit(file: string, path: (string | number)[], value: unknown): (files: Files) => void {
  return (files) => {
    const doc = parseDocument(files[file]!);
    if (value === undefined) doc.deleteIn(path);
    else doc.setIn(path, doc.createNode(value));
    files[file] = doc.toString();
  };
}

/** The base as a kustomization, and a dev overlay over it. */
function overlay(kustomization: string, more: Files = {}): (files: Files) => void {
  return (files) => {
    files['apps/web/base/kustomization.yaml'] = 'resources: [web.yaml]\n';
    files['apps/web/overlays/dev/kustomization.yaml'] = kustomization;
    Object.assign(files, more);
  };
}

const sha = 'a'.repeat(64);
const specCases: [string, unknown][] = [
  ['replicas', -1],
  ['replicas', 1.5],
  ['replicas', '2'],
  ['replicas', true],
  ['replicas', []],
  ['replicas', {}],
  ['port', 0],
  ['port', 70000],
  ['port', -5],
  ['port', '80'],
  ['port', 1.5],
  ['port', 65535],
  ['workingDir', 'relative'],
  ['workingDir', './x'],
  ['workingDir', ''],
  ['workingDir', 5],
  ['workingDir', ['/a']],
  ['command', ''],
  ['command', 5],
  ['command', []],
  ['command', null],
  ['command', { a: 1 }],
  ['args', 'x'],
  ['args', [1]],
  ['args', { a: 1 }],
  ['args', [null]],
  ['env', { '1BAD': 'x' }],
  ['env', { A: 1 }],
  ['env', []],
  ['env', 'x'],
  ['env', { 'A-B': 'x' }],
  ['env', { A: null }],
  ['foo', 1],
  ['comand', '/bin/true'],
  ['healthcheck', { tcp: {} }],
  ['Replicas', 2],
  ['ports', [8080]],
  ['image', 'nginx:1'],
  ['restartPolicy', 'Sometimes'],
  ['restartPolicy', 1],
  ['restartPolicy', 'always'],
  ['terminationGracePeriodSeconds', -1],
  ['terminationGracePeriodSeconds', '10'],
  ['healthCheck', {}],
  ['healthCheck', { http: { path: 'x' } }],
  ['healthCheck', { tcp: {}, exec: { command: ['x'] } }],
  ['healthCheck', { intervalSeconds: 0, tcp: {} }],
  ['healthCheck', { failureThreshold: 0, tcp: {} }],
  ['healthCheck', { exec: { command: [] } }],
  ['healthCheck', { tcp: { port: 70000 } }],
  ['healthCheck', { unknown: 1, tcp: {} }],
  ['healthCheck', { http: { path: '/', port: 'x' } }],
  ['healthCheck', { timeoutSeconds: -1, tcp: {} }],
  ['healthCheck', 'tcp'],
  ['service', { port: 70000 }],
  ['service', { port: 7500, address: '' }],
  ['service', { port: 7500, extra: 1 }],
  ['service', { port: 7502 }],
  ['service', 'x'],
  ['service', {}],
  ['artifact', { path: 'rel', sha256: sha }],
  ['artifact', { path: '/x', sha256: 'short' }],
  ['artifact', { url: 'http://x', sha256: sha }],
  ['artifact', { path: '/x', url: 'file:///x', sha256: sha }],
  ['artifact', { sha256: sha }],
  ['artifact', 'string'],
  ['artifact', { path: '/x' }],
  ['artifact', { path: '/x', sha256: 'A'.repeat(64) }],
];

const cases: Case[] = [
  ...specCases.map(([field, value]) => ({
    name: `spec.${field}: ${JSON.stringify(value)}`,
    mutate: edit(WEB, ['spec', field], value),
  })),
  { name: 'spec.port removed while a service forwards to it', mutate: edit(WEB, ['spec', 'port'], undefined) },
  { name: 'spec.command removed', mutate: edit(WEB, ['spec', 'command'], undefined) },
  ...(['Web', 'web_1', '', 'a'.repeat(64), 5, '-web'] as unknown[]).map((name) => ({
    name: `metadata.name: ${JSON.stringify(name)}`,
    mutate: edit(WEB, ['metadata', 'name'], name),
  })),
  { name: 'metadata.name removed', mutate: edit(WEB, ['metadata', 'name'], undefined) },
  { name: 'kind: Proces', mutate: edit(WEB, ['kind'], 'Proces') },
  { name: 'kind: process', mutate: edit(WEB, ['kind'], 'process') },
  { name: 'apiVersion: sluice.dev/v1', mutate: edit(WEB, ['apiVersion'], 'sluice.dev/v1') },
  { name: 'apiVersion: v1 (a core kind on a process target)', mutate: edit(WEB, ['apiVersion'], 'v1') },
  {
    name: 'a Deployment on a process target',
    mutate: (f) => {
      f[WEB] =
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec: { template: { spec: { containers: [{ name: a, image: nginx }] } } }\n';
    },
  },
  {
    name: 'a ConfigMap beside the Process',
    mutate: (f) => void (f[WEB] += '---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n'),
  },
  { name: 'spec: null', mutate: edit(WEB, ['spec'], null) },
  { name: 'spec: []', mutate: edit(WEB, ['spec'], []) },
  { name: 'spec: "x"', mutate: edit(WEB, ['spec'], 'x') },
  ...(
    [
      ['unclosed flow sequence', 'kind: ['],
      ['a tab in indentation', 'apiVersion: v1\nkind: Process\nmetadata:\n\tname: web\n'],
      ['a duplicate key', 'apiVersion: sluice.dev/v1alpha1\nkind: Process\nkind: Process\nmetadata: { name: web }\n'],
      ['an unclosed quote', 'apiVersion: "sluice.dev/v1alpha1\nkind: Process\n'],
      ['a list at the top', '- just\n- a list\n'],
      ['a plain string', 'just a string\n'],
      ['an empty map', '{}\n'],
      ['a document without kind', 'apiVersion: sluice.dev/v1alpha1\nmetadata: { name: web }\n'],
      ['an empty file', ''],
      ["only '---'", '---\n'],
      ['only comments', '# coming soon\n'],
    ] as const
  ).map(([name, text]) => ({ name: `web.yaml is ${name}`, mutate: (f: Files) => void (f[WEB] = text) })),
  {
    name: 'the Process defined twice',
    mutate: (f) => void (f['apps/web/base/web2.yaml'] = f[WEB]),
  },
  {
    name: 'an overlay whose kustomization names a missing file',
    mutate: (f) => {
      f['apps/web/overlays/dev/web.yaml'] = f[WEB]!;
      f['apps/web/overlays/dev/kustomization.yaml'] = 'resources: [web.yaml, missing.yaml]\n';
    },
    file: 'apps/web/overlays/dev/kustomization.yaml',
    line: 1,
  },
  // Values an overlay computes are refused at the overlay line that computed them.
  {
    name: 'an overlay whose namePrefix makes the name invalid',
    mutate: overlay('resources: [../../base]\nnamePrefix: Dev-\n'),
    file: 'apps/web/overlays/dev/kustomization.yaml',
    line: 2,
  },
  {
    name: 'an overlay whose replacement writes a port out of range',
    mutate: overlay(`resources: [../../base]
replacements:
  - sourceValue: "70000"
    targets:
      - select: { kind: Process, name: web }
        fieldPaths: [spec.port]
`),
    file: 'apps/web/overlays/dev/kustomization.yaml',
    line: 3,
  },
  {
    name: 'an overlay whose JSON patch op writes a port out of range',
    mutate: overlay(
      'resources: [../../base]\npatches:\n  - path: port.yaml\n    target: { kind: Process, name: web }\n',
      {
        'apps/web/overlays/dev/port.yaml': '- op: replace\n  path: /spec/port\n  value: 70000\n',
      },
    ),
    file: 'apps/web/overlays/dev/port.yaml',
    line: 3,
  },
  {
    name: 'an overlay whose kustomization lists nothing',
    mutate: (f) => void (f['apps/web/overlays/dev/kustomization.yaml'] = 'resources: []\n'),
    file: 'apps/web/overlays/dev/kustomization.yaml',
  },
  {
    name: 'an overlay whose kustomization is not YAML',
    mutate: (f) => void (f['apps/web/overlays/dev/kustomization.yaml'] = 'resources: [\n'),
    file: 'apps/web/overlays/dev/kustomization.yaml',
  },
  // Two apps on one target.
  { name: 'api on web’s replica port', mutate: edit(API, ['spec', 'port'], 7501), file: API },
  { name: 'api on web’s service port', mutate: edit(API, ['spec', 'service', 'port'], 7500), file: API },
  { name: 'api’s service inside web’s replica range', mutate: edit(API, ['spec', 'service', 'port'], 7502), file: API },
  {
    name: 'api’s replica range over web’s service port',
    mutate: (f) => {
      edit(API, ['spec', 'port'], 7495)(f);
      edit(API, ['spec', 'replicas'], 3)(f);
      edit(API, ['spec', 'service', 'port'], 7490)(f);
    },
    file: API,
  },
  {
    name: 'a second Process of web on web’s own port',
    mutate: (f) =>
      void (f[WEB] +=
        `---\n${processDoc('web-worker', 7502).replace('service: { port: 7501 }', 'service: { port: 7520 }')}`),
    file: WEB,
  },
  {
    name: 'web’s replicas grown into api’s ports',
    mutate: edit(WEB, ['spec', 'replicas'], 6),
  },
  {
    name: 'two environments of web on one target address',
    mutate: (f) =>
      void (f[PROJECT] = project({
        envs: '    - { name: dev, target: local, sync: auto, healthTimeout: 30s }\n    - { name: prod, target: local, sync: auto, healthTimeout: 30s }',
        apps: '    - { name: web, path: apps/web }\n    - { name: api, path: apps/api, environments: [dev] }',
      })),
  },
  // sluice.yaml itself.
  {
    name: 'sluice.yaml: an unknown provider',
    mutate: (f) => void (f[PROJECT] = f[PROJECT]!.replace('provider: process', 'provider: nowhere')),
    file: PROJECT,
  },
  {
    name: 'sluice.yaml: an app path leaving the repo',
    mutate: (f) => void (f[PROJECT] = f[PROJECT]!.replace('path: apps/api', 'path: ../api')),
    file: PROJECT,
  },
  {
    name: 'sluice.yaml: allowEmpty not a boolean',
    mutate: (f) => void (f[PROJECT] = f[PROJECT]!.replace('path: apps/api', 'path: apps/api, allowEmpty: yes')),
    file: PROJECT,
  },
  {
    name: 'sluice.yaml: an environment on an unknown target',
    mutate: (f) => void (f[PROJECT] = f[PROJECT]!.replace('target: local', 'target: elsewhere')),
    file: PROJECT,
  },
  {
    name: 'sluice.yaml: an app defined twice',
    mutate: (f) =>
      void (f[PROJECT] = f[PROJECT]!.replace(
        'path: apps/api }',
        'path: apps/api }\n    - { name: api, path: apps/web }',
      )),
    file: PROJECT,
  },
];

function mutated(c: Case): Files {
  const files = base();
  c.mutate(files);
  return files;
}

/** Whether an error names the file at fault, and a line or resource where the file has one. */
function names(e: Pick<StatusError, 'file' | 'line' | 'resource' | 'message' | 'code'>, c: Case): boolean {
  const file = c.file ?? WEB;
  const named = e.file === file || e.file?.endsWith(`/${file}`) || e.message.includes(file);
  // An empty file has no line to point at; sluice.yaml errors carry theirs in the message.
  const pinned = e.line !== undefined || e.resource !== undefined || e.code === 'EMPTY_RENDER';
  if (c.line !== undefined) return !!named && e.line === c.line;
  return !!named && (pinned || file === PROJECT || c.fileOnly !== undefined);
}

describe('the bad-input corpus', () => {
  it('has more than a hundred cases, each of which really changes the repo', () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    for (const c of cases) expect(mutated(c), c.name).not.toEqual(base());
  });

  describe('sluice validate', () => {
    let root: string;
    beforeAll(() => void (root = mkdtempSync(join(tmpdir(), 'sluice-corpus-'))));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    const write = (dir: string, files: Files) => {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
    };
    const noKey = { identities: [], searched: [] };

    it('passes the good repo (the corpus would prove nothing otherwise)', async () => {
      const dir = join(root, 'good');
      write(dir, base());
      const result = await runValidate({ dir, identities: noKey });
      expect(result.report.violations.filter((v) => v.severity === 'error')).toEqual([]);
      expect(result.targets.map((t) => `${t.app}:${t.resources}`)).toEqual(['web:1', 'api:1']);
    });

    it.each(cases.map((c, i) => [c.name, i] as const))('refuses %s, naming the file', async (_name, i) => {
      const c = cases[i]!;
      const dir = join(root, String(i));
      write(dir, mutated(c));
      let refusal: Pick<StatusError, 'file' | 'line' | 'resource' | 'message' | 'code'>[];
      try {
        const result = await runValidate({ dir, identities: noKey });
        refusal = result.report.violations
          .filter((v) => v.severity === 'error')
          .map((v) => ({ ...v, code: v.rule === 'empty' ? 'EMPTY_RENDER' : v.rule }));
      } catch (e) {
        if (!isSluiceError(e)) throw e;
        refusal = [{ ...e.location, message: e.message, code: e.code }];
      }
      expect(refusal.length, c.name).toBeGreaterThan(0);
      expect(
        refusal.some((e) => names(e, c)),
        `${c.name}: ${JSON.stringify(refusal, null, 1)}`,
      ).toBe(true);
    });
  });

  describe('the controller', () => {
    let source: MemorySource;
    let target: MemoryTarget;
    let store: ReturnType<typeof tempStore>;
    let controller: Controller;
    let good: Map<string, Resource[]>;

    const liveNow = () =>
      new Map(
        [...target.objects].map(([scope, objects]) => [scope, [...objects.values()].map((o) => structuredClone(o))]),
      );

    beforeAll(async () => {
      vi.useFakeTimers();
      source = new MemorySource();
      target = new MemoryTarget();
      store = tempStore();
      source.commit(base());
      controller = new Controller({
        source,
        store: store.store,
        log: quietLog,
        createProvider: () => target,
        random: () => 0.5,
      });
      await controller.start();
      await controller.idle();
      good = liveNow();
    });

    afterAll(async () => {
      await controller.stop();
      vi.useRealTimers();
      await store.store.close();
      store.remove();
    });

    it('syncs the good repo (the corpus would prove nothing otherwise)', () => {
      expect(controller.status().apps.map((a) => `${a.app}:${a.sync}`)).toEqual(['web:Synced', 'api:Synced']);
      expect(good.get('shop/web/dev')).toHaveLength(1);
      expect(good.get('shop/api/dev')).toHaveLength(1);
    });

    it.each(cases.map((c, i) => [c.name, i] as const))(
      'refuses %s, naming the file, applying nothing',
      async (_name, i) => {
        const c = cases[i]!;
        const applies = target.applies;
        source.commit(mutated(c));
        await controller.refresh();
        await controller.idle();
        const status = controller.status();
        const errors = status.apps.flatMap((a) => (a.error && a.sync !== 'Synced' ? [a.error] : []));
        expect(errors.length, c.name).toBeGreaterThan(0);
        expect(
          errors.some((e) => names(e, c)),
          `${c.name}: ${JSON.stringify(errors, null, 1)}`,
        ).toBe(true);
        expect(target.applies, c.name).toBe(applies);
        expect(target.destroyed, c.name).toEqual([]);
        expect(liveNow(), c.name).toEqual(good);
      },
    );
  });
});
