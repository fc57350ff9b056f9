import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  ROOT,
  runSluice,
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
let bare: string;
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

/** The quick start's step 2: commit in the clone, push to the repo Sluice follows. */
function commitAndPush(message: string): string {
  git(repo, 'commit', '-qam', message);
  git(repo, 'push', '-q');
  return git(bare, 'rev-parse', 'main').trim();
}

/** A build of the sample service with its version baked in, as CI would make it. */
function build(version: string): string {
  const text = readFileSync(join(ROOT, 'examples/hello/server.js'), 'utf8').replace(
    "process.env.VERSION ?? 'dev'",
    JSON.stringify(version),
  );
  const dir = join(dataDir, 'builds');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `hello-${version}.mjs`);
  writeFileSync(path, text);
  return `hello=${path}:${version}@sha256:${createHash('sha256').update(text).digest('hex')}`;
}

async function syncedAt(env: string, revision: string): Promise<void> {
  await eventually(
    async () => {
      const s = await scope(env);
      return s.syncedRevision === revision && s.sync === 'Synced' && s.health === 'Healthy' ? true : undefined;
    },
    45_000,
    `${env} synced and healthy at ${revision.slice(0, 7)}`,
  );
}

const cloneFollows = () =>
  eventually(
    () => (git(repo, 'rev-parse', 'HEAD') === git(bare, 'rev-parse', 'main') ? true : undefined),
    15_000,
    'the clone fast-forwarded to what Sluice committed',
  );

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
  bare = join(dataDir, 'quickstart', 'config.git');
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
    expect(out).toContain(`git -C ${repo} commit -am "Scale dev" && git -C ${repo} push`);
  });

  it('applies a commit to dev only, and records why', async () => {
    const staging = pidsOf('staging');
    const prod = pidsOf('prod');
    const file = join(repo, 'apps/hello/overlays/dev/hello.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('replicas: 1', 'replicas: 2').replace('GREETING: "Hello"', 'GREETING: "Hi"'),
    );
    const head = commitAndPush('Scale dev to two replicas');
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

  it('after set-image and promote the clone follows, so the next hand commit keeps dev and staging', async () => {
    const devFile = join(repo, 'apps/hello/overlays/dev/hello.yaml');
    const stagingFile = join(repo, 'apps/hello/overlays/staging/hello.yaml');
    const set = await runSluice(['--data-dir', dataDir, 'set-image', 'hello', '--env', 'dev', build('1.1.0')]);
    expect(set.code).toBe(0);
    await cloneFollows();
    expect(readFileSync(devFile, 'utf8')).toContain('1.1.0');
    await syncedAt('dev', git(bare, 'rev-parse', 'main').trim());
    const promoted = await runSluice(['--data-dir', dataDir, 'promote', 'hello', '--to', 'staging']);
    expect(promoted.code).toBe(0);
    await cloneFollows();
    expect(readFileSync(stagingFile, 'utf8')).toContain('1.1.0');
    await syncedAt('staging', git(bare, 'rev-parse', 'main').trim());

    // The quick start's loop: edit, commit, push. It starts from what Sluice committed.
    writeFileSync(devFile, readFileSync(devFile, 'utf8').replace('GREETING: "Hi"', 'GREETING: "Hey"'));
    const head = commitAndPush('Greet differently');
    await syncedAt('dev', head);
    expect((await version(port + 10)) as unknown).toMatchObject({ greeting: 'Hey', version: '1.1.0' });
    expect((await version(port + 20)) as unknown).toMatchObject({ version: '1.1.0' });
    expect(git(bare, 'show', 'main:apps/hello/overlays/staging/hello.yaml')).toContain('1.1.0');
  }, 150_000);

  it('leaves a clone with uncommitted changes alone and says how to catch up', async () => {
    const stagingFile = join(repo, 'apps/hello/overlays/staging/hello.yaml');
    const before = git(repo, 'rev-parse', 'HEAD').trim();
    writeFileSync(stagingFile, `${readFileSync(stagingFile, 'utf8')}# thinking about it\n`);
    const set = await runSluice(['--data-dir', dataDir, 'set-image', 'hello', '--env', 'dev', build('1.2.0')]);
    expect(set.code).toBe(0);
    await sluice.waitFor('has uncommitted changes', 15_000);
    expect(git(repo, 'rev-parse', 'HEAD').trim()).toBe(before);
    expect(readFileSync(stagingFile, 'utf8')).toContain('# thinking about it');
    // What the message says to do.
    git(repo, 'pull', '-q', '--autostash');
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(git(bare, 'rev-parse', 'main'));
    git(repo, 'checkout', '--', 'apps/hello/overlays/staging/hello.yaml');
    await syncedAt('dev', git(bare, 'rev-parse', 'main').trim());
  }, 90_000);

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
    commitAndPush('Break the YAML');
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
    commitAndPush('Misspell a field');
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
    const head = commitAndPush('Fix the manifest');
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
