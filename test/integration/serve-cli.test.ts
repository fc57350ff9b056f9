import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectStatus } from '../../src/reconcile/status.js';
import type { EventRecord, SyncRecord } from '../../src/store/types.js';
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
 * `sluice init` + `sluice serve` from a remote (file://) config repo, driven through the CLI's
 * read and sync commands: JSON output, exit codes, drift without selfHeal, and an unreachable remote.
 */
let work: string;
let port: number;
let origin: string;
let clone: string;
let serve: SluiceProcess;
const dataDir = () => join(work, 'data');
const cli = (...args: string[]) => runSluice(['--data-dir', dataDir(), ...args]);
const status = () => getJson<ProjectStatus>(`http://127.0.0.1:${port}/api/v1/status`, adminToken(dataDir()));
const scope = async (env: string) => (await status()).apps.find((a) => a.env === env)!;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
  port = await freePortBlock(40);
  origin = join(work, 'origin');
  const init = await runSluice(['init', origin, '--name', 'shop', '--base-port', String(port)]);
  expect(init.code, init.stderr).toBe(0);
  // prod: no selfHeal, and replicas are not restarted by their supervisor, so a dead one is drift.
  const prod = join(origin, 'apps/hello/overlays/prod/hello.yaml');
  writeFileSync(
    prod,
    readFileSync(prod, 'utf8').replace(
      '  terminationGracePeriodSeconds: 5',
      '  terminationGracePeriodSeconds: 5\n  restartPolicy: Never',
    ),
  );
  git(origin, 'commit', '-qam', 'prod replicas are not restarted automatically');
  git(origin, 'config', 'receive.denyCurrentBranch', 'updateInstead');
  clone = join(work, 'clone');
  git(work, 'clone', '-q', origin, clone);
  serve = spawnSluice([
    '--data-dir',
    dataDir(),
    'serve',
    '--repo',
    `file://${origin}`,
    '--port',
    String(port),
    '--poll',
    '1',
  ]);
  await serve.waitFor('dashboard', 60_000);
  await eventually(
    async () => ((await status()).apps.every((a) => a.health === 'Healthy' && a.sync === 'Synced') ? true : undefined),
    60_000,
    'healthy',
  );
}, 120_000);

