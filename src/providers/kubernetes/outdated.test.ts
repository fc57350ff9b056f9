import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKubernetesProvider } from './index.js';

/** A kubeconfig edited in place: a new server or user replaces the provider, a new token does not. */

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function kubeconfig(server: string, token: string, user: Record<string, unknown> = {}): string {
  return `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${server}" } }]
users: [{ name: u, user: ${JSON.stringify({ token, ...user })} }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`;
}

const log = { info() {}, warn() {}, error() {}, debug() {} };

describe('a kubeconfig edited under a provider', () => {
  it('is outdated when the server or the user changes, and not for a new token or an unchanged file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-kc-'));
    dirs.push(dir);
    const path = join(dir, 'config');
    writeFileSync(path, kubeconfig('https://127.0.0.1:6443', 'one'));
    const p = createKubernetesProvider({ provider: 'kubernetes', kubeconfig: path }, { dataDir: dir, log });
    expect(p.outdated?.()).toBe(false);

    writeFileSync(path, kubeconfig('https://127.0.0.1:6443', 'two-is-longer'));
    expect(p.outdated?.()).toBe(false);

    writeFileSync(path, kubeconfig('https://127.0.0.1:7443', 'two'));
    expect(p.outdated?.()).toBe(true);
  });

  it('keeps the connection while the file cannot be read, and looks again at the next change', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-kc-'));
    dirs.push(dir);
    const path = join(dir, 'config');
    writeFileSync(path, kubeconfig('https://127.0.0.1:6443', 'one'));
    const p = createKubernetesProvider({ provider: 'kubernetes', kubeconfig: path }, { dataDir: dir, log });
    writeFileSync(path, 'clusters: [');
    expect(p.outdated?.()).toBe(false);
    writeFileSync(path, kubeconfig('https://127.0.0.1:6443', 'one', { 'client-certificate': '/etc/x.crt' }));
    expect(p.outdated?.()).toBe(true);
  });
});
