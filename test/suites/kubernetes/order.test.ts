import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider, Scope } from '../../../src/providers/types.js';
import type { Resource } from '../../../src/model/resource.js';
import type { KubeClient } from '../../../src/providers/kubernetes/client.js';
import { applyOpts, configMap, get, ns, rawClient, startProvider, waitFor } from './helpers.js';

const crd: Resource = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { size: { type: 'integer' } } },
              status: {
                type: 'object',
                properties: {
                  conditions: {
                    type: 'array',
                    items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

const widget = (size: number): Resource => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w1', namespace: 'order-test' },
  spec: { size },
});

describe('ordering: namespaces and CRDs before what needs them', () => {
  let provider: Provider;
  let client: KubeClient;
  const scope: Scope = { project: 'shop', app: 'widgets', env: 'order' };

  beforeAll(async () => {
    provider = await startProvider();
    client = await rawClient();
  });
  afterAll(async () => {
    await provider.close();
    client.close();
  });

  it('applies a custom resource, its CRD and its namespace in one sync, given in the worst order', async () => {
    const desired = [
      widget(3),
      configMap('order-test', 'cfg', { a: '1' }, { annotations: { 'sluice.dev/sync-wave': '-1' } }),
      crd,
      ns('order-test'),
    ];
    const dry = await provider.plan(scope, desired, { prune: true });
    expect(dry.changes.map((c) => c.kind)).toEqual(['Namespace', 'CustomResourceDefinition', 'ConfigMap', 'Widget']);
    expect(dry.changes.find((c) => c.kind === 'Widget')!.reason).toBe('its CRD is created first');

    const plan = await provider.apply(scope, desired, applyOpts());
    expect(plan.changes.map((c) => `${c.action} ${c.kind}`)).toEqual([
      'create Namespace',
      'create CustomResourceDefinition',
      'create ConfigMap',
      'create Widget',
    ]);
    expect(await get(client, '/apis/example.com/v1/namespaces/order-test/widgets/w1')).toBeDefined();
  });

  it('treats custom resources like any other kind afterwards, with health from their conditions', async () => {
    const desired = [
      widget(4),
      configMap('order-test', 'cfg', { a: '1' }, { annotations: { 'sluice.dev/sync-wave': '-1' } }),
      crd,
      ns('order-test'),
    ];
    const plan = await provider.plan(scope, desired, { prune: true });
    expect(plan.changes.filter((c) => c.action !== 'unchanged').map((c) => c.key)).toEqual([
      'Widget.example.com/order-test/w1',
    ]);
    await provider.apply(scope, desired, applyOpts());
    await client.request('PATCH', '/apis/example.com/v1/namespaces/order-test/widgets/w1/status', {
      query: { fieldManager: 'widget-controller' },
      contentType: 'application/merge-patch+json',
      body: { status: { conditions: [{ type: 'Ready', status: 'False', message: 'warming up' }] } },
    });
    const h = await (async () => {
      for (let i = 0; i < 50; i++) {
        const found = (await provider.health(scope)).find((x) => x.kind === 'Widget');
        if (found?.message === 'warming up') return found;
        await new Promise((r) => setTimeout(r, 100));
      }
      return undefined;
    })();
    expect(h).toMatchObject({ status: 'Progressing', message: 'warming up' });
  });

  it('prunes the custom resource before its CRD', async () => {
    const plan = await provider.apply(scope, [ns('order-test')], applyOpts());
    expect(plan.changes.filter((c) => c.action === 'delete').map((c) => c.kind)).toEqual([
      'Widget',
      'ConfigMap',
      'CustomResourceDefinition',
    ]);
    // Once the CRD is gone, so is its kind: no stale discovery. (While it terminates, the
    // API server still serves the kind and refuses writes with 403; the first plan after it
    // is gone may still reach the server and hear 404, which also reports an unknown kind.)
    const error = await waitFor('Widget to stop being served', () =>
      provider.plan(scope, [ns('order-test'), widget(1)], { prune: true }).then(
        () => undefined,
        (e: { code?: string }) => (e.code === 'KUBE_FORBIDDEN' ? undefined : e),
      ),
    );
    expect(error.code).toBe('KUBE_UNKNOWN_KIND');
  });
});
