import { afterEach, describe, expect, inject, it } from 'vitest';
import { ProviderError } from '../../../src/errors/index.js';
import { readDockerLogs } from '../../../src/providers/docker/logs.js';
import { eventually, freePortBlock } from '../../support/sluice.js';
import { applyOptions, docker, harness, HTTP_HEALTHCHECK, IMAGE_2, service } from './helpers.js';

const skip = inject('dockerSkip');

const FAILING_CHECK = { ...HTTP_HEALTHCHECK, test: ['CMD', '/bin/busybox', 'false'], retries: 2 };

describe.skipIf(!!skip)('docker provider: health-gated replacement', () => {
  let h: ReturnType<typeof harness>;
  afterEach(async () => h?.cleanup());

  it('starts the new container beside the old one and removes the old only once the new is healthy', async () => {
    h = harness();
    await h.provider.apply(h.scope, [service('web', { healthcheck: HTTP_HEALTHCHECK })], applyOptions());
    const old = h.containers().get(`${h.project}-web-1`)!;
    const since = docker('system', 'info', '--format', '{{.SystemTime}}');
    await h.provider.apply(
      h.scope,
      [service('web', { image: IMAGE_2, healthcheck: HTTP_HEALTHCHECK })],
      applyOptions(),
    );
    const now = h.containers();
    expect([...now.keys()]).toEqual([`${h.project}-web-1`]);
    const fresh = now.get(`${h.project}-web-1`)!;
    expect(fresh).not.toBe(old);
    expect(docker('inspect', '--format', '{{.State.Health.Status}}', `${h.project}-web-1`)).toBe('healthy');
    // The Engine's own record of the roll: the new container was healthy before the old one stopped.
    const until = docker('system', 'info', '--format', '{{.SystemTime}}');
    const events = docker(
      'events',
      '--since',
      since,
      '--until',
      until,
      '--filter',
      `label=com.docker.compose.project=${h.project}`,
      '--format',
      '{{.ID}} {{.Action}}',
    )
      .split('\n')
      .map((l) => l.split(' ').slice(0, 2).join(' '))
      .map((l) => l.replace(/^(\w{12})\w*/, '$1'));
    const healthy = events.indexOf(`${fresh} health_status:`);
    const oldDies = events.indexOf(`${old} die`);
    expect(healthy).toBeGreaterThanOrEqual(0);
    expect(oldDies).toBeGreaterThan(healthy);
  });

  it('removes an unhealthy new container and keeps the old one serving', async () => {
    h = harness();
    await h.provider.apply(h.scope, [service('web', { healthcheck: HTTP_HEALTHCHECK })], applyOptions());
    const before = h.containers();
    const err = await h.provider
      .apply(h.scope, [service('web', { image: IMAGE_2, healthcheck: FAILING_CHECK })], applyOptions())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe('DOCKER_NOT_READY');
    expect((err as ProviderError).message).toContain('keeps running the previous version');
    expect(h.containers()).toEqual(before);
    expect(docker('inspect', '--format', '{{.State.Running}}', `${h.project}-web-1`)).toBe('true');
  });

  it('on a published port, keeps the old container serving when the new one fails', async () => {
    h = harness();
    const port = await freePortBlock(1);
    const ports = [{ target: 8080, published: String(port), protocol: 'tcp' as const }];
    await h.provider.apply(h.scope, [service('web', { ports, healthcheck: HTTP_HEALTHCHECK })], applyOptions());
    const before = h.containers();
    const err = await h.provider
      .apply(h.scope, [service('web', { ports, image: IMAGE_2, healthcheck: FAILING_CHECK })], applyOptions())
      .catch((e: unknown) => e);
    expect((err as ProviderError).code).toBe('DOCKER_NOT_READY');
    expect(h.containers()).toEqual(before);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok\n');
  });

  it('gates on the x-sluice HTTP check when the image has no healthcheck', async () => {
    // Short of time the check gives up: the 404 it last saw is the reason.
    h = harness({ readyTimeoutMs: 15_000 });
    await h.provider.apply(
      h.scope,
      [service('web', { 'x-sluice': { http: { path: '/', port: 8080 } } })],
      applyOptions(),
    );
    const before = h.containers();
    const err = await h.provider
      .apply(
        h.scope,
        [service('web', { image: IMAGE_2, 'x-sluice': { http: { path: '/missing', port: 8080 } } })],
        applyOptions(),
      )
      .catch((e: unknown) => e);
    expect((err as ProviderError).code).toBe('DOCKER_NOT_READY');
    expect((err as ProviderError).message).toContain('404');
    expect(h.containers()).toEqual(before);
  });

  it('runs a one-off migration to completion before the service that depends on it', async () => {
    h = harness();
    await h.provider.apply(
      h.scope,
      [
        service('app', { depends_on: { migrate: { condition: 'service_completed_successfully', required: true } } }),
        service('migrate', { command: ['/bin/busybox', 'sh', '-c', 'echo migrated'] }),
      ],
      applyOptions(),
    );
    const finished = Date.parse(docker('inspect', '--format', '{{.State.FinishedAt}}', `${h.project}-migrate-1`));
    const started = Date.parse(docker('inspect', '--format', '{{.State.StartedAt}}', `${h.project}-app-1`));
    expect(docker('inspect', '--format', '{{.State.ExitCode}}', `${h.project}-migrate-1`)).toBe('0');
    expect(started).toBeGreaterThanOrEqual(finished);
    // A finished migration is done, not down: the next pass neither reruns it nor calls it unhealthy.
    const plan = await h.provider.plan(
      h.scope,
      [service('migrate', { command: ['/bin/busybox', 'sh', '-c', 'echo migrated'] })],
      { prune: false },
    );
    expect(plan.summary.update).toBe(0);
    const health = await h.provider.health(h.scope);
    expect(health.find((x) => x.name === 'migrate')?.status).toBe('Healthy');
  });

  it('starts nothing that depends on a migration that failed', async () => {
    h = harness();
    const err = await h.provider
      .apply(
        h.scope,
        [
          service('app', { depends_on: { migrate: { condition: 'service_completed_successfully', required: true } } }),
          service('migrate', { command: ['/bin/busybox', 'sh', '-c', 'exit 3'] }),
        ],
        applyOptions(),
      )
      .catch((e: unknown) => e);
    expect((err as ProviderError).message).toMatch(/migrate.*exited with code 3/);
    expect([...h.containers().keys()]).toEqual([`${h.project}-migrate-1`]);
  });

  it('reads container logs for sluice logs', async () => {
    h = harness();
    await h.provider.apply(
      h.scope,
      [service('job', { command: ['/bin/busybox', 'sh', '-c', 'echo one; echo two; sleep 600'] })],
      applyOptions(),
    );
    const read = async () => {
      const lines = [];
      for await (const l of readDockerLogs(h.dataDir, h.scope, { tail: 10 })) lines.push(l);
      return lines;
    };
    const lines = await eventually(async () => {
      const l = await read();
      return l.length >= 2 ? l : undefined;
    });
    expect(lines).toEqual([
      { stream: `${h.project}-job-1`, text: 'one' },
      { stream: `${h.project}-job-1`, text: 'two' },
    ]);
  });
});
