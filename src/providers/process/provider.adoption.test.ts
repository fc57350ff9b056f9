import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Layout } from './layout.js';
import { findMarkedProcesses, isSameProcess, readProcStat } from './proc.js';
import { ProcessProvider } from './provider.js';
import type { ReplicaRecord } from './state-store.js';
import {
  applyOptions,
  cleanupDataDir,
  freeBase,
  httpGet,
  quietLog,
  recordEvents,
  scope,
  serverProcess,
  tempDataDir,
  waitFor,
} from './test-support/harness.js';

const dataDirs: string[] = [];
const providers: ProcessProvider[] = [];
const strays: number[] = [];

function newProvider(dataDir: string): ProcessProvider {
  const provider = new ProcessProvider({ dataDir, log: quietLog }, { tuning: { livenessPollMs: 100 } });
  providers.push(provider);
  return provider;
}

function newDataDir(): string {
  const d = tempDataDir();
  dataDirs.push(d);
  return d;
}

afterEach(async () => {
  for (const p of providers.splice(0)) await p.close({ stopWorkloads: true }).catch(() => {});
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const d of dataDirs.splice(0)) cleanupDataDir(d);
});

function livePids(live: Awaited<ReturnType<ProcessProvider['live']>>): number[] {
  return live.flatMap((l) => (l.object.status as { replicas: { pid: number }[] }).replicas.map((r) => r.pid)).sort();
}

function stateFiles(dataDir: string): string[] {
  const dir = join(dataDir, 'process/state/shop/dev/hello');
  return readdirSync(dir)
    .filter((f) => f !== 'applied.json' && f.endsWith('.json'))
    .map((f) => join(dir, f));
}

/** A process Sluice did not start (it stands in for an unrelated program). */
function stray(env: Record<string, string> = {}): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
    detached: true,
    stdio: 'ignore',
    env: { PATH: process.env.PATH, ...env },
  });
  child.unref();
  strays.push(child.pid!);
  return child.pid!;
}

async function ready(provider: ProcessProvider): Promise<void> {
  await waitFor('Healthy', async () => (await provider.health(scope)).every((h) => h.status === 'Healthy'));
}

