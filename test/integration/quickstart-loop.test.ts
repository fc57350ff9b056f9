import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnvStatus, ProjectStatus } from '../../src/reconcile/status.js';
import type { EventRecord } from '../../src/store/types.js';
import {
  eventually,
  freePortBlock,
  adminToken,
  bearer,
  getJson,
  git,
  ownedProcesses,
  spawnSluice,
  type SluiceProcess,
} from '../support/sluice.js';

/**
 * The walking skeleton as a new user meets it: `sluice quickstart` (what `npm start` runs) on a
 * fresh data directory, then commits, kills and restarts against real git and real processes.
 */
let dataDir: string;
let port: number;
let sluice: SluiceProcess;
let repo: string;
const api = (path: string) => `http://127.0.0.1:${port}${path}`;

const scope = async (env: string): Promise<AppEnvStatus> => {
  const s = await getJson<ProjectStatus>(api('/api/v1/status'), adminToken(dataDir));
  return s.apps.find((a) => a.app === 'hello' && a.env === env)!;
};
const version = (p: number) => getJson<{ pid: number; greeting: string; env: string }>(`http://127.0.0.1:${p}/version`);
const pidsOf = (env: string) =>
  ownedProcesses(dataDir)
    .filter((p) => p.env.SLUICE_ENV === env)
    .map((p) => p.pid)
    .sort();

async function startQuickstart(): Promise<SluiceProcess> {
  const s = spawnSluice(['--data-dir', dataDir, 'quickstart', '--port', String(port)]);
  await s.waitFor('Sluice is running', 60_000);
  return s;
}

async function allHealthy(revision?: string): Promise<void> {
  await eventually(
    async () => {
      const s = await getJson<ProjectStatus>(api('/api/v1/status'), adminToken(dataDir));
      const ok =
        s.apps.length === 3 &&
        s.apps.every(
          (a) => a.sync === 'Synced' && a.health === 'Healthy' && (!revision || a.syncedRevision === revision),
        );
      return ok ? true : undefined;
    },
    60_000,
    'all environments Synced and Healthy',
  );
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sluice-qs-'));
  port = await freePortBlock(40);
  repo = join(dataDir, 'quickstart', 'config');
  sluice = await startQuickstart();
}, 90_000);

