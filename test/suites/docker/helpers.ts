import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Resource } from '../../../src/model/resource.js';
import { DockerProvider, type DockerProviderOptions } from '../../../src/providers/docker/provider.js';
import { composeProjectName } from '../../../src/providers/docker/labels.js';
import type { ComposeServiceSpec } from '../../../src/model/compose.js';
import type { ApplyOptions, ProviderLog, Scope } from '../../../src/providers/types.js';

export const IMAGE = 'sluice-test/busybox:1';
export const IMAGE_2 = 'sluice-test/busybox:2';
/** A check busybox answers once httpd serves. */
export const HTTP_HEALTHCHECK = {
  test: ['CMD', '/bin/busybox', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/'],
  interval: '1s',
  timeout: '2s',
  retries: 30,
};

export const quiet: ProviderLog = { info() {}, warn() {}, error() {}, debug() {} };

export function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export function service(name: string, spec: Partial<ComposeServiceSpec>): Resource {
  return {
    apiVersion: 'compose.sluice.dev/v1',
    kind: 'Service',
    metadata: { name },
    spec: { image: IMAGE, ...spec },
  };
}

export function volume(name: string): Resource {
  return { apiVersion: 'compose.sluice.dev/v1', kind: 'Volume', metadata: { name }, spec: {} };
}

export function applyOptions(extra: Partial<ApplyOptions> = {}): ApplyOptions {
  return { prune: true, revision: 'r1', reason: 'test', ...extra };
}

/** A provider on the local Engine and a scope of its own, removed again by `cleanup`. */
export function harness(options: Partial<DockerProviderOptions> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-docker-'));
  const scope: Scope = { project: 'suite', app: `a${Math.random().toString(36).slice(2, 8)}`, env: 'dev' };
  const project = composeProjectName(scope);
  const opened: DockerProvider[] = [];
  const open = (more: Partial<DockerProviderOptions> = {}) => {
    const p = new DockerProvider(
      { dataDir, log: quiet },
      {
        host: 'unix:///var/run/docker.sock',
        pruneVolumes: false,
        readyTimeoutMs: 60_000,
        pollMs: 100,
        ...options,
        ...more,
      },
    );
    opened.push(p);
    return p;
  };
  const provider = open();
  return {
    dataDir,
    scope,
    project,
    provider,
    /** Another provider on the same data directory: Sluice restarted, or a target with other options. */
    open,
    /** Ids of the project's containers (all states), by name. */
    containers(): Map<string, string> {
      const out = docker(
        'ps',
        '-a',
        '--filter',
        `label=com.docker.compose.project=${project}`,
        '--format',
        '{{.Names}} {{.ID}}',
      );
      return new Map(out ? out.split('\n').map((l) => l.split(' ') as [string, string]) : []);
    },
    async cleanup(): Promise<void> {
      for (const p of opened) await p.close();
      const ids = docker('ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`);
      if (ids) docker('rm', '-f', ...ids.split('\n'));
      const nets = docker('network', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`);
      if (nets) docker('network', 'rm', ...nets.split('\n'));
      const vols = docker('volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`);
      if (vols) docker('volume', 'rm', ...vols.split('\n'));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
