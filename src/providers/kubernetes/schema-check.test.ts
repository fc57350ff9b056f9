import { describe, expect, it } from 'vitest';
import type { Resource } from '../../model/resource.js';
import { checkSchema, schemaVersion } from './schema-check.js';

/** Manifests against the shipped OpenAPI schema of the pinned Kubernetes version, with no cluster. */

function deployment(container: Record<string, unknown>, spec: Record<string, unknown> = {}): Resource {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' }, annotations: { 'sluice.dev/sync-wave': '1' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              ports: [{ containerPort: 8080 }],
              resources: { limits: { cpu: 0.5, memory: '128Mi' } },
              ...container,
            },
          ],
        },
      },
      ...spec,
    },
  };
}

describe('the shipped Kubernetes schema', () => {
  it('is of a pinned version and passes a well-formed Deployment', () => {
    expect(schemaVersion()).toMatch(/^v1\.\d+\.\d+/);
    expect(checkSchema(deployment({ imagePullPolicy: 'IfNotPresent' }))).toEqual([]);
  });

  it('refuses a value outside an enum, at its path', () => {
    expect(checkSchema(deployment({ imagePullPolicy: 'Sometimes' }))).toEqual([
      {
        path: ['spec', 'template', 'spec', 'containers', 0, 'imagePullPolicy'],
        message: expect.stringContaining('"Sometimes", which is not one of "Always", "IfNotPresent", "Never"'),
      },
    ]);
  });

  it('refuses unknown fields and wrong types', () => {
    const issues = checkSchema(deployment({ imagePullPolicyy: 'Always' }, { replicas: 'two' }));
    expect(issues.map((i) => i.path.join('.'))).toEqual([
      'spec.replicas',
      'spec.template.spec.containers.0.imagePullPolicyy',
    ]);
    expect(issues[1]!.message).toContain('unknown field "imagePullPolicyy"');
    expect(issues[0]!.message).toBe('spec.replicas must be an integer, not string');
  });

  it('names the kinds of a built-in group for a misspelt kind, and leaves custom resources alone', () => {
    const [issue] = checkSchema({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'web' } });
    expect(issue).toMatchObject({ path: ['kind'], hint: expect.stringContaining('Deployment') });
    expect(
      checkSchema({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { x: 1 } }),
    ).toEqual([]);
  });

  it('accepts free-form fields where the schema keeps unknown fields (CRD schemas, ConfigMap data)', () => {
    expect(
      checkSchema({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com',
          names: { kind: 'Widget', plural: 'widgets' },
          scope: 'Namespaced',
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  'x-kubernetes-preserve-unknown-fields': true,
                  properties: { spec: { type: 'object', default: { a: 1 } } },
                },
              },
            },
          ],
        },
      }),
    ).toEqual([]);
    expect(checkSchema({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } })).toEqual([]);
  });
});