afterAll(async () => {
  sluice?.child.kill('SIGINT');
  await sluice?.exited;
  for (const p of ownedProcesses(dataDir)) process.kill(p.pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('quick start', () => {
  it('brings dev, staging and prod up healthy with their own ports and replica counts', async () => {
    await allHealthy();
    expect(pidsOf('dev')).toHaveLength(1);
    expect(pidsOf('staging')).toHaveLength(2);
    expect(pidsOf('prod')).toHaveLength(3);
    expect((await version(port + 10)).env).toBe('dev');
    expect((await version(port + 30)).env).toBe('prod');
    const out = sluice.output();
    expect(out).toContain(`http://127.0.0.1:${port}/`);
    expect(out).toContain(repo);
    expect(out).toContain('commit');
  });

  it('applies a commit to dev only, and records why', async () => {
    const staging = pidsOf('staging');
    const prod = pidsOf('prod');
    const file = join(repo, 'apps/hello/overlays/dev/hello.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('replicas: 1', 'replicas: 2').replace('GREETING: "Hello"', 'GREETING: "Hi"'),
    );
    git(repo, 'commit', '-qam', 'Scale dev to two replicas');
    const head = git(repo, 'rev-parse', 'HEAD').trim();
    await eventually(
      async () => {
        const dev = await scope('dev');
        return dev.syncedRevision === head && dev.health === 'Healthy' && pidsOf('dev').length === 2 ? dev : undefined;
      },
      20_000,
      'dev converged on the new revision',
    );
    const devPorts = ownedProcesses(dataDir)
      .filter((p) => p.env.SLUICE_ENV === 'dev')
      .map((p) => Number(p.env.PORT));
    for (const p of devPorts) expect((await version(p)).greeting).toBe('Hi');
    // The address printed at start still answers: replicas moved, the service port did not.
    expect(devPorts).not.toContain(port + 10);
    expect((await version(port + 10)).greeting).toBe('Hi');
    expect(pidsOf('staging')).toEqual(staging);
    expect(pidsOf('prod')).toEqual(prod);
    const dev = await scope('dev');
    expect(dev.lastSync).toMatchObject({ revision: head, trigger: 'revision', result: 'Succeeded' });
    expect(dev.lastSync!.reason).toContain('apps/hello/overlays/dev/hello.yaml');
  });

  it('restarts a replica killed with SIGKILL and records the cause', async () => {
    const before = pidsOf('prod');
    const victim = before[0]!;
    process.kill(victim, 'SIGKILL');
    await eventually(
      () => {
        const now = pidsOf('prod');
        return now.length === 3 && !now.includes(victim) ? now : undefined;
      },
      15_000,
      'the killed replica to be replaced',
    );
    const events = await eventually(
      async () => {
        const ev = await getJson<EventRecord[]>(api('/api/v1/events?env=prod&limit=50'), adminToken(dataDir));
        return ev.some((e) => e.message.includes('SIGKILL')) ? ev : undefined;
      },
      10_000,
      'an event naming SIGKILL',
    );
    expect(events.find((e) => e.message.includes('SIGKILL'))!.message).toContain(String(victim));
    await eventually(
      async () => ((await scope('prod')).health === 'Healthy' ? true : undefined),
      15_000,
      'prod healthy again',
    );
  });

  it('fails a broken commit with file and line, and changes nothing that runs', async () => {
    const before = { dev: pidsOf('dev'), staging: pidsOf('staging') };
    const file = join(repo, 'apps/hello/overlays/dev/hello.yaml');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('  replicas: 2', '  replicas: [2'));
    git(repo, 'commit', '-qam', 'Break the YAML');
    const failed = await eventually(
      async () => {
        const dev = await scope('dev');
        return dev.sync === 'Stalled' && dev.error ? dev : undefined;
      },
      15_000,
      'dev to fail',
    );
    expect(failed.error).toMatchObject({ file: 'apps/hello/overlays/dev/hello.yaml' });
    expect(failed.error!.line).toBeGreaterThan(5);
    expect(pidsOf('dev')).toEqual(before.dev);
    expect(pidsOf('staging')).toEqual(before.staging);
    expect((await scope('staging')).sync).toBe('Synced');

    writeFileSync(file, good.replace('  replicas: 2', '  replicas: 2\n  replicaz: 3'));
    git(repo, 'commit', '-qam', 'Misspell a field');
    const unknown = await eventually(
      async () => {
        const dev = await scope('dev');
        return dev.sync === 'Stalled' && dev.error?.message.includes('replicaz') ? dev : undefined;
      },
      15_000,
      'dev to fail on the unknown field',
    );
    expect(unknown.error).toMatchObject({
      file: 'apps/hello/overlays/dev/hello.yaml',
      line: good.split('\n').findIndex((l) => l.startsWith('  replicas:')) + 2,
    });
    expect(pidsOf('dev')).toEqual(before.dev);

    writeFileSync(file, good);
    git(repo, 'commit', '-qam', 'Fix the manifest');
    const head = git(repo, 'rev-parse', 'HEAD').trim();
    const recovered = await eventually(
      async () => {
        const dev = await scope('dev');
        return dev.sync === 'Synced' && dev.syncedRevision === head ? dev : undefined;
      },
      15_000,
      'dev to recover',
    );
    // The fix changed nothing that runs, yet history records the recovery.
    expect(recovered.lastSync).toMatchObject({ revision: head, result: 'Succeeded' });
    expect(pidsOf('dev')).toEqual(before.dev);
  });

  it('after kill -9 of Sluice, a restart adopts every process: no duplicate, no orphan', async () => {
    const before = { dev: pidsOf('dev'), staging: pidsOf('staging'), prod: pidsOf('prod') };
    // What `sluice status` shows must survive the crash: the last sync, health and revision.
    const seen = (s: ProjectStatus) =>
      s.apps.map((a) => ({
        env: a.env,
        sync: a.sync,
        health: a.health,
        revision: a.syncedRevision,
        lastSync: a.lastSync?.id,
        result: a.lastSync?.result,
      }));
    await allHealthy();
    const statusBefore = seen(await getJson<ProjectStatus>(api('/api/v1/status'), adminToken(dataDir)));
    sluice.child.kill('SIGKILL');
    await sluice.exited;
    expect(pidsOf('prod')).toEqual(before.prod); // workloads outlive a crashed controller
    sluice = await startQuickstart();
    await allHealthy();
    expect(seen(await getJson<ProjectStatus>(api('/api/v1/status'), adminToken(dataDir)))).toEqual(statusBefore);
    // A full sync of each environment, waited for, must find every replica adopted: one the
    // restart had lost track of would be started again here, beside the one still running.
    for (const env of ['dev', 'staging', 'prod']) {
      const res = await fetch(api(`/api/v1/apps/hello/envs/${env}/sync`), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(adminToken(dataDir)) },
        body: JSON.stringify({ wait: true }),
      });
      expect(res.status).toBe(200);
    }
    expect({ dev: pidsOf('dev'), staging: pidsOf('staging'), prod: pidsOf('prod') }).toEqual(before);
    // The service addresses died with the killed Sluice; the new one listens on them again.
    expect((await version(port + 30)).env).toBe('prod');
  }, 120_000);

  it('Ctrl-C stops Sluice and every process it started', async () => {
    sluice.child.kill('SIGINT');
    expect(await sluice.exited).toBe(0);
    expect(ownedProcesses(dataDir)).toEqual([]);
  });
});
