import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../errors/index.js';
import type { Provider } from '../types.js';
import { createProcessProvider } from './index.js';
import { listLogFiles, readProcessLogs } from './logs.js';
import { isSameProcess, readProcStat } from './proc.js';
import { ProcessProvider } from './provider.js';
import {
  applyOptions,
  cleanupDataDir,
  freeBase,
  httpGet,
  processResource,
  quietLog,
  recordEvents,
  scope,
  serverProcess,
  SERVER,
  tempDataDir,
  waitFor,
} from './test-support/harness.js';

const open: { provider: Provider; dataDir: string }[] = [];

function newProvider(dataDir = tempDataDir(), options = {}): { provider: ProcessProvider; dataDir: string } {
  const provider = new ProcessProvider({ dataDir, log: quietLog }, options);
  open.push({ provider, dataDir });
  return { provider, dataDir };
}

afterEach(async () => {
  for (const { provider, dataDir } of open.splice(0)) {
    await provider.close({ stopWorkloads: true }).catch(() => {});
    cleanupDataDir(dataDir);
  }
});

async function healthy(provider: Provider): Promise<void> {
  await waitFor('Healthy', async () => (await provider.health(scope)).every((h) => h.status === 'Healthy'));
}

describe('process provider: run, scale, restart, stop', () => {
  it('accepts only sluice.dev/v1alpha1 Process', () => {
    const provider = createProcessProvider({ dataDir: '/nonexistent', log: quietLog });
    expect(provider.kind).toBe('process');
    expect(provider.accepts(processResource('a', {}))).toBe(true);
    expect(provider.accepts({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a' } })).toBe(false);
  });

  it('starts N healthy replicas on consecutive ports, then scales up and down', async () => {
    const { provider } = newProvider();
    await provider.start();
    const base = await freeBase(3);
    const plan = await provider.apply(scope, [serverProcess('web', base, { replicas: 2 })], applyOptions);
    expect(plan.changes[0]).toMatchObject({ action: 'create' });
    await healthy(provider);
    const bodies = await Promise.all([httpGet(base), httpGet(base + 1)]);
    expect(bodies.map((b) => JSON.parse(b.body).replica)).toEqual(['0', '1']);

    const live = await provider.live(scope);
    expect(live[0]!.object.spec).toMatchObject({ replicas: 2, port: base });
    expect(
      (await provider.plan(scope, [serverProcess('web', base, { replicas: 2 })], applyOptions)).changes[0]!.action,
    ).toBe('unchanged');

    const up = await provider.apply(scope, [serverProcess('web', base, { replicas: 3 })], applyOptions);
    expect(up.changes[0]!.reason).toBe('replicas 2 → 3');
    await healthy(provider);
    expect(JSON.parse((await httpGet(base + 2)).body).replica).toBe('2');

    const pid0 = JSON.parse((await httpGet(base)).body).pid;
    await provider.apply(scope, [serverProcess('web', base, { replicas: 1 })], applyOptions);
    await expect(httpGet(base + 2)).rejects.toThrow();
    await expect(httpGet(base + 1)).rejects.toThrow();
    expect(JSON.parse((await httpGet(base)).body).pid).toBe(pid0);
    expect(await provider.scopes()).toEqual([scope]);
  });

  it('restarts a replica killed with SIGKILL within one health interval and says so', async () => {
    const { provider } = newProvider();
    const events = recordEvents(provider);
    await provider.start();
    const base = await freeBase(1);
    await provider.apply(scope, [serverProcess('web', base)], applyOptions);
    await healthy(provider);
    const pid = JSON.parse((await httpGet(base)).body).pid as number;
    process.kill(pid, 'SIGKILL');
    const exited = await waitFor('exited event', () => events.find((e) => e.type === 'exited'));
    expect(exited.message).toBe(`replica web-0 (pid ${pid}) was killed by SIGKILL`);
    expect(exited.key).toBe('Process.sluice.dev/web');
    await waitFor('restarted event', () => events.find((e) => e.type === 'restarted'), 2000);
    await healthy(provider);
    expect(JSON.parse((await httpGet(base)).body).pid).not.toBe(pid);
  });

  it('backs off a crash-looping replica and reports it Degraded', async () => {
    const { provider } = newProvider();
    const events = recordEvents(provider);
    await provider.start();
    await provider.apply(
      scope,
      [processResource('crashy', { command: process.execPath, args: ['-e', 'process.exit(1)'] })],
      applyOptions,
    );
    const health = await waitFor('Degraded', async () =>
      (await provider.health(scope)).find((h) => h.status === 'Degraded'),
    );
    expect(health.message).toContain('replica crashy-0 crash-looping');
    // The first restart is immediate; the next ones wait.
    const restarts = events.filter((e) => e.type === 'restarted').map((e) => e.message);
    expect(restarts[0]).toMatch(/^replica crashy-0 restarted as pid \d+ \(restart 1\)$/);
    await waitFor('second restart', () => events.filter((e) => e.type === 'restarted').length >= 2, 5000);
    expect(events.filter((e) => e.type === 'restarted')[1]!.message).toContain('after 1s');
  });

  it('reports a replica that stops passing its health check', async () => {
    const { provider } = newProvider();
    const events = recordEvents(provider);
    await provider.start();
    const base = await freeBase(1);
    await provider.apply(scope, [serverProcess('web', base, {}, { FAIL_HEALTH_AFTER_MS: '600' })], applyOptions);
    await waitFor('healthy event', () => events.find((e) => e.type === 'healthy'));
    const unhealthy = await waitFor('unhealthy event', () => events.find((e) => e.type === 'unhealthy'));
    expect(unhealthy.message).toMatch(/^replica web-0 \(pid \d+\) failed its health check 3 times: HTTP 503/);
    expect((await provider.health(scope))[0]).toMatchObject({ status: 'Degraded' });
  });

  it('supports tcp and exec health checks', async () => {
    const { provider } = newProvider();
    await provider.start();
    const base = await freeBase(1);
    const tcp = serverProcess('tcp', base, { healthCheck: { tcp: {}, intervalSeconds: 0.2 } });
    const exec = processResource('exec', {
      command: process.execPath,
      args: [SERVER],
      healthCheck: {
        exec: { command: [process.execPath, '-e', 'process.exit(process.env.SLUICE_APP === "hello" ? 0 : 1)'] },
        intervalSeconds: 0.2,
      },
    });
    await provider.apply(scope, [tcp, exec], applyOptions);
    await healthy(provider);
  });

  it('keeps a replica with restartPolicy Never down and reports drift', async () => {
    const { provider } = newProvider();
    const events = recordEvents(provider);
    await provider.start();
    await provider.apply(
      scope,
      [processResource('job', { command: process.execPath, args: ['-e', 'process.exit(3)'], restartPolicy: 'Never' })],
      applyOptions,
    );
    const drift = await waitFor('drift event', () => events.find((e) => e.type === 'drift'));
    expect(drift.message).toContain('exited with code 3');
    const health = await provider.health(scope);
    expect(health[0]!.status).toBe('Missing');
    const plan = await provider.plan(
      scope,
      [processResource('job', { command: process.execPath, args: ['-e', 'process.exit(3)'], restartPolicy: 'Never' })],
      applyOptions,
    );
    expect(plan.changes[0]!.reason).toBe('replica job-0 not running');
  });

  it('stops gracefully with SIGTERM, and with SIGKILL after the grace period', async () => {
    const { provider, dataDir } = newProvider();
    await provider.start();
    const polite = processResource('polite', {
      command: process.execPath,
      args: [SERVER],
      terminationGracePeriodSeconds: 5,
    });
    const stubborn = processResource('stubborn', {
      command: process.execPath,
      args: [SERVER],
      env: { IGNORE_TERM: '1', SPAWN_CHILD: '1' },
      terminationGracePeriodSeconds: 1,
    });
    await provider.apply(scope, [polite, stubborn], applyOptions);
    await healthy(provider);
    const pids = (await provider.live(scope)).map(
      (l) => (l.object.status as { replicas: { pid: number }[] }).replicas[0]!.pid,
    );
    const starts = pids.map((p) => readProcStat(p)!.startTime);

    const t0 = Date.now();
    await provider.close({ stopWorkloads: true });
    const took = Date.now() - t0;
    expect(pids.every((p, i) => !isSameProcess(p, starts[i]!))).toBe(true);
    // The stubborn one needed the whole grace period; it cannot have taken less.
    expect(took).toBeGreaterThanOrEqual(1000);
    const logs = (name: string) => readFileSync(join(dataDir, `process/logs/shop/dev/hello/${name}-0.log`), 'utf8');
    expect(logs('polite')).toContain('got SIGTERM, exiting');
    expect(logs('stubborn')).toContain('ignoring SIGTERM');
    // The whole process group went, including what the replica started itself.
    const grandchild = Number(/child pid (\d+)/.exec(logs('stubborn'))![1]);
    await waitFor(
      'grandchild gone',
      () => readProcStat(grandchild) === undefined || readProcStat(grandchild)!.state === 'Z',
      2000,
    );
  });

  it('destroy removes every replica, its state and its logs', async () => {
    const { provider, dataDir } = newProvider();
    await provider.start();
    await provider.apply(
      scope,
      [processResource('idle', { command: process.execPath, args: [SERVER], replicas: 2 })],
      applyOptions,
    );
    await healthy(provider);
    const pids = (await provider.live(scope)).flatMap((l) =>
      (l.object.status as { replicas: { pid: number }[] }).replicas.map((r) => r.pid),
    );
    await provider.destroy(scope);
    expect(pids.every((p) => readProcStat(p) === undefined || readProcStat(p)!.state === 'Z')).toBe(true);
    expect(await provider.scopes()).toEqual([]);
    expect(existsSync(join(dataDir, 'process/state/shop/dev/hello'))).toBe(false);
    expect(existsSync(join(dataDir, 'process/logs/shop/dev/hello'))).toBe(false);
  });

  it('writes each replica log to its own file and rotates it by size', async () => {
    const { provider, dataDir } = newProvider(undefined, { logs: { maxBytes: 2000, keep: 2 } });
    await provider.start();
    await provider.apply(
      scope,
      [processResource('chatty', { command: process.execPath, args: [SERVER], env: { LOG_LINES: '50' } })],
      applyOptions,
    );
    await healthy(provider);
    const [file] = listLogFiles(dataDir, scope);
    expect(file!.path).toBe(join(dataDir, 'process/logs/shop/dev/hello/chatty-0.log'));
    const text = readFileSync(file!.path, 'utf8');
    expect(text).toContain('--- sluice: starting chatty-0');
    expect(text).toContain('filler line 49');

    const lines: string[] = [];
    for await (const l of readProcessLogs(dataDir, scope, { process: 'chatty', tail: 2 })) lines.push(l.text);
    expect(lines).toEqual([expect.stringContaining('filler line 49'), 'running without a port']);

    provider.rotateLogs();
    expect(readFileSync(`${file!.path}.1`, 'utf8')).toContain('filler line 49');
    expect(readFileSync(file!.path, 'utf8')).toBe('');
    provider.rotateLogs();
    expect(existsSync(`${file!.path}.2`)).toBe(false);
  });

  it('verifies the artifact and refuses to start on a sha256 mismatch', async () => {
    const { provider, dataDir } = newProvider();
    await provider.start();
    const file = join(dataDir, 'app.bin');
    writeFileSync(file, 'version 1\n');
    const good = createHash('sha256').update('version 1\n').digest('hex');
    const spec = (sha256: string) =>
      processResource('art', {
        command: process.execPath,
        args: ['-e', 'setInterval(() => {}, 1000)'],
        artifact: { path: file, sha256 },
      });

    await provider.apply(scope, [spec(good)], applyOptions);
    const cached = join(dataDir, 'process/artifacts/sha256', good, 'app.bin');
    expect(readFileSync(cached, 'utf8')).toBe('version 1\n');

    const bad = 'f'.repeat(64);
    const error = await provider.apply(scope, [spec(bad)], applyOptions).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).code).toBe('PROCESS_ARTIFACT_MISMATCH');
    expect((error as ProviderError).message).toContain(`has sha256 ${good}`);
    expect((error as ProviderError).location.resource).toBe('Process/art');
    // The running replica was not touched.
    const live = await provider.live(scope);
    expect((live[0]!.object.status as { replicas: { specHash: string; phase: string }[] }).replicas[0]!.phase).not.toBe(
      'stopped',
    );
  });

  it('refuses an unknown command before touching anything', async () => {
    const { provider } = newProvider();
    await provider.start();
    const error = await provider
      .apply(scope, [processResource('nope', { command: 'no-such-command-here' })], applyOptions)
      .catch((e: unknown) => e);
    expect((error as ProviderError).code).toBe('PROCESS_COMMAND_NOT_FOUND');
    expect(await provider.live(scope)).toEqual([]);
  });
});
