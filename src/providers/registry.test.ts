import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { isSluiceError } from '../errors/index.js';
import { parseProject } from '../config/index.js';
import { projectSchema } from '../config/schema.js';
import type { Resource } from '../model/resource.js';
import { connectionKey, createProvider, targetKind, targetKindNames, targetKinds, type Target } from './registry.js';
import type { Provider, ProviderLog, TargetKind } from './types.js';

/**
 * Every registered kind implements the whole contract: a kind that leaves a piece out, or
 * whose pieces disagree with each other, fails here rather than in the part that asks it.
 */

const REQUIRED = [
  'kind',
  'targetSchema',
  'example',
  'connectionKey',
  'create',
  'accepts',
  'validate',
  'workloads',
  'appliedArtifacts',
  'artifactEdits',
  'endpoints',
] as const;
const PROVIDER_METHODS = [
  'accepts',
  'start',
  'live',
  'plan',
  'apply',
  'health',
  'scopes',
  'destroy',
  'onEvent',
  'close',
] as const;

const quiet: ProviderLog = { info() {}, warn() {}, error() {}, debug() {} };
/** Something no target runs: every kind must say so rather than guess. */
const configMap: Resource = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } };

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-registry-'));
  // Creating a provider may read credentials (a kubeconfig) but must not connect; point any
  // lookup at a file naming every context the examples use, with a server nothing answers on.
  const contexts = targetKinds
    .map((k) => (k.example.target as { context?: string }).context)
    .filter((c): c is string => !!c);
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'none', cluster: { server: 'https://127.0.0.1:9' } }],
    users: [{ name: 'nobody', user: { token: 'x' } }],
    contexts: contexts.map((name) => ({ name, context: { cluster: 'none', user: 'nobody' } })),
    'current-context': contexts[0] ?? '',
  };
  writeFileSync(join(dir, 'kubeconfig'), JSON.stringify(kubeconfig));
  vi.stubEnv('KUBECONFIG', join(dir, 'kubeconfig'));
});

afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe('the target registry', () => {
  it('lists each kind once, by the name sluice.yaml uses', () => {
    expect(targetKindNames()).toEqual(targetKinds.map((k) => k.kind));
    expect(new Set(targetKindNames()).size).toBe(targetKinds.length);
  });

  it('composes every kind into sluice.yaml and nothing else', () => {
    const targets = Object.fromEntries(targetKinds.map((k) => [k.kind, k.example.target]));
    const environments = targetKinds.map((k) => `    - { name: ${k.kind}, target: ${k.kind} }`).join('\n');
    const project = parseProject(
      `apiVersion: sluice.dev/v1alpha1\nkind: Project\nmetadata: { name: shop }\nspec:\n  targets: ${JSON.stringify(targets)}\n  environments:\n${environments}\n`,
    );
    for (const k of targetKinds) expect(project.targets.get(k.kind)?.provider).toBe(k.kind);
    expect(() =>
      parseProject(
        'apiVersion: sluice.dev/v1alpha1\nkind: Project\nmetadata: { name: shop }\nspec:\n  targets: { x: { provider: nowhere } }\n  environments: [{ name: dev, target: x }]\n',
      ),
    ).toThrow(/invalid value/);
  });
});

