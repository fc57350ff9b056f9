import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../../src/promote/index.js';
import type { AppEnvStatus, ProjectStatus } from '../../../src/reconcile/status.js';
import type { GateResult } from '../../../src/store/ledger-types.js';
import type { EventRecord } from '../../../src/store/types.js';
import {
  adminToken,
  eventually,
  freePortBlock,
  getJson,
  git,
  ownedProcesses,
  ROOT,
  runSluice,
  spawnSluice,
  type SluiceProcess,
} from '../../support/sluice.js';
import { startPrometheus, type RunningPrometheus } from './prometheus.js';

/**
 * Metric gates end to end: the quick start's sample service run by the process target, scraped
 * by a real Prometheus, with staging gated on dev's error rate and verified on its own. A good
 * build passes both; a build that fails half its requests is blocked from promotion, and when
 * set into staging directly fails verification and is rolled back. The ledger keeps the query
 * and the value.
 */
let dataDir: string;
let port: number;
let sluice: SluiceProcess;
let prom: RunningPrometheus;
let repo: string;
let bare: string;
let traffic: NodeJS.Timeout | undefined;
const api = (path: string) => `http://127.0.0.1:${port}${path}`;
const cli = (...args: string[]) => runSluice(['--data-dir', dataDir, ...args]);

/** Error rate of one version in one environment over the last seconds; {{...}} is filled in by Sluice. */
const errorRate = (env: string, version: string) =>
  `(sum(rate(hello_http_requests_total{env="${env}",version="${version}",code=~"5.."}[5s])) or vector(0))` +
  ` / sum(rate(hello_http_requests_total{env="${env}",version="${version}"}[5s]))`;

const scope = async (env: string): Promise<AppEnvStatus> => {
  const s = await getJson<ProjectStatus>(api('/api/v1/status'), adminToken(dataDir));
  return s.apps.find((a) => a.app === 'hello' && a.env === env)!;
};
const ledger = (env: string) => getJson<LedgerEntry[]>(api(`/api/v1/ledger?app=hello&env=${env}`), adminToken(dataDir));
const head = () => git(bare, 'rev-parse', 'main').trim();

async function syncedAt(env: string, revision: string): Promise<void> {
  await eventually(
    async () => {
      const s = await scope(env);
      return s.syncedRevision === revision && s.sync === 'Synced' && s.health === 'Healthy' ? true : undefined;
    },
    90_000,
    `${env} synced and healthy at ${revision.slice(0, 7)}`,
  );
}

