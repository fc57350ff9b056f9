import { afterEach, describe, expect, inject, it } from 'vitest';
import { freePortBlock } from '../../support/sluice.js';
import { applyOptions, docker, harness, HTTP_HEALTHCHECK, service } from './helpers.js';

/**
 * A service publishing a fixed host port is rolled without a failed request: Sluice holds the
 * port and moves new connections to the new container once it is healthy.
 */
const skip = inject('dockerSkip');

/** A version of the service whose page says which version it is. */
function web(port: number, version: string) {
  return service('web', {
    command: ['/bin/sh', '-c', `mkdir -p /v && echo ${version} > /v/index.html && exec httpd -f -p 8080 -h /v`],
    ports: [{ target: 8080, published: String(port), protocol: 'tcp' }],
    healthcheck: HTTP_HEALTHCHECK,
  });
}

/** Requests the port one after another until stopped, counting answers by body and failures. */
function load(port: number) {
  const seen = new Map<string, number>();
  let failed = 0;
  let stop = false;
  const errors: string[] = [];
  const running = (async () => {
    while (!stop) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(10_000) });
        const body = (await r.text()).trim();
        if (!r.ok) throw new Error(`status ${r.status}`);
        seen.set(body, (seen.get(body) ?? 0) + 1);
      } catch (e) {
        failed++;
        errors.push((e as Error).message);
      }
    }
  })();
  return {
    seen,
    errors,
    failed: () => failed,
    total: () => [...seen.values()].reduce((a, b) => a + b, 0) + failed,
    async stop() {
      stop = true;
      await running;
    },
  };
}

describe.skipIf(!!skip)('docker provider: a published port through a roll', () => {
  let h: ReturnType<typeof harness>;
  afterEach(async () => h?.cleanup());

  it('answers every request while the service is replaced, and the new version answers after', async () => {
    h = harness();
    const port = await freePortBlock(1);
    await h.provider.apply(h.scope, [web(port, 'v1')], applyOptions());
    const traffic = load(port);
    try {
      // Traffic is flowing before the roll starts.
      while (traffic.total() < 5) await new Promise((r) => setImmediate(r));
      const before = traffic.total();
      await h.provider.apply(h.scope, [web(port, 'v2')], applyOptions({ revision: 'r2' }));
      const during = traffic.total() - before;
      const atEnd = traffic.total();
      while (traffic.total() < atEnd + 5) await new Promise((r) => setImmediate(r));
      await traffic.stop();
      expect(traffic.errors).toEqual([]);
      expect(traffic.failed()).toBe(0);
      expect(during).toBeGreaterThan(0);
      expect(traffic.seen.get('v1')).toBeGreaterThan(0);
      expect(traffic.seen.get('v2')).toBeGreaterThan(0);
    } finally {
      await traffic.stop();
    }
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('v2\n');
    expect([...h.containers().keys()]).toEqual([`${h.project}-web-1`]);
    // The container publishes on an ephemeral loopback port; the fixed one is Sluice's.
    const bound = docker('port', `${h.project}-web-1`, '8080/tcp');
    expect(bound).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(bound).not.toBe(`127.0.0.1:${port}`);
  });

  it('holds the port again after Sluice restarts, without recreating the container', async () => {
    h = harness();
    const port = await freePortBlock(1);
    await h.provider.apply(h.scope, [web(port, 'v1')], applyOptions());
    const ids = h.containers();
    await h.provider.close();
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    const again = h.open();
    await again.start();
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('v1\n');
    const plan = await again.apply(h.scope, [web(port, 'v1')], applyOptions());
    expect(plan.summary.update).toBe(0);
    expect(h.containers()).toEqual(ids);
  });
});