afterAll(async () => {
  serve?.child.kill('SIGINT');
  await serve?.exited;
  for (const p of ownedProcesses(dataDir())) process.kill(p.pid, 'SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

// Each test runs a few CLI processes from the TypeScript sources; on a loaded machine one takes tens of seconds.
describe('sluice CLI against sluice serve', { timeout: 240_000 }, () => {
  it('init refuses a non-empty directory and dry-runs without writing', async () => {
    const again = await runSluice(['init', origin]);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('not empty');
    const dry = await runSluice(['init', join(work, 'never'), '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('sluice.yaml');
  });

  it('status: a table, JSON, and an exit code that reflects health', async () => {
    const text = await cli('status');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/hello\s+dev\s+[0-9a-f]{7}\s+Synced\s+Healthy/);
    const json = JSON.parse((await cli('status', '-o', 'json')).stdout) as ProjectStatus;
    expect(json.project).toBe('shop');
    expect(json.apps.map((a) => a.env).sort()).toEqual(['dev', 'prod', 'staging']);
  });

  it('every read of the ledger, syncs, events and promotions refuses an unknown app or environment', async () => {
    for (const args of [
      ['dora', '--env', 'qa'],
      ['what-ran', '--env', 'qa'],
      ['history', 'nope', '--ledger'],
      ['promotions', '--env', 'qa'],
    ]) {
      const r = await cli(...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(4);
      expect(r.stderr).toMatch(/no (environment "qa"|app "nope") in sluice\.yaml/);
    }
    for (const path of [
      'ledger?env=qa',
      'what-ran?env=qa',
      'dora?app=nope',
      'syncs?env=qa',
      'events?app=nope',
      'promotions?env=qa',
    ]) {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/${path}`, { headers: bearer(adminToken(dataDir())) });
      expect(res.status, path).toBe(404);
    }
    expect(
      (await fetch(`http://127.0.0.1:${port}/api/v1/dora?env=prod`, { headers: bearer(adminToken(dataDir())) })).status,
    ).toBe(200);
  });

  it('status names what a filter matched nothing of, with exit 4 like diff', async () => {
    const app = await cli('status', '--app', 'nope');
    expect(app.code).toBe(4);
    expect(app.stderr).toContain('no app "nope"');
    expect(app.stderr).toContain('Apps: hello');
    const env = await cli('status', '--env', 'qa', '-o', 'json');
    expect(env.code).toBe(4);
    expect(env.stderr).toContain('Environments: dev, staging, prod');
    expect((await cli('status', '--app', 'hello', '--env', 'dev')).code).toBe(0);
  });

  it('events: newest first, filtered by app and environment, as a table or JSON', async () => {
    const all = await cli('events', '-o', 'json');
    expect(all.code, all.stderr).toBe(0);
    const events = JSON.parse(all.stdout) as EventRecord[];
    expect(events.length).toBeGreaterThan(1);
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => b - a));
    const prod = JSON.parse(
      (await cli('events', '--app', 'hello', '--env', 'prod', '-o', 'json')).stdout,
    ) as EventRecord[];
    expect(prod.length).toBeGreaterThan(0);
    expect(prod.every((e) => e.app === 'hello' && e.env === 'prod')).toBe(true);
    expect(JSON.parse((await cli('events', '--limit', '1', '-o', 'json')).stdout)).toHaveLength(1);
    const text = await cli('events', '--env', 'dev');
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(/^TIME\s+SEVERITY\s+APP\s+ENV\s+TYPE\s+MESSAGE$/);
    expect(text.stdout).toMatch(/hello\s+dev\s+\S+/);
    // Four CLI processes, each compiling the sources: on a loaded machine that is minutes, not seconds.
  });

  it('render prints the overlay from disk; unknown app and env are exit 4 with a hint', async () => {
    const r = await runSluice(['render', 'hello', '--env', 'staging', '--repo', clone]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kind: Process');
    expect(r.stdout).toContain('replicas: 2');
    const missing = await runSluice(['render', 'nope', '--env', 'dev', '--repo', clone]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('Apps: hello');
    expect((await runSluice(['render', 'hello', '--env', 'qa', '--repo', clone])).code).toBe(4);
  });

  it('a usage error is exit 2; an unreachable server is exit 5 with a hint', async () => {
    expect((await cli('sync', 'hello')).code).toBe(2);
    const down = await runSluice(['--server', 'http://127.0.0.1:9', 'status']);
    expect(down.code).toBe(5);
    expect(down.stderr).toContain('sluice serve');
  });

  it('shows drift without selfHeal as OutOfSync with its cause, and sync heals it', async () => {
    const victim = ownedProcesses(dataDir()).find((p) => p.env.SLUICE_ENV === 'prod')!;
    process.kill(victim.pid, 'SIGKILL');
    const drifted = await eventually(
      async () => {
        const s = await scope('prod');
        return s.sync === 'OutOfSync' && s.drift ? s : undefined;
      },
      20_000,
      'prod to show drift',
    );
    expect(drifted.drift!.causes.join(' ')).toMatch(/Process\/hello/);
    const diff = await cli('diff', 'hello', '--env', 'prod', '--exit-code');
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('Process/hello');
    const dry = JSON.parse((await cli('sync', 'hello', '--env', 'prod', '--dry-run', '-o', 'json')).stdout) as {
      summary: { update: number; create: number };
    };
    expect(dry.summary.update + dry.summary.create).toBeGreaterThan(0);
    const sync = await cli('sync', 'hello', '--env', 'prod', '-o', 'json');
    expect(sync.code, sync.stderr).toBe(0);
    const rec = JSON.parse(sync.stdout) as SyncRecord;
    expect(rec).toMatchObject({ trigger: 'manual', result: 'Succeeded', health: 'Healthy' });
    expect((await scope('prod')).sync).toBe('Synced');
    expect(ownedProcesses(dataDir()).filter((p) => p.env.SLUICE_ENV === 'prod')).toHaveLength(3);
    const history = JSON.parse((await cli('history', 'hello', '--env', 'prod', '-o', 'json')).stdout) as SyncRecord[];
    expect(history[0]).toMatchObject({ trigger: 'manual', result: 'Succeeded' });
    expect(history[0]!.reason).toContain('sync requested');
  });

  it('logs prints each replica log', async () => {
    const logs = JSON.parse((await cli('logs', 'hello', '--env', 'dev', '-o', 'json')).stdout) as {
      file: string;
      lines: string[];
    }[];
    expect(logs).toHaveLength(1);
    expect(logs[0]!.lines.join('\n')).toContain('hello listening');
  });

  it('keeps the last good revision while the remote is unreachable, and recovers', async () => {
    const before = (await status()).source.revision;
    renameSync(origin, `${origin}.away`);
    const broken = await eventually(
      async () => ((await status()).source.error ? await status() : undefined),
      20_000,
      'a source error',
    );
    expect(broken.source.error!.code).toBe('SOURCE_UNREACHABLE');
    expect(broken.source.revision).toBe(before);
    expect(broken.apps.every((a) => a.health === 'Healthy')).toBe(true);
    renameSync(`${origin}.away`, origin);
    const file = join(clone, 'apps/hello/overlays/dev/hello.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('GREETING: "Hello"', 'GREETING: "Back"'));
    git(clone, 'commit', '-qam', 'Greet after the outage');
    git(clone, 'push', '-q', 'origin', 'main');
    const head = git(clone, 'rev-parse', 'HEAD').trim();
    await eventually(
      async () => {
        const s = await status();
        const dev = s.apps.find((a) => a.env === 'dev')!;
        return !s.source.error && dev.syncedRevision === head ? true : undefined;
      },
      90_000,
      'recovery after the remote came back',
    );
  }, 150_000);

  it('serves Prometheus metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toMatch(/sluice_app_health\{app="hello",env="dev",health="Healthy"\} 1/);
    expect(text).toMatch(/sluice_syncs_total\{app="hello",env="prod",result="Succeeded",trigger="manual"\} 1/);
  });
});

describe('sluice serve on a local path', { timeout: 240_000 }, () => {
  it('prints the repository as the absolute path it resolved, not as typed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-serve-path-'));
    const repo = join(dir, 'config');
    try {
      mkdirSync(repo);
      writeFileSync(
        join(repo, 'sluice.yaml'),
        'apiVersion: sluice.dev/v1alpha1\nkind: Project\nmetadata: { name: empty }\nspec:\n  targets:\n    local: { provider: process }\n  environments:\n    - { name: dev, target: local }\n',
      );
      git(dir, 'init', '-q', '-b', 'main', repo);
      git(repo, 'add', '.');
      git(repo, 'commit', '-qm', 'Start');
      // The CLI runs in the Sluice checkout; the path it is given is relative to there.
      const typed = relative(ROOT, repo);
      const serving = spawnSluice(['--data-dir', join(dir, 'data'), 'serve', '--repo', typed, '--port', '0']);
      try {
        await serving.waitFor('dashboard', 60_000);
        expect(serving.output()).toContain(`Sluice is serving ${repo} (branch main)\n`);
      } finally {
        serving.child.kill('SIGINT');
        await serving.exited;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