/** A build of the sample service with its version baked in; a bad one fails half its requests. */
function build(version: string, failRate = 0): string {
  const text = readFileSync(join(ROOT, 'examples/hello/server.js'), 'utf8')
    .replace("process.env.VERSION ?? 'dev'", JSON.stringify(version))
    .replace('process.env.FAIL_RATE ?? 0', `process.env.FAIL_RATE ?? ${failRate}`);
  const dir = join(dataDir, 'builds');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `hello-${version}.mjs`);
  writeFileSync(path, text);
  return `hello=${path}:${version}@sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** Waits until Prometheus has seen requests of this version in this environment. */
const seen = (env: string, version: string) =>
  eventually(
    async () => ((await prom.query(errorRate(env, version))).some((v) => !Number.isNaN(v)) ? true : undefined),
    60_000,
    `Prometheus has requests of ${version} in ${env}`,
  );

beforeAll(async () => {
  if (process.env.CI !== 'true' && !(await hasPrometheus())) return;
  dataDir = mkdtempSync(join(tmpdir(), 'sluice-metrics-'));
  port = await freePortBlock(40);
  repo = join(dataDir, 'quickstart', 'config');
  bare = join(dataDir, 'quickstart', 'config.git');
  // Replica ports: two per replica above each service port (dev +10, staging +20), as the scaffold lays them out.
  const targets = (from: number, n: number) => Array.from({ length: n }, (_, i) => `127.0.0.1:${port + from + i}`);
  prom = await startPrometheus(join(dataDir, 'prometheus'), [
    { labels: { env: 'dev' }, targets: targets(11, 2) },
    { labels: { env: 'staging' }, targets: targets(21, 4) },
  ]);
  sluice = spawnSluice(['--data-dir', dataDir, 'quickstart', '--port', String(port)]);
  await sluice.waitFor('Sluice is running', 90_000);
  // Users of the service: a steady trickle of requests to dev and staging.
  traffic = setInterval(() => {
    for (const p of [port + 10, port + 20])
      void fetch(`http://127.0.0.1:${p}/`).then(
        (r) => r.text(),
        () => undefined,
      );
  }, 50);

  const yaml = join(repo, 'sluice.yaml');
  const text = readFileSync(yaml, 'utf8');
  const gated = text.replace('spec:\n  targets:', `spec:\n  prometheus: { url: "${prom.url}" }\n  targets:`).replace(
    '      promotion: { from: dev, requireHealthy: true }\n',
    `      promotion:
        from: dev
        gates:
          - name: dev-error-rate
            prometheus: { query: '${errorRate('{{from}}', '{{version}}')}', op: '<', value: 0.05 }
      verify:
        - name: error-rate
          prometheus: { query: '${errorRate('{{env}}', '{{version}}')}', op: '<', value: 0.05 }
          retries: 20
          interval: 1s
      rollback: { auto: true }
`,
  );
  expect(gated).not.toBe(text);
  writeFileSync(yaml, gated);
  git(repo, 'commit', '-qam', 'Gate staging on error rates');
  git(repo, 'push', '-q');
}, 240_000);

