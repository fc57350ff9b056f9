import { chownSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ProjectStatus } from '../../../src/reconcile/status.js';
import { eventually, getJson, git } from '../../support/sluice.js';
import { docker, dockerStatus } from './docker.js';

/**
 * The image as a cluster runs it: read-only root filesystem, a non-root user given on the
 * command line, the data directory on a volume and /tmp on a tmpfs. Sluice must create its
 * first token, start on 0.0.0.0 with it, answer /healthz, and fetch its config repo with the
 * git inside the image.
 */

const skip = inject('dockerSkip');
const image = inject('image');
const tag = `sluice-image-${process.pid}`;
const UID = '10001';
let work: string;

function owned(path: string): void {
  // The container runs as UID, not as the user who made these files.
  chownSync(path, Number(UID), Number(UID));
  if (statSync(path).isDirectory()) for (const f of readdirSync(path)) owned(join(path, f));
}

const run = (...args: string[]) =>
  docker(
    'run',
    '--read-only',
    '--user',
    `${UID}:${UID}`,
    '--tmpfs',
    '/tmp',
    '-v',
    `${tag}:/var/lib/sluice`,
    '-v',
    `${join(work, 'origin.git')}:/config.git:ro`,
    ...args,
  );

beforeAll(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'sluice-image-'));
  const clone = join(work, 'clone');
  git(work, 'init', '-q', '-b', 'main', clone);
  writeFileSync(
    join(clone, 'sluice.yaml'),
    [
      'apiVersion: sluice.dev/v1alpha1',
      'kind: Project',
      'metadata: { name: boxed }',
      'spec:',
      '  targets:',
      '    local: { provider: process }',
      '  environments:',
      '    - { name: dev, target: local, sync: manual }',
      '  apps: []',
      '',
    ].join('\n'),
  );
  git(clone, 'add', '-A');
  git(clone, 'commit', '-qm', 'an empty project');
  git(work, 'clone', '-q', '--bare', clone, join(work, 'origin.git'));
  owned(join(work, 'origin.git'));
  await docker('volume', 'create', tag);
});

afterAll(async () => {
  if (skip) return;
  await dockerStatus('rm', '-f', tag);
  await dockerStatus('volume', 'rm', '-f', tag);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(skip)('the Sluice image', () => {
  it('runs as a user other than root by default', async () => {
    expect((await docker('run', '--rm', '--read-only', '--entrypoint', 'id', image, '-u')).trim()).not.toBe('0');
    const config = JSON.parse(await docker('image', 'inspect', '--format', '{{json .Config}}', image)) as {
      User: string;
      Entrypoint: string[];
      Cmd: string[];
    };
    expect(config.User).toBe(`${UID}:${UID}`);
    expect([...config.Entrypoint, ...config.Cmd].join(' ')).toBe('/usr/local/bin/sluice serve');
  });

  it('serves read-only as non-root: token first, then /healthz and the project fetched with its own git', async () => {
    const created = await run('--rm', image, 'token', 'create', '--name', 'admin', '--role', 'admin', '--env', '*');
    const token = created.trim().split('\n').pop()!.trim();
    expect(token.length).toBeGreaterThan(20);

    await run(
      '-d',
      '--name',
      tag,
      '-p',
      '127.0.0.1::7400',
      image,
      'serve',
      '--repo',
      'file:///config.git',
      '--poll',
      '1',
    );
    const published = (await docker('port', tag, '7400/tcp')).trim().split('\n')[0]!;
    const base = `http://${published}`;
    const health = await eventually(
      async () => {
        const state = (await docker('inspect', '--format', '{{.State.Status}}', tag)).trim();
        if (state !== 'running') throw new Error(`container ${state}: ${await docker('logs', tag)}`);
        const r = await fetch(`${base}/healthz`).catch(() => undefined);
        return r?.ok ? ((await r.json()) as unknown) : undefined;
      },
      120_000,
      '/healthz from the container',
    );
    expect(health).toEqual({ ok: true });
    const status = await eventually(async () => {
      const s = await getJson<ProjectStatus>(`${base}/api/v1/status`, token);
      return s.project === 'boxed' ? s : undefined;
    });
    expect(status.project).toBe('boxed');

    expect((await docker('exec', tag, 'id', '-u')).trim()).toBe(UID);
    // As the host sees it: the host has no name for the user, so ps shows the number.
    const top = await docker('top', tag);
    expect(top).toMatch(new RegExp(`^${UID}\\s.*node .*sluice\\.js serve`, 'm'));
    // The root filesystem refuses writes; the data directory and /tmp take them.
    const rootWrite = await dockerStatus('exec', tag, 'sh', '-c', 'echo x > /opt/sluice/probe');
    expect(rootWrite.code).not.toBe(0);
    expect(rootWrite.out).toMatch(/Read-only file system/);
    await docker('exec', tag, 'sh', '-c', 'echo x > /tmp/probe && echo x > /var/lib/sluice/probe');
  });
});