describe.each(targetKinds.map((k) => [k.kind, k as unknown as TargetKind] as const))('target kind %s', (name, kind) => {
  const target = (): Target => ({ ...(kind.targetSchema.parse(kind.example.target) as Target), name: 'example' });

  it('implements every required piece of the contract', () => {
    for (const piece of REQUIRED) expect(kind[piece], piece).toBeDefined();
    expect(targetKind(name)).toBe(kind);
  });

  it('owns a strict schema whose provider is its name', () => {
    expect(target().provider).toBe(name);
    expect(kind.targetSchema.safeParse({ ...kind.example.target, description: 'the laptop' }).success).toBe(true);
    expect(kind.targetSchema.safeParse({ ...kind.example.target, misspelt: true }).success).toBe(false);
    expect(kind.targetSchema.safeParse({ ...kind.example.target, provider: `${name}-not` }).success).toBe(false);
  });

  it('keys its connection without the description', () => {
    const plain = target();
    expect(typeof kind.connectionKey(plain)).toBe('string');
    expect(connectionKey({ ...plain, description: 'renamed' })).toBe(connectionKey(plain));
  });

  it('creates a provider of its kind with every method, without connecting', async () => {
    const provider: Provider = createProvider(target(), { dataDir: join(dir, name), log: quiet });
    expect(provider.kind).toBe(name);
    for (const m of PROVIDER_METHODS) expect(typeof provider[m], m).toBe('function');
    expect(provider.accepts(kind.example.resource)).toBe(true);
    await provider.close();
  });

  it('accepts and passes its example resource, and refuses a resource without a name, all without connecting', () => {
    expect(kind.accepts(kind.example.resource)).toBe(true);
    expect(kind.validate(kind.example.resource)).toEqual([]);
    const unnamed = { ...kind.example.resource, metadata: { ...kind.example.resource.metadata, name: '' } };
    const issues = kind.validate(unnamed);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]!.path).toEqual(['metadata', 'name']);
  });

  it('claims what its example takes on the target, the same keys each time, each described', () => {
    if (!kind.claims) return;
    const claims = kind.claims(kind.example.resource, target());
    expect(claims.length).toBeGreaterThan(0);
    for (const c of claims) {
      expect(c.key).toMatch(/\S/);
      expect(c.description).toMatch(/\S/);
    }
    // The same resource declared by a second app takes the same keys: that is the conflict cross-app checks find.
    const copy = structuredClone(kind.example.resource);
    expect(kind.claims(copy, target()).map((c) => c.key)).toEqual(claims.map((c) => c.key));
    expect(kind.claims(configMap, target()).every((c) => typeof c.key === 'string')).toBe(true);
  });

  it('describes the workloads and artifacts of its example resource', () => {
    const workload = kind.workloads(kind.example.resource);
    expect(workload).toBeDefined();
    expect(workload!.artifacts.length).toBeGreaterThan(0);
    for (const a of workload!.artifacts) expect(a.field).toMatch(/^spec\./);
    expect(workload!.replicas.length).toBeGreaterThan(0);
    expect(kind.appliedArtifacts(kind.example.resource).length).toBeGreaterThan(0);
  });

  it('writes back each artifact it reports, at paths that exist in the resource', () => {
    for (const artifact of kind.appliedArtifacts(kind.example.resource)) {
      const edits = kind.artifactEdits(kind.example.resource, { ...artifact, tag: 'next' });
      expect(edits.length, artifact.name).toBeGreaterThan(0);
      for (const e of edits) {
        // Every step but the last exists (or the last replaces a whole map), so an edit never invents structure by accident.
        let cur: unknown = kind.example.resource;
        for (const step of e.path.slice(0, -1)) cur = (cur as Record<string | number, unknown>)[step];
        expect(cur, e.path.join('.')).toBeTypeOf('object');
      }
    }
  });

  it('leaves alone what it does not run', () => {
    expect(kind.workloads(configMap)).toBeUndefined();
    expect(kind.appliedArtifacts(configMap)).toEqual([]);
    expect(kind.artifactEdits(configMap, { kind: 'image', name: 'settings', ref: 'settings' })).toEqual([]);
    expect(kind.artifactEdits(configMap, { kind: 'file', name: 'settings', ref: '/settings' })).toEqual([]);
    expect(kind.endpoints([{ key: 'v1/ConfigMap/settings', object: configMap }])).toEqual([]);
  });

  it('reads no logs where there are none, or says why it cannot look', async () => {
    if (!kind.readLogs) return;
    const lines = [];
    try {
      for await (const line of kind.readLogs(
        join(dir, 'empty'),
        { project: 'shop', app: 'web', env: 'dev' },
        { tail: 10 },
        kind.targetSchema.parse(kind.example.target),
      ))
        lines.push(line);
    } catch (e) {
      // A kind that asks its target (a cluster) has none here: the error must say what to fix.
      expect(isSluiceError(e) && e.hint).toBeTruthy();
    }
    expect(lines).toEqual([]);
  });

  it('scaffolds a config repo whose sluice.yaml targets this kind', () => {
    if (!kind.scaffold) return;
    const files = kind.scaffold({
      project: 'shop',
      basePort: 7400,
      sample: () => ({ source: 'console.log(1);', node: '/usr/bin/node' }),
    });
    const project = projectSchema.parse(parse(files['sluice.yaml']!));
    const kinds = Object.values(project.spec.targets).map((t) => t.provider);
    expect(kinds.length).toBeGreaterThan(0);
    expect(new Set(kinds)).toEqual(new Set([name]));
  });
});
