import { inject } from 'vitest';
import type { Resource } from '../../../src/model/resource.js';
import type { Provider, ProviderEvent, Scope } from '../../../src/providers/types.js';
import { createKubernetesProvider, type KubernetesProviderOptions } from '../../../src/providers/kubernetes/index.js';
import { KubeClient, loadKubeConfig } from '../../../src/providers/kubernetes/client.js';

export const silentLog = { info() {}, warn() {}, error() {}, debug() {} };

export async function startProvider(options: KubernetesProviderOptions = {}): Promise<Provider> {
  const p = createKubernetesProvider(
    { provider: 'kubernetes', kubeconfig: inject('kubeconfig') },
    { dataDir: '/nonexistent', log: silentLog },
    options,
  );
  await p.start();
  return p;
}

/** A plain client for acting as someone else: another field manager, a controller writing status. */
export async function rawClient(): Promise<KubeClient> {
  return KubeClient.create(loadKubeConfig({ kubeconfig: inject('kubeconfig') }));
}

export const applyOpts = (extra: Record<string, unknown> = {}) => ({
  prune: true,
  revision: 'rev1',
  reason: 'test',
  ...extra,
});

export function ns(name: string): Resource {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export function configMap(
  namespace: string,
  name: string,
  data: Record<string, string>,
  extra: Partial<Resource['metadata']> = {},
): Resource {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, ...extra }, data };
}

export function deployment(
  namespace: string,
  name: string,
  replicas: number,
  image = 'registry.example/web:1',
): Resource {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'web',
              image,
              ports: [{ containerPort: 8080 }],
              resources: { limits: { cpu: '0.5', memory: '128Mi' } },
            },
          ],
        },
      },
    },
  };
}

export function service(namespace: string, name: string, type = 'ClusterIP'): Resource {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { type, selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
  };
}

export async function get<T = Resource>(client: KubeClient, path: string): Promise<T | undefined> {
  try {
    return await client.request<T>('GET', path);
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return undefined;
    throw e;
  }
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function collectEvents(p: Provider): ProviderEvent[] {
  const events: ProviderEvent[] = [];
  p.onEvent((e) => events.push(e));
  return events;
}

export const sameScope = (a: Scope, b: Scope): boolean => a.project === b.project && a.app === b.app && a.env === b.env;
