import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { runValidate } from '../../../src/cli/commands/validate.js';
import type { KubeClient } from '../../../src/providers/kubernetes/client.js';
import { rawClient } from './helpers.js';

/**
 * `sluice validate --schema-from-cluster` against the real API server with a CRD installed: the
 * shipped schema knows no custom kinds, so only the schema the cluster serves can refuse an
 * unknown field of a custom resource before any apply, at its file and line.
 */

const CRD = 'gadgets.validate.example.com';
let client: KubeClient;
let repo: string;
let dataDir: string;

function write(path: string, text: string): void {
  mkdirSync(join(repo, path, '..'), { recursive: true });
  writeFileSync(join(repo, path), text);
}

function gadget(spec: string): string {
  return `apiVersion: validate.example.com/v1
kind: Gadget
metadata:
  name: g
  namespace: default
spec:
${spec}`;
}

beforeAll(async () => {
  client = await rawClient();
  await client.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    body: {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: CRD },
      spec: {
        group: 'validate.example.com',
        scope: 'Namespaced',
        names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    properties: {
                      size: { type: 'integer' },
                      color: { type: 'string', enum: ['red', 'blue'] },
                    },
                  },
                },
              },
            },
          },
        ],
      },
    },
  });
  // The server publishes a new CRD's schema a moment after accepting it.
  await vi.waitFor(
    async () => {
      const index = await client.request<{ paths: Record<string, unknown> }>('GET', '/openapi/v3');
      expect(Object.keys(index.paths)).toContain('apis/validate.example.com/v1');
    },
    { timeout: 60_000, interval: 500 },
  );
  repo = mkdtempSync(join(tmpdir(), 'sluice-validate-cluster-'));
  dataDir = mkdtempSync(join(tmpdir(), 'sluice-validate-data-'));
  write(
    'sluice.yaml',
    `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata: { name: shop }
spec:
  targets: { cluster: { provider: kubernetes, kubeconfig: ${JSON.stringify(inject('kubeconfig'))} } }
  environments:
    - { name: dev, target: cluster }
  apps:
    - { name: gadgets, path: apps/gadgets }
`,
  );
  write(
    'apps/gadgets/overlays/dev/config.yaml',
    'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: { a: b }\n',
  );
});
afterAll(async () => {
  await client?.request('DELETE', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD}`).catch(() => {});
  client?.close();
  if (repo) rmSync(repo, { recursive: true, force: true });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('validate against the schema the cluster serves', () => {
  it('refuses an unknown field of a custom resource at its file, line and field', async () => {
    write('apps/gadgets/overlays/dev/gadget.yaml', gadget('  size: 3\n  colour: red\n'));
    // The shipped schema has no custom kinds: without the cluster's, the mistake passes.
    expect((await runValidate({ dir: repo })).report.errors).toBe(0);

    const result = await runValidate({ dir: repo, schemaFromCluster: { dataDir } });
    expect(result.report.errors).toBe(1);
    expect(result.report.violations[0]).toMatchObject({
      severity: 'error',
      file: 'apps/gadgets/overlays/dev/gadget.yaml',
      line: 8,
      field: 'spec.colour',
      message: expect.stringContaining('unknown field "colour"'),
    });
    expect(result.notes.join('\n')).toMatch(/schema served by Kubernetes v\S+ at https:\/\/127\.0\.0\.1:\d+/);
  });

  it('passes a valid custom resource, and reads again only the documents that changed', async () => {
    write('apps/gadgets/overlays/dev/gadget.yaml', gadget('  size: 3\n  color: blue\n'));
    const cached = readdirSync(join(dataDir, 'kubernetes', 'openapi'));
    expect(cached).toHaveLength(1); // one server version
    const before = readdirSync(join(dataDir, 'kubernetes', 'openapi', cached[0]!)).length;
    const result = await runValidate({ dir: repo, schemaFromCluster: { dataDir } });
    expect(result.report.violations.filter((v) => v.severity === 'error')).toEqual([]);
    expect(readdirSync(join(dataDir, 'kubernetes', 'openapi', cached[0]!)).length).toBe(before);
  });

  it('still refuses a value outside an enum of a custom resource', async () => {
    write('apps/gadgets/overlays/dev/gadget.yaml', gadget('  color: green\n'));
    const result = await runValidate({ dir: repo, schemaFromCluster: { dataDir } });
    expect(result.report.violations[0]).toMatchObject({ field: 'spec.color', line: 7 });
  });
});
