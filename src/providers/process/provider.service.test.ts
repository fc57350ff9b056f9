import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../errors/index.js';
import { ProcessProvider } from './provider.js';
import { parseProcess } from './spec.js';
import {
  applyOptions,
  cleanupDataDir,
  freeBase,
  httpGet,
  quietLog,
  scope,
  serverProcess,
  tempDataDir,
  waitFor,
} from './test-support/harness.js';

const open: { provider: ProcessProvider; dataDir: string }[] = [];

function newProvider(dataDir = tempDataDir()): ProcessProvider {
  const provider = new ProcessProvider({ dataDir, log: quietLog });
  open.push({ provider, dataDir });
  return provider;
}

afterEach(async () => {
  for (const { provider, dataDir } of open.splice(0)) {
    await provider.close({ stopWorkloads: true }).catch(() => {});
    cleanupDataDir(dataDir);
  }
});

const greeting = async (port: number) => (JSON.parse((await httpGet(port)).body) as { greeting: string }).greeting;
const healthy = (provider: ProcessProvider) =>
  waitFor('Healthy', async () => (await provider.health(scope))[0]!.status === 'Healthy');

describe('process provider: a service port', () => {
  it('answers on one port through a rolling update, without a failed request', async () => {
    const provider = newProvider();
    await provider.start();
    const base = await freeBase(3);
    const service = { port: base + 4, address: '127.0.0.1' };
    await provider.apply(scope, [serverProcess('web', base, { replicas: 2, service })], applyOptions);
    await healthy(provider);
    expect(await greeting(service.port)).toBe('hello');

    const answers: string[] = [];
    const failures: string[] = [];
    // Until the apply is done, then four requests more (both replicas, twice).
    let stopAt = Infinity;
    const poll = (async () => {
      while (answers.length + failures.length < stopAt) {
        await greeting(service.port).then(
          (g) => answers.push(g),
          (e: Error) => failures.push(e.message),
        );
      }
    })();
    await provider.apply(scope, [serverProcess('web', base, { replicas: 2, service }, { GREETING: 'bonjour' })], {
      ...applyOptions,
      revision: 'rev2',
    });
    const applied = answers.length + failures.length;
    stopAt = applied + 4;
    await poll;

    expect(failures).toEqual([]);
    expect(answers).toContain('hello');
    // The first of those may have been sent while the apply was finishing; the rest were not.
    expect(answers.slice(applied + 1)).toEqual(['bonjour', 'bonjour', 'bonjour']);
    // Both replicas moved to their other port; the service port stayed.
    const ports = (await provider.live(scope))[0]!.object.status as { replicas: { port: number }[] };
    expect(ports.replicas.map((r) => r.port).sort()).toEqual([base + 2, base + 3]);
  });

  it('spreads connections over the ready replicas', async () => {
    const provider = newProvider();
    await provider.start();
    const base = await freeBase(3);
    const service = { port: base + 5, address: '127.0.0.1' };
    await provider.apply(scope, [serverProcess('web', base, { replicas: 2, service })], applyOptions);
    await healthy(provider);
    const replicas = new Set<string>();
    for (let i = 0; i < 6; i++)
      replicas.add((JSON.parse((await httpGet(service.port)).body) as { replica: string }).replica);
    expect(replicas).toEqual(new Set(['0', '1']));
  });

  it('refuses an apply whose service port is taken, and changes no replica', async () => {
    const provider = newProvider();
    await provider.start();
    const base = await freeBase(3);
    await provider.apply(scope, [serverProcess('web', base)], applyOptions);
    await healthy(provider);
    const before = (await provider.live(scope))[0]!.object.status;
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(base + 4, '127.0.0.1', r));
    try {
      const err = await provider
        .apply(scope, [serverProcess('web', base, { service: { port: base + 4 } }, { GREETING: 'changed' })], {
          ...applyOptions,
          revision: 'rev2',
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).code).toBe('PROCESS_SERVICE_PORT_BUSY');
      expect((err as ProviderError).hint).toContain('spec.service.port');
      expect((await provider.live(scope))[0]!.object.status).toEqual(before);
    } finally {
      squatter.close();
    }
  });

  it('reports a first apply whose service port is taken as Degraded, naming the port', async () => {
    const provider = newProvider();
    await provider.start();
    const base = await freeBase(2);
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(base + 3, '127.0.0.1', r));
    try {
      const err = await provider
        .apply(scope, [serverProcess('web', base, { service: { port: base + 3 } })], applyOptions)
        .catch((e: unknown) => e);
      expect((err as ProviderError).code).toBe('PROCESS_SERVICE_PORT_BUSY');
      // No replica was started: nothing about this Process is healthy.
      const [health] = await provider.health(scope);
      expect(health).toMatchObject({ status: 'Degraded' });
      expect(health!.message).toContain(`port ${base + 3}`);
      expect(health!.message).toContain('taken');
    } finally {
      await new Promise((r) => squatter.close(r));
    }
    // Once the port is free, the next apply takes it and the failure is forgotten.
    await provider.apply(scope, [serverProcess('web', base, { service: { port: base + 3 } })], applyOptions);
    await healthy(provider);
    expect(await greeting(base + 3)).toBe('hello');
  });

  it('reports a refused service port as Degraded while the previous replicas keep serving', async () => {
    const provider = newProvider();
    await provider.start();
    const base = await freeBase(3);
    await provider.apply(scope, [serverProcess('web', base)], applyOptions);
    await healthy(provider);
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(base + 4, '127.0.0.1', r));
    try {
      await provider
        .apply(scope, [serverProcess('web', base, { service: { port: base + 4 } })], {
          ...applyOptions,
          revision: 'rev2',
        })
        .catch(() => {});
      const [health] = await provider.health(scope);
      expect(health).toMatchObject({ status: 'Degraded' });
      expect(health!.message).toContain(`port ${base + 4}`);
      expect(health!.message).toContain('1/1 replicas ready');
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });

  it('moves the service to another port without a restart, and keeps the old one if the new one is taken', async () => {
    const provider = newProvider();
    await provider.start();
    const base = await freeBase(4);
    await provider.apply(scope, [serverProcess('web', base, { service: { port: base + 4 } })], applyOptions);
    await healthy(provider);
    const pid = ((await provider.live(scope))[0]!.object.status as { replicas: { pid: number }[] }).replicas[0]!.pid;
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(base + 5, '127.0.0.1', r));
    try {
      const err = await provider
        .apply(scope, [serverProcess('web', base, { service: { port: base + 5 } })], applyOptions)
        .catch((e: unknown) => e);
      expect((err as ProviderError).code).toBe('PROCESS_SERVICE_PORT_BUSY');
      expect(await greeting(base + 4)).toBe('hello');
    } finally {
      await new Promise((r) => squatter.close(r));
    }
    await provider.apply(scope, [serverProcess('web', base, { service: { port: base + 6 } })], applyOptions);
    expect(await greeting(base + 6)).toBe('hello');
    await expect(httpGet(base + 4)).rejects.toThrow();
    expect(((await provider.live(scope))[0]!.object.status as { replicas: { pid: number }[] }).replicas[0]!.pid).toBe(
      pid,
    );
  });

  it('is listened on again by the next Sluice that adopts the replicas', async () => {
    const dataDir = tempDataDir();
    const first = newProvider(dataDir);
    await first.start();
    const base = await freeBase(2);
    const service = { port: base + 3, address: '127.0.0.1' };
    await first.apply(scope, [serverProcess('web', base, { service })], applyOptions);
    await healthy(first);
    await first.close(); // leaves the replica running; the service port goes with this Sluice
    await expect(httpGet(service.port)).rejects.toThrow();

    const second = newProvider(dataDir);
    await second.start();
    await healthy(second);
    expect(await greeting(service.port)).toBe('hello');
  });

  it('says what is wrong with a service port among the replica ports, or without replica ports', () => {
    const spec = (s: Record<string, unknown>) => ({
      apiVersion: 'sluice.dev/v1alpha1',
      kind: 'Process',
      metadata: { name: 'web' },
      spec: { command: 'x', ...s },
    });
    expect(() => parseProcess(spec({ port: 8000, replicas: 2, service: { port: 8002 } }))).toThrow(
      /spec.service.port must lie outside the replica ports 8000-8003/,
    );
    expect(() => parseProcess(spec({ service: { port: 8080 } }))).toThrow(/spec.port is required with spec.service/);
    expect(parseProcess(spec({ port: 8001, replicas: 2, service: { port: 8000 } })).spec.service).toEqual({
      port: 8000,
      address: '127.0.0.1',
    });
  });
});
