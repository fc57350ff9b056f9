import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { LiveWorkload } from '../../../src/providers/types.js';
import type { ProjectStatus } from '../../../src/reconcile/status.js';
import type { EventRecord } from '../../../src/store/types.js';
import {
  eventually,
  freePortBlock,
  adminToken,
  getJson,
  git,
  runSluice,
  spawnSluice,
  type SluiceProcess,
} from '../../support/sluice.js';
import { docker, IMAGE, IMAGE_2 } from './helpers.js';

/**
 * The whole loop on a Docker host: `sluice serve` syncs Compose services from a config repo,
 * rolls a committed image change, and heals a container stopped by hand (selfHeal), naming why.
 */
const skip = inject('dockerSkip');

const app = `w${Math.random().toString(36).slice(2, 7)}`;
const project = `${app}-dev`;
let work: string;
let origin: string;
let port: number;
let serve: SluiceProcess;
const status = () => getJson<ProjectStatus>(`http://127.0.0.1:${port}/api/v1/status`, adminToken(join(work, 'data')));

function manifest(image: string): string {
  return [
    'apiVersion: compose.sluice.dev/v1',
    'kind: Service',
    'metadata: { name: web }',
    'spec:',
    `  image: ${image}`,
    '  healthcheck:',
    "    test: ['CMD', '/bin/busybox', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/']",
    '    interval: 1s',
    '    retries: 30',
    '',
  ].join('\n');
}

describe.skipIf(!!skip)('sluice serve on a docker target', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'sluice-docker-serve-'));
    port = await freePortBlock(1);
    origin = join(work, 'origin');
    mkdirSync(join(origin, `apps/${app}/overlays/dev`), { recursive: true });
    writeFileSync(
      join(origin, 'sluice.yaml'),
      [
        'apiVersion: sluice.dev/v1alpha1',
        'kind: Project',
        'metadata: { name: shop }',
        'spec:',
        '  targets:',
        '    host: { provider: docker }',
        '  environments:',
        '    - { name: dev, target: host, sync: auto, selfHeal: true, healthTimeout: 60s }',
        '  apps:',
        `    - { name: ${app}, path: apps/${app} }`,
        '',
      ].join('\n'),
    );
    writeFileSync(join(origin, `apps/${app}/overlays/dev/web.yaml`), manifest(IMAGE));
    git(work, 'init', '-q', '-b', 'main', origin);
    git(origin, 'add', '-A');
    git(origin, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'web on docker');
    serve = spawnSluice([
      '--data-dir',
      join(work, 'data'),
      'serve',
      '--repo',
      `file://${origin}`,
      '--port',
      String(port),
      '--poll',
      '1',
    ]);
    await serve.waitFor('dashboard', 60_000);
  }, 120_000);

  afterAll(async () => {
    serve?.child.kill('SIGINT');
    await serve?.exited;
    const ids = docker('ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`);
    if (ids) docker('rm', '-f', ...ids.split('\n'));
    const nets = docker('network', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`);
    if (nets) docker('network', 'rm', ...nets.split('\n'));
    rmSync(work, { recursive: true, force: true });
  });

  const synced = (what: string) =>
    eventually(
      async () => {
        const a = (await status()).apps.find((x) => x.app === app);
        return a?.sync === 'Synced' && a.health === 'Healthy' ? a : undefined;
      },
      90_000,
      what,
    );

  it('syncs the service as a Compose project and rolls a committed image change', async () => {
    await synced('first sync');
    const first = docker('inspect', '--format', '{{.Id}}', `${project}-web-1`);
    writeFileSync(join(origin, `apps/${app}/overlays/dev/web.yaml`), manifest(IMAGE_2));
    git(origin, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qam', 'web 2');
    await eventually(
      () => (docker('inspect', '--format', '{{.Config.Image}}', `${project}-web-1`) === IMAGE_2 ? true : undefined),
      90_000,
      'the new image',
    );
    await synced('second sync');
    expect(docker('inspect', '--format', '{{.Id}}', `${project}-web-1`)).not.toBe(first);
  }, 200_000);

  it('lists the containers over the API, as the dashboard reads them', async () => {
    await synced('synced');
    const { containers } = await getJson<{ containers: LiveWorkload[] }>(
      `http://127.0.0.1:${port}/api/v1/apps/${app}/envs/dev/containers`,
      adminToken(join(work, 'data')),
    );
    const image = docker('inspect', '--format', '{{.Config.Image}}', `${project}-web-1`);
    expect(containers).toEqual([
      {
        name: `${project}-web-1`,
        service: 'web',
        state: 'running',
        health: 'healthy',
        ports: [],
        image,
        digest: docker('image', 'inspect', '--format', '{{.Id}}', image),
        restarts: 0,
      },
    ]);
  });

  it('heals a container stopped by hand and names the cause', async () => {
    await synced('synced');
    docker('stop', '-t', '1', `${project}-web-1`);
    await eventually(
      () => (docker('inspect', '--format', '{{.State.Running}}', `${project}-web-1`) === 'true' ? true : undefined),
      90_000,
      'the container running again',
    );
    const events = await eventually(
      async () => {
        const r = await runSluice([
          '--data-dir',
          join(work, 'data'),
          '--server',
          `http://127.0.0.1:${port}`,
          'events',
          '--app',
          app,
          '-o',
          'json',
        ]);
        const list = JSON.parse(r.stdout) as EventRecord[];
        return list.some((e) => e.message.includes(`container ${project}-web-1 stopped outside Sluice`))
          ? list
          : undefined;
      },
      60_000,
      'the drift event',
    );
    expect(events.some((e) => e.type.startsWith('drift'))).toBe(true);
    await synced('healed');
  }, 200_000);
});