describe('process provider: adoption after a restart of Sluice', () => {
  it('adopts the running replicas instead of starting duplicates, and supervises them', async () => {
    const dataDir = newDataDir();
    const a = newProvider(dataDir);
    await a.start();
    const base = await freeBase(2);
    await a.apply(scope, [serverProcess('web', base, { replicas: 2 })], applyOptions);
    await ready(a);
    const pids = livePids(await a.live(scope));
    await a.close();

    const b = newProvider(dataDir);
    const events = recordEvents(b);
    await b.start();
    expect(
      events
        .filter((e) => e.type === 'adopted')
        .map((e) => e.message)
        .sort(),
    ).toEqual(pids.map((p, i) => `replica web-${i} (pid ${p}) adopted`).sort());
    expect(livePids(await b.live(scope))).toEqual(pids);
    await ready(b);
    expect(
      findMarkedProcesses(new Layout(dataDir).owner)
        .map((m) => m.pid)
        .sort(),
    ).toEqual(pids);
    expect((await b.plan(scope, [serverProcess('web', base, { replicas: 2 })], applyOptions)).changes[0]!.action).toBe(
      'unchanged',
    );

    // An adopted replica is not our child: its death is noticed through /proc and it comes back.
    const victim = JSON.parse((await httpGet(base)).body).pid as number;
    process.kill(victim, 'SIGKILL');
    const exited = await waitFor('exited', () => events.find((e) => e.type === 'exited'));
    expect(exited.message).toContain(`replica web-0 (pid ${victim}) exited`);
    await waitFor('restarted', () => events.find((e) => e.type === 'restarted'), 3000);
    await ready(b);
    expect(JSON.parse((await httpGet(base)).body).pid).not.toBe(victim);
  });

  it('replicas outlive a Sluice killed with SIGKILL and are adopted by the next one', async () => {
    const dataDir = newDataDir();
    const base = await freeBase(2);
    const sluice = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('./test-support/run-provider.ts', import.meta.url)),
        dataDir,
        String(base),
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    strays.push(sluice.pid!);
    let out = '';
    sluice.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor('the other Sluice to apply', () => out.includes('ready'), 20_000);
    const before = await Promise.all([httpGet(base), httpGet(base + 1)]);
    sluice.kill('SIGKILL');
    await new Promise((r) => sluice.once('exit', r));

    // The replicas write to their log files directly, so they can still log (and so do not
    // die of a broken pipe) once Sluice's end is gone.
    for (const [i, port] of [base, base + 1].entries()) {
      expect((await httpGet(port, '/log?line=after-sluice-died')).status).toBe(200);
      expect(readFileSync(join(dataDir, `process/logs/shop/dev/hello/web-${i}.log`), 'utf8')).toContain(
        'after-sluice-died\n',
      );
    }
    const after = await Promise.all([httpGet(base), httpGet(base + 1)]);
    expect(after.map((r) => r.body)).toEqual(before.map((r) => r.body));

    const b = newProvider(dataDir);
    const events = recordEvents(b);
    await b.start();
    expect(events.filter((e) => e.type === 'adopted')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'replaced')).toEqual([]);
    expect(livePids(await b.live(scope))).toEqual(before.map((r) => JSON.parse(r.body).pid as number).sort());
  });

  it('stops an orphan that carries our owner mark but has no state file', async () => {
    const dataDir = newDataDir();
    const owner = new Layout(dataDir).owner;
    const orphan = stray({ SLUICE_OWNER: owner, SLUICE_REPLICA_ID: 'shop/dev/hello/web-0/deadbeef' });
    const unrelated = stray({ SLUICE_OWNER: 'someone-else' });
    await waitFor('orphan env visible', () => findMarkedProcesses(owner).length === 1);
    const started = readProcStat(orphan)!.startTime;

    const provider = newProvider(dataDir);
    const events = recordEvents(provider);
    await provider.start();
    await waitFor('orphan gone', () => !isSameProcess(orphan, started));
    expect(events.find((e) => e.type === 'replaced')?.message).toBe(
      `orphan web-0 (pid ${orphan}) had no state file; stopping it`,
    );
    expect(readProcStat(unrelated)).toBeDefined();
  });

  it('does not adopt a reused pid: same pid, different start time', async () => {
    const dataDir = newDataDir();
    const a = newProvider(dataDir);
    await a.start();
    const base = await freeBase(1);
    await a.apply(scope, [serverProcess('web', base)], applyOptions);
    await ready(a);
    const [original] = livePids(await a.live(scope));
    await a.close();

    // The replica dies while Sluice is down and an unrelated program gets "its" pid.
    process.kill(original!, 'SIGKILL');
    await waitFor(
      'replica gone',
      () => readProcStat(original!) === undefined || readProcStat(original!)!.state === 'Z',
    );
    const decoy = stray();
    const [file] = stateFiles(dataDir);
    const record = JSON.parse(readFileSync(file!, 'utf8')) as ReplicaRecord;
    expect(readProcStat(decoy)!.startTime).not.toBe(record.startTime);
    writeFileSync(file!, JSON.stringify({ ...record, pid: decoy }));

    const b = newProvider(dataDir);
    const events = recordEvents(b);
    await b.start();
    expect(events.filter((e) => e.type === 'adopted')).toEqual([]);
    expect(events.find((e) => e.type === 'replaced')?.message).toMatch(
      new RegExp(`^replica web-0 \\(pid ${decoy}\\) was gone; started pid \\d+$`),
    );
    // The unrelated program is left alone, and the replica is back on its port.
    expect(readProcStat(decoy)?.state).not.toBe('Z');
    expect(livePids(await b.live(scope))).not.toContain(decoy);
    await ready(b);
    expect(JSON.parse((await httpGet(base)).body).greeting).toBe('hello');
  });

  it('keeps one replica per index when a crash mid-roll left two', async () => {
    const dataDir = newDataDir();
    const a = newProvider(dataDir);
    await a.start();
    const base = await freeBase(1);
    await a.apply(scope, [serverProcess('web', base)], applyOptions);
    await ready(a);
    const [serving] = livePids(await a.live(scope));
    await a.close();

    // A second replica 0 with its own state file, as if Sluice died before stopping either.
    const [file] = stateFiles(dataDir);
    const record = JSON.parse(readFileSync(file!, 'utf8')) as ReplicaRecord;
    const newer = stray({
      SLUICE_OWNER: new Layout(dataDir).owner,
      SLUICE_REPLICA_ID: 'shop/dev/hello/web-0/feedf00d',
    });
    const newerStart = readProcStat(newer)!.startTime;
    writeFileSync(
      join(dataDir, `process/state/shop/dev/hello/web.0.${newer}.json`),
      JSON.stringify({ ...record, pid: newer, startTime: newerStart, replicaId: 'shop/dev/hello/web-0/feedf00d' }),
    );

    const b = newProvider(dataDir);
    const events = recordEvents(b);
    await b.start();
    await waitFor('newer duplicate stopped', () => !isSameProcess(newer, newerStart));
    expect(events.find((e) => e.type === 'replaced')?.message).toContain(`duplicated pid ${serving}`);
    expect(livePids(await b.live(scope))).toEqual([serving]);
    expect(stateFiles(dataDir)).toHaveLength(1);
  });

  it('does not revive workloads that were stopped on purpose (Ctrl-C)', async () => {
    const dataDir = newDataDir();
    const a = newProvider(dataDir);
    await a.start();
    const base = await freeBase(1);
    await a.apply(scope, [serverProcess('web', base)], applyOptions);
    await ready(a);
    await a.close({ stopWorkloads: true });
    await expect(httpGet(base)).rejects.toThrow();

    const b = newProvider(dataDir);
    await b.start();
    expect(await b.scopes()).toEqual([scope]);
    const [health] = await b.health(scope);
    expect(health).toMatchObject({ status: 'Missing' });
    const plan = await b.plan(scope, [serverProcess('web', base)], applyOptions);
    expect(plan.changes[0]).toMatchObject({ action: 'update', reason: 'replica web-0 not running' });
    await b.apply(scope, [serverProcess('web', base)], applyOptions);
    await ready(b);
  });
});