afterAll(async () => {
  if (traffic) clearInterval(traffic);
  sluice?.child.kill('SIGINT');
  await sluice?.exited;
  await prom?.stop();
  if (dataDir) for (const p of ownedProcesses(dataDir)) process.kill(p.pid, 'SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function hasPrometheus(): Promise<boolean> {
  const r = await new Promise<number>((res) => {
    void import('node:child_process').then(({ spawn }) =>
      spawn('prometheus', ['--version'], { stdio: 'ignore' })
        .once('error', () => res(1))
        .once('exit', (c) => res(c ?? 1)),
    );
  });
  return r === 0;
}

describe.runIf(process.env.CI === 'true' || (await hasPrometheus()))('metric gates against Prometheus', () => {
  it('a healthy build passes the promotion gate and staging verification, with the query in the ledger', async () => {
    expect((await cli('set-image', 'hello', '--env', 'dev', build('1.1.0'))).code).toBe(0);
    await syncedAt('dev', head());
    await seen('dev', '1.1.0');
    const dry = await cli('promote', 'hello', '--to', 'staging', '--dry-run');
    expect(dry.stdout).toMatch(/✓ metric: dev-error-rate: 0 < 0\.05/);
    expect(dry.stdout).toContain(`query: ${errorRate('dev', '1.1.0')}`);
    expect(dry.code).toBe(0);
    const promoted = await cli('promote', 'hello', '--to', 'staging');
    expect(promoted.code, promoted.stderr).toBe(0);
    const revision = head();
    // Promoted directly (staging asks for no request): the ledger change keeps the gate it passed.
    const change = (await ledger('staging')).find((e) => e.change.revision === revision)!.change;
    expect(change.promotionId).toBeUndefined();
    expect(change.gates).toContainEqual(
      expect.objectContaining({
        gate: 'metric',
        name: 'dev-error-rate',
        passed: true,
        query: errorRate('dev', '1.1.0'),
      }),
    );
    expect(change.gates!.find((g) => g.gate === 'metric')!.value).toBeLessThan(0.05);
    const json = await cli('history', 'hello', '--env', 'staging', '--ledger', '-o', 'json');
    expect((JSON.parse(json.stdout) as LedgerEntry[]).at(-1)!.change.gates).toEqual(change.gates);
    expect((await cli('history', 'hello', '--env', 'staging', '--ledger')).stdout).toMatch(
      /gate +✓ metric: dev-error-rate: 0 < 0\.05/,
    );
    await syncedAt('staging', revision);
    const entry = await eventually(
      async () => (await ledger('staging')).find((e) => e.change.revision === revision && e.verifications.length),
      120_000,
      'staging verification recorded',
    );
    expect(entry.verifications[0]).toMatchObject({
      result: 'Passed',
      checks: [{ name: 'error-rate', url: prom.url, passed: true, query: errorRate('staging', '1.1.0'), value: 0 }],
    });
  });

  it('a build failing half its requests is blocked from promotion by its error rate in dev', async () => {
    expect((await cli('set-image', 'hello', '--env', 'dev', build('1.2.0', 0.5))).code).toBe(0);
    await syncedAt('dev', head());
    await seen('dev', '1.2.0');
    const dry = await cli('promote', 'hello', '--to', 'staging', '--dry-run');
    expect(dry.code).toBe(6);
    expect(dry.stdout).toMatch(/✗ metric: dev-error-rate: 0\.\d+ not < 0\.05/);
    expect(dry.stdout).toContain(`query: ${errorRate('dev', '1.2.0')}`);
    const before = head();
    const refused = await cli('promote', 'hello', '--to', 'staging');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('blocked: metric: dev-error-rate');
    expect(head()).toBe(before);
    // What was refused and why stays in the audit trail.
    const events = await getJson<EventRecord[]>(
      api('/api/v1/events?app=hello&env=staging&type=promote.blocked'),
      adminToken(dataDir),
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ severity: 'warning', data: { fromEnv: 'dev' } });
    const data = events[0]!.data as { gates: GateResult[]; artifacts: { tag?: string }[] };
    expect(data.artifacts.map((a) => a.tag)).toEqual(['1.2.0']);
    const gate = data.gates.find((g) => g.gate === 'metric')!;
    expect(gate).toMatchObject({ name: 'dev-error-rate', passed: false, query: errorRate('dev', '1.2.0') });
    expect(gate.value).toBeGreaterThanOrEqual(0.05);
  });

  it('set into staging directly, it fails verification on its error rate and is rolled back', async () => {
    expect((await cli('set-image', 'hello', '--env', 'staging', build('1.2.0', 0.5))).code).toBe(0);
    const bad = head();
    const entry = await eventually(
      async () =>
        (await ledger('staging')).find((e) => e.change.revision === bad && e.verificationFailed && e.rolledBackBy),
      240_000,
      `staging verification failed and rolled back (${bad.slice(0, 7)})`,
    ).catch(async (e: unknown) => {
      // What staging went through says where it stopped.
      const events = await getJson<EventRecord[]>(api('/api/v1/events?app=hello&env=staging'), adminToken(dataDir));
      const lines = events.map((x) => `${x.time} ${x.type} ${x.message}`).reverse();
      throw new Error(`${(e as Error).message}\nstaging events, oldest first:\n${lines.join('\n')}`);
    });
    const check = entry.verifications.find((v) => v.result === 'Failed')!.checks[0]!;
    expect(check).toMatchObject({ name: 'error-rate', url: prom.url, passed: false });
    expect(check.query).toBe(errorRate('staging', '1.2.0'));
    expect(check.value).toBeGreaterThanOrEqual(0.05);
    expect(check.message).toMatch(/not < 0\.05/);
    await syncedAt('staging', entry.rolledBackBy!);
    await eventually(
      async () =>
        ((await (await fetch(`http://127.0.0.1:${port + 20}/version`)).json()) as { version: string }).version ===
        '1.1.0'
          ? true
          : undefined,
      30_000,
      'staging serves 1.1.0 again',
    );
  });
});
