import { afterEach, describe, expect, inject, it } from 'vitest';
import { freePortBlock } from '../../support/sluice.js';
import { applyOptions, docker, harness, HTTP_HEALTHCHECK, IMAGE, service } from './helpers.js';

/**
 * What the dashboard's containers view shows, read from the real Engine: each container with
 * its service, state, health, ports as people reach them, image and restarts.
 */
const skip = inject('dockerSkip');

const httpd = ['/bin/sh', '-c', 'mkdir -p /w && echo ok > /w/index.html && exec httpd -f -p 8080 -h /w'];

describe.skipIf(!!skip)('docker provider: the containers of a scope', () => {
  let h: ReturnType<typeof harness>;
  afterEach(async () => h?.cleanup());

  it('lists each container with state, health, ports, image and restarts', async () => {
    h = harness();
    const port = await freePortBlock(1);
    await h.provider.apply(
      h.scope,
      [
        service('web', {
          command: httpd,
          ports: [{ target: 8080, published: String(port), protocol: 'tcp' }],
          healthcheck: HTTP_HEALTHCHECK,
        }),
        // No host port asked for: the Engine picks one.
        service('worker', { command: httpd, ports: [{ target: 8080, protocol: 'tcp' }], restart: 'always' }),
      ],
      applyOptions(),
    );
    const list = await h.provider.workloads!(h.scope);
    expect(list.map((w) => [w.name, w.service, w.state])).toEqual([
      [`${h.project}-web-1`, 'web', 'running'],
      [`${h.project}-worker-1`, 'worker', 'running'],
    ]);
    const [web, worker] = list;
    // The fixed port is the one Sluice holds, not the passing one the Engine bound for it.
    expect(web!.ports).toEqual([{ published: port, target: 8080, protocol: 'tcp' }]);
    expect(web!.health).toBe('healthy');
    expect(web!.image).toBe(IMAGE);
    expect(web!.digest).toBe(docker('image', 'inspect', '-f', '{{.Id}}', IMAGE));
    expect(web!.restarts).toBe(0);
    // One port for both address families, or one each when the Engine could not give the same
    // port to both: every one it bound is listed, once.
    const picked = [
      ...new Set(
        docker('port', `${h.project}-worker-1`, '8080/tcp')
          .split('\n')
          .filter(Boolean)
          .map((line) => Number(line.split(':').pop())),
      ),
    ].sort((a, b) => a - b);
    expect(worker!.ports).toEqual(picked.map((published) => ({ published, target: 8080, protocol: 'tcp' })));
    expect(worker!.health).toBeUndefined();

    // The worker's process dies under it; its restart policy brings it back, and that counts.
    const pid = docker('inspect', '-f', '{{.State.Pid}}', `${h.project}-worker-1`);
    process.kill(Number(pid), 'SIGKILL');
    let after = await h.provider.workloads!(h.scope);
    while (after.find((w) => w.service === 'worker')!.restarts === 0) {
      await new Promise((r) => setTimeout(r, 100));
      after = await h.provider.workloads!(h.scope);
    }
    expect(after.find((w) => w.service === 'worker')!.restarts).toBe(1);
  });

  it('lists nothing for a scope that never ran here', async () => {
    h = harness();
    expect(await h.provider.workloads!(h.scope)).toEqual([]);
  });
});
