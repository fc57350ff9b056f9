import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { Provider, Scope } from '../../../src/providers/types.js';
import { createKubernetesProvider } from '../../../src/providers/kubernetes/index.js';
import { KubeClient, loadKubeConfig } from '../../../src/providers/kubernetes/client.js';
import { applyOpts, configMap, get, ns, rawClient, silentLog, waitFor } from './helpers.js';

/**
 * Credentials rotated outside Sluice: a token revoked on the server and replaced in the
 * kubeconfig. The provider must say what is wrong while the old token is refused, and heal
 * by itself once the kubeconfig holds a good one, with no restart. The tokens are real
 * ServiceAccount tokens from the TokenRequest API; deleting the ServiceAccount revokes its token.
 */

let admin: KubeClient;
let dir: string;
const NS = 'rotate-dev';
const scope: Scope = { project: 'rotate', app: 'web', env: 'dev' };

async function serviceAccountToken(name: string): Promise<string> {
  await admin.request('POST', '/api/v1/namespaces/default/serviceaccounts', {
    body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } },
  });
  await admin.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    body: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name, namespace: 'default' }],
    },
  });
  const res = await admin.request<{ status: { token: string } }>(
    'POST',
    `/api/v1/namespaces/default/serviceaccounts/${name}/token`,
    { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } } },
  );
  return res.status.token;
}

/** The suite's kubeconfig with another bearer token, written in place as a credentials rotation does. */
function writeKubeconfig(path: string, token: string): void {
  const kc = parse(readFileSync(inject('kubeconfig'), 'utf8')) as { users: { user: Record<string, unknown> }[] };
  for (const u of kc.users) u.user = { token };
  writeFileSync(path, stringify(kc));
}

beforeAll(async () => {
  admin = await rawClient();
  dir = mkdtempSync(join(tmpdir(), 'sluice-rotate-'));
});
afterAll(async () => {
  for (const name of ['rotor-1', 'rotor-2'])
    await admin.request('DELETE', `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${name}`).catch(() => 0);
  await admin.request('DELETE', '/api/v1/namespaces/default/serviceaccounts/rotor-2').catch(() => 0);
  admin.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a token rotated under a running provider', () => {
  let provider: Provider;

  it('fails with KUBE_UNAUTHORIZED and a hint while refused, and heals once the kubeconfig holds a new token', async () => {
    const first = await serviceAccountToken('rotor-1');
    const second = await serviceAccountToken('rotor-2');
    const kubeconfig = join(dir, 'kubeconfig');
    writeKubeconfig(kubeconfig, first);
    provider = createKubernetesProvider({ provider: 'kubernetes', kubeconfig }, { dataDir: dir, log: silentLog });
    await provider.start();
    try {
      await provider.apply(scope, [ns(NS), configMap(NS, 'settings', { v: '1' })], applyOpts());

      // Revoke the first token and wait until the server refuses it.
      await admin.request('DELETE', '/api/v1/namespaces/default/serviceaccounts/rotor-1');
      const revoked = await KubeClient.create(loadKubeConfig({ kubeconfig }));
      await waitFor(
        'the revoked token to be refused',
        () =>
          revoked.request('GET', '/version').then(
            () => undefined,
            (e: { statusCode?: number; code?: string }) => e.code === 'KUBE_UNAUTHORIZED',
          ),
        30_000,
      );
      revoked.close();

      const refused = await provider.apply(scope, [ns(NS), configMap(NS, 'settings', { v: '2' })], applyOpts()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toMatchObject({
        code: 'KUBE_UNAUTHORIZED',
        retry: true,
        hint: expect.stringMatching(/renew it in the kubeconfig/),
      });

      // The rotation lands in the file; the next attempt reads it, with the same provider.
      writeKubeconfig(kubeconfig, second);
      await provider.apply(scope, [ns(NS), configMap(NS, 'settings', { v: '3' })], applyOpts());
      const live = await get<{ data: Record<string, string> }>(admin, `/api/v1/namespaces/${NS}/configmaps/settings`);
      expect(live?.data).toEqual({ v: '3' });
      expect(await provider.health(scope)).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'settings', status: 'Healthy' })]),
      );
    } finally {
      await provider.destroy(scope).catch(() => undefined);
      await provider.close();
    }
  });
});
