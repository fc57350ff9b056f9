import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeOutcome, DoraReport, LedgerEntry, WhatRan } from '../../src/promote/index.js';
import type { ProjectStatus } from '../../src/reconcile/status.js';
import type { EventRecord } from '../../src/store/types.js';
import {
  eventually,
  freePortBlock,
  adminToken,
  bearer,
  createToken,
  getJson,
  git,
  ownedProcesses,
  ROOT,
  runSluiceSync,
  spawnSluice,
  type SluiceProcess,
} from '../support/sluice.js';

/**
 * The promotion story on the quick-start repo, through the real CLI, real git and real
 * processes: set-image to dev, promote to staging, promote to prod behind an approval, a
 * failing verification that rolls prod back by itself, a one-command rollback, the ledger and DORA.
 */
let dataDir: string;
let port: number;
let sluice: SluiceProcess;
let repo: string;
let bare: string;
const api = (path: string) => `http://127.0.0.1:${port}${path}`;
const cli = (...args: string[]) => runSluiceSync(['--data-dir', dataDir, ...args]);
/** Who acts is whose token the CLI sends. */
const tokens: Record<string, string> = {};
const cliAs = (who: string, ...args: string[]) =>
  runSluiceSync(['--data-dir', dataDir, ...args], { SLUICE_TOKEN: tokens[who]! });

/** A build of the sample service with its version baked in; `broken` answers /version with 500. */
function build(version: string, broken = false): string {
  let text = readFileSync(join(ROOT, 'examples/hello/server.js'), 'utf8').replace(
    "process.env.VERSION ?? 'dev'",
    JSON.stringify(version),
  );
  if (broken)
    text = text.replace(
      "if (url.pathname === '/version') {",
      "if (url.pathname === '/version') {\n    res.writeHead(500).end('broken\\n');\n    return;",
    );
  const dir = join(dataDir, 'builds');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `hello-${version}.mjs`);
  writeFileSync(path, text);
  return `hello=${path}:${version}@sha256:${createHash('sha256').update(text).digest('hex')}`;
}

const versionsIn = async (env: string): Promise<string[]> =>
  Promise.all(
    ownedProcesses(dataDir)
      .filter((p) => p.env.SLUICE_ENV === env)
      .map(async (p) => (await getJson<{ version: string }>(`http://127.0.0.1:${p.env.PORT}/version`)).version),
  );

async function converged(env: string, version: string, replicas: number): Promise<void> {
  await eventually(
    async () => {
      const s = await getJson<ProjectStatus>(api('/api/v1/status'), adminToken(dataDir));
      const scope = s.apps.find((a) => a.env === env)!;
      const head = git(bare, 'rev-parse', 'main').trim();
      if (scope.syncedRevision !== head || scope.sync !== 'Synced' || scope.health !== 'Healthy') return undefined;
      const v = await versionsIn(env);
      return v.length === replicas && v.every((x) => x === version) ? true : undefined;
    },
    45_000,
    `${env} running ${version} on ${replicas} replica(s)`,
  );
}

const ledger = (env: string) => getJson<LedgerEntry[]>(api(`/api/v1/ledger?app=hello&env=${env}`), adminToken(dataDir));

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sluice-promo-'));
  port = await freePortBlock(40);
  repo = join(dataDir, 'quickstart', 'config');
  bare = join(dataDir, 'quickstart', 'config.git');
  sluice = spawnSluice(['--data-dir', dataDir, 'quickstart', '--port', String(port)]);
  await sluice.waitFor('Sluice is running', 60_000);
  tokens.ci = await createToken(dataDir, { name: 'ci', role: 'deployer', environments: ['*'], user: 'ci' });
  // The same identity as ci, with the right to approve: it still may not approve its own request.
  tokens['ci-review'] = await createToken(dataDir, {
    name: 'ci-review',
    role: 'approver',
    environments: ['*'],
    user: 'ci',
  });
  tokens.alice = await createToken(dataDir, { name: 'alice', role: 'approver', environments: ['prod'], user: 'alice' });
  tokens.bob = await createToken(dataDir, { name: 'bob', role: 'deployer', environments: ['prod'], user: 'bob' });
  await converged('prod', '1.0.0', 3);
}, 90_000);

