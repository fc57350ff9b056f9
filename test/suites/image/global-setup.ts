import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ROOT } from '../../support/sluice.js';
import { buildBinaries, startServer, type RunningServer } from '../kubernetes/server.js';

/**
 * Everything the suite needs, checked and made once: a dockerd and the image built by
 * scripts/build-image.sh, kustomize at the version the conformance suite compares against,
 * and two API servers (one per overlay: both overlays name the same cluster-wide objects, so
 * they cannot share one). Under CI=true anything missing fails the suite; elsewhere the tests
 * that need it are skipped with a note.
 */

export const IMAGE = 'sluice-test/sluice:ci';
let servers: RunningServer[] = [];

function reasonWithoutDocker(): string {
  const socket = '/var/run/docker.sock';
  try {
    if (!existsSync(socket)) return `${socket} does not exist`;
    execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { stdio: 'pipe' });
    return '';
  } catch (e) {
    return `no dockerd answers on ${socket}: ${(e as Error).message.split('\n')[0]}`;
  }
}

/** kustomize at the conformance suite's version, on PATH or where `go install` puts it. */
function findKustomize(): { path: string; reason: string } {
  const want = (
    JSON.parse(readFileSync(join(ROOT, 'test/suites/kustomize-conformance/baseline.json'), 'utf8')) as {
      kustomizeVersion: string;
    }
  ).kustomizeVersion;
  const gopath = spawnSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).stdout?.trim();
  const candidates = ['kustomize', ...(gopath ? [join(gopath, 'bin', 'kustomize')] : [])];
  for (const path of candidates) {
    const res = spawnSync(path, ['version'], { encoding: 'utf8' });
    if (res.status !== 0) continue;
    const got = res.stdout.trim();
    if (got === want) return { path, reason: '' };
    return { path: '', reason: `kustomize ${got} found, the comparison needs ${want}` };
  }
  return {
    path: '',
    reason: `kustomize ${want} is not installed (go install sigs.k8s.io/kustomize/kustomize/v5@${want})`,
  };
}

function missing(what: string, reason: string): string {
  if (reason && process.env['CI'] === 'true')
    throw new Error(`${reason} (the image suite needs ${what} under CI=true)`);
  if (reason) console.warn(`image suite: skipping what needs ${what}: ${reason}`);
  return reason;
}

export async function setup(project: TestProject): Promise<void> {
  const dockerSkip = missing('a dockerd', reasonWithoutDocker());
  if (!dockerSkip) {
    const res = spawnSync('bash', [join(ROOT, 'scripts/build-image.sh'), IMAGE], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (res.status !== 0) throw new Error(`scripts/build-image.sh failed (exit ${res.status ?? res.signal})`);
  }
  const kustomize = findKustomize();
  missing('kustomize', kustomize.reason);

  let kubeSkip = '';
  try {
    const bins = buildBinaries();
    servers = await Promise.all([startServer(bins.apiserver), startServer(bins.apiserver)]);
  } catch (e) {
    await teardown();
    kubeSkip = missing('the test kube-apiserver', (e as Error).message);
  }
  project.provide('image', IMAGE);
  project.provide('dockerSkip', dockerSkip);
  project.provide('kustomize', kustomize.path);
  project.provide('kubeSkip', kubeSkip);
  project.provide(
    'kubeconfigs',
    servers.map((s) => s.kubeconfig),
  );
}

export async function teardown(): Promise<void> {
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
}

declare module 'vitest' {
  export interface ProvidedContext {
    image: string;
    dockerSkip: string;
    /** Path of kustomize at the conformance version, or '' when it is missing. */
    kustomize: string;
    kubeSkip: string;
    /** One admin kubeconfig per API server: the single overlay's, then the ha overlay's. */
    kubeconfigs: string[];
  }
}