afterAll(async () => {
  sluice?.child.kill('SIGINT');
  await sluice?.exited;
  for (const p of ownedProcesses(dataDir)) process.kill(p.pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('promotion, rollback and the ledger', () => {
  const sourceTime = new Date(Date.now() - 10 * 60_000).toISOString();
  const v110 = () => build('1.1.0');

  it('set-image writes dev with trailers and dev syncs; a dry run commits nothing', async () => {
    const head = git(bare, 'rev-parse', 'main').trim();
    const dry = cli('set-image', 'hello', '--env', 'dev', v110(), '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('+    sluice.dev/artifact-tag: "1.1.0"');
    expect(git(bare, 'rev-parse', 'main').trim()).toBe(head);

    const r = cliAs(
      'ci',
      'set-image',
      'hello',
      '--env',
      'dev',
      v110(),
      '--source-commit',
      'a1b2c3d',
      '--source-time',
      sourceTime,
      '--ci-run-url',
      'https://ci.example/run/7',
      '-o',
      'json',
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as ChangeOutcome;
    expect(out.mode).toBe('committed');
    const message = git(bare, 'log', '-1', '--format=%B', 'main');
    expect(message).toMatch(
      /Sluice-Action: set-image\nSluice-App: hello\nSluice-Env: dev\nSluice-Artifacts: hello=.*:1\.1\.0@sha256:[0-9a-f]{64}\nSluice-Source-Commit: a1b2c3d\n/,
    );
    expect(message).toContain('Sluice-CI-Run: https://ci.example/run/7');
    await converged('dev', '1.1.0', 1);

    // Asked again, the dry run says what the change itself would: there is nothing to change.
    const again = cli('set-image', 'hello', '--env', 'dev', v110(), '--dry-run');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^dry run: nothing to change: dev already declares hello=/);
    const json = JSON.parse(cli('set-image', 'hello', '--env', 'dev', v110(), '--dry-run', '-o', 'json').stdout);
    expect(json).toMatchObject({ mode: 'dry-run', alreadyDeclared: true, diff: '' });
  }, 60_000);

  it('promote to staging runs the digest dev synced', async () => {
    const r = cliAs('ci', 'promote', 'hello', '--to', 'staging');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('source-healthy: dev is synced and healthy');
    await converged('staging', '1.1.0', 2);
    const dev = (await ledger('dev')).at(-1)!;
    const staging = (await ledger('staging')).at(-1)!;
    expect(staging.change.action).toBe('promote');
    expect(staging.syncs.at(-1)!.artifacts![0]!.digest).toBe(dev.syncs.at(-1)!.artifacts![0]!.digest);
  });

  it('promote to prod waits for an approval from a second identity, then syncs', async () => {
    const r = cliAs('ci', 'promote', 'hello', '--to', 'prod', '-o', 'json');
    const out = JSON.parse(r.stdout) as ChangeOutcome;
    expect(out.mode).toBe('requested');
    const id = String(out.promotion!.id);
    expect(cli('promotions', '--env', 'prod', '--state', 'open').stdout).toContain(`#${id}`);
    const self = cliAs('ci-review', 'approve', id);
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('cannot approve');
    const ok = cliAs('alice', 'approve', id, '--comment', 'ship it');
    expect(ok.stdout).toContain(`merged #${id}`);
    await converged('prod', '1.1.0', 3);
  }, 60_000);

  it('a failing verification in prod rolls back automatically', async () => {
    const bad = JSON.parse(
      cliAs('ci', 'set-image', 'hello', '--env', 'prod', build('1.2.0', true), '-o', 'json').stdout,
    ) as ChangeOutcome;
    expect(bad.mode).toBe('requested');
    expect(cliAs('alice', 'approve', String(bad.promotion!.id)).code).toBe(0);
    const merged = git(bare, 'rev-parse', 'main').trim();
    const rolled = await eventually(
      async () => {
        const e = (await ledger('prod')).find((x) => x.change.revision === merged);
        return e?.rolledBackBy ? e : undefined;
      },
      60_000,
      'the automatic rollback',
    );
    expect(rolled.verificationFailed).toBe(true);
    expect(rolled.verifications[0]!.checks[0]!.message).toContain('answered 500');
    await converged('prod', '1.1.0', 3);
  }, 90_000);

  it('holds the digest that failed verification in prod: set-image of it is refused until the hold is lifted', async () => {
    const arg = build('1.2.0', true);
    const digest = arg.slice(arg.lastIndexOf('@') + 1);
    const listed = JSON.parse(cli('hold', 'list', '--env', 'prod', '-o', 'json').stdout) as {
      digest: string;
      reason: string;
    }[];
    expect(listed).toEqual([expect.objectContaining({ digest, reason: expect.stringContaining('answered 500') })]);
    const refused = cliAs('ci', 'set-image', 'hello', '--env', 'prod', arg);
    expect(refused.code).toBe(7);
    expect(refused.stderr).toContain('is held in prod');
    expect(cliAs('ci', 'set-image', 'hello', '--env', 'prod', arg, '--dry-run').code).toBe(6);
    const http = await fetch(api('/api/v1/apps/hello/envs/prod/artifacts'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(tokens.ci) },
      body: JSON.stringify({ artifacts: [arg] }),
    });
    expect(http.status).toBe(409);
    expect(((await http.json()) as { code: string }).code).toBe('HOLD_DIGEST_HELD');
    // Dev never failed with it: held in prod only.
    expect(cliAs('ci', 'set-image', 'hello', '--env', 'dev', arg, '--dry-run').code).toBe(0);

    expect(cliAs('alice', 'hold', 'lift', digest, '--env', 'prod', '--reason', 'the check was wrong').code).toBe(0);
    const again = JSON.parse(
      cliAs('ci', 'set-image', 'hello', '--env', 'prod', arg, '-o', 'json').stdout,
    ) as ChangeOutcome;
    expect(again.mode).toBe('requested');
    expect(cliAs('alice', 'reject', String(again.promotion!.id)).code).toBe(0);
  }, 120_000);

  it('sluice rollback restores the previous version in one command', async () => {
    const r = cliAs('bob', 'rollback', 'hello', '--env', 'prod');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Succeeded sync #\d+/);
    expect(new Set(await versionsIn('prod'))).toEqual(new Set(['1.0.0']));
  }, 60_000);

  it('flags a direct commit to the protected overlay', async () => {
    // The clone the quick start hands out has followed every commit Sluice made.
    await eventually(
      () => (git(repo, 'rev-parse', 'HEAD') === git(bare, 'rev-parse', 'main') ? true : undefined),
      15_000,
      'the clone up to date',
    );
    const file = join(repo, 'apps/hello/overlays/prod/hello.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}# touched by hand\n`);
    git(repo, 'commit', '-qam', 'Edit prod by hand');
    git(repo, 'push', '-q');
    const events = await eventually(
      async () => {
        const ev = await getJson<EventRecord[]>(
          api('/api/v1/events?env=prod&type=change.unapproved'),
          adminToken(dataDir),
        );
        return ev.length ? ev : undefined;
      },
      15_000,
      'a change.unapproved event',
    );
    expect(events[0]!.message).toContain('without an approved promotion request');
  });

  it('history shows the chain, what-ran answers for a past moment, and dora matches a hand computation', async () => {
    const h = cli('history', 'hello', '--env', 'prod', '--ledger');
    expect(h.stdout).toMatch(/request {2}#\d+ from staging by ci, merged; ✓ alice "ship it"/);
    expect(h.stdout).toContain('verify   Failed');
    expect(h.stdout).toContain('rollback undone by');
    expect(h.stdout).toContain('⚑ changes protected environment prod');

    const entries = await ledger('prod');
    const deployed = entries.filter((e) => e.deployedAt);
    const promoted = deployed.find((e) => e.change.action === 'promote')!;
    const ran = JSON.parse(
      cli('what-ran', '--env', 'prod', '--at', promoted.deployedAt!, '-o', 'json').stdout,
    ) as WhatRan;
    expect(ran.apps[0]!.artifacts[0]!.tag).toBe('1.1.0');

    const report = JSON.parse(cli('dora', '--env', 'prod', '--since', '1h', '-o', 'json').stdout) as DoraReport;
    // By hand: bootstrap, promotion (later rolled back by bob), broken set-image (verification failed),
    // the automatic rollback and bob's rollback: three deployments, two of them failed, and two
    // restorations (rollbacks are not deployments).
    expect(deployed.map((e) => e.change.action)).toEqual(['commit', 'promote', 'set-image', 'rollback', 'rollback']);
    expect(report.deployments).toBe(3);
    expect(report.restorations).toBe(2);
    expect(report.failedDeployments).toBe(2);
    expect(report.changeFailureRate).toBe(0.6667);
    const lead = report.details.find((d) => d.revision === promoted.change.revision)!.leadTimeMs;
    expect(lead).toBe(Date.parse(promoted.deployedAt!) - Date.parse(sourceTime));
    const broken = deployed[2]!;
    const autoRollback = deployed[3]!;
    const restores = [
      Date.parse(autoRollback.deployedAt!) - Date.parse(broken.deployedAt!),
      Date.parse(deployed[4]!.deployedAt!) - Date.parse(promoted.deployedAt!),
    ];
    expect(report.timeToRestore.meanMs).toBe(Math.round((restores[0]! + restores[1]!) / 2));
  });
});
