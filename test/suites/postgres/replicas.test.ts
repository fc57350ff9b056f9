import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/hosted-fakes/webhook-receiver.js';
import { adminToken, eventually, getJson, git, spawnSluice } from '../../support/sluice.js';
import { createDatabase, query, skip } from './helpers.js';
import { stopReplicas, type Replica } from './replica.js';

const APPS = ['a', 'b', 'c', 'd'];
const ENVS = ['dev', 'stage', 'prod'];
const SCOPES = APPS.length * ENVS.length;
/** Short leases keep the test quick (long enough that a loaded machine renews in time); the behaviour is the same at the default 15 s. */
const LEASE_SECONDS = 6;

interface Readiness {
  ready: boolean;
  instance: string;
  leader: boolean;
  scopesHeld: number;
  store: string;
}

function files(version: string): Record<string, string> {
  const out: Record<string, string> = {
    'sluice.yaml': `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata: { name: fleet }
spec:
  targets:
    local: { provider: process }
  environments:
${ENVS.map((e) => `    - { name: ${e}, target: local, sync: auto, healthTimeout: 60s }`).join('\n')}
  apps:
${APPS.map((a) => `    - { name: ${a}, path: apps/${a} }`).join('\n')}
  notifications:
    - name: ops
      type: webhook
      urlFrom: { env: SLUICE_TEST_HOOK }
      events: [sync.failed]
`,
  };
  for (const a of APPS)
    out[`apps/${a}/base/${a}.yaml`] = `apiVersion: sluice.dev/v1alpha1
kind: Process
metadata: { name: ${a} }
spec:
  command: /bin/sleep
  args: ["600", "${version}"]
  terminationGracePeriodSeconds: 1
`;
  return out;
}

function commit(repo: string, tree: Record<string, string>, message: string): string {
  for (const [path, text] of Object.entries(tree)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', message);
  return git(repo, 'rev-parse', 'HEAD').trim();
}

interface SyncRow {
  app: string;
  env: string;
  revision: string;
  result: string;
  owner: string;
  error: string | null;
}

/**
 * Three `sluice serve` replicas on one PostgreSQL database and one config repo of 12 process
 * scopes: every scope is synced by exactly one replica; after kill -9 of the replica holding the
 * most, the others take its scopes over and sync them, no sync is applied twice by anyone, and
 * one notification goes out per event.
 */
describe.skipIf(skip)('several replicas on one PostgreSQL', () => {
  const work = mkdtempSync(join(tmpdir(), 'sluice-pg-replicas-'));
  const replicas: Replica[] = [];
  let hook: WebhookReceiver | undefined;
  afterAll(async () => {
    await stopReplicas(replicas);
    await hook?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const readiness = (r: Replica) => getJson<Readiness>(`${r.url!}/readyz`);
  const alive = () => replicas.filter((r) => r.proc.child.exitCode === null && r.proc.child.signalCode === null);
  const syncsAt = (url: string, revision: string) =>
    query<SyncRow>(
      url,
      'SELECT app, env, revision, result, owner, error FROM syncs WHERE revision = $1 AND NOT dry_run',
      [revision],
    );
  const succeededScopes = async (url: string, revision: string) =>
    new Set((await syncsAt(url, revision)).filter((s) => s.result === 'Succeeded').map((s) => `${s.app}@${s.env}`));

  it('share the scopes, take over a killed replica’s within a lease period, apply nothing twice and notify once', async () => {
    const url = await createDatabase();
    hook = await startWebhookReceiver();
    const repo = join(work, 'config');
    mkdirSync(repo);
    git(repo, 'init', '-q', '-b', 'main');
    const r1 = commit(repo, files('1'), 'Twelve scopes');

    for (const name of ['replica-1', 'replica-2', 'replica-3']) {
      const dataDir = join(work, name);
      const proc = spawnSluice(
        ['--data-dir', dataDir, 'serve', '--repo', repo, '--port', '0', '--lease-duration', String(LEASE_SECONDS)],
        { SLUICE_STORE: url, SLUICE_INSTANCE: name, SLUICE_TEST_HOOK: hook.url },
      );
      replicas.push({ name, dataDir, proc });
    }
    for (const r of replicas) {
      await r.proc.waitFor(/dashboard\s+http:\/\/\S+\//, 90_000);
      r.url = /dashboard\s+(http:\/\/\S+?)\/\s/.exec(r.proc.output())![1]!;
    }

    // Balanced: every scope held once, nobody above 1.5× its share, one leader; all ready.
    const balanced = await eventually(
      async () => {
        const states = await Promise.all(replicas.map(readiness));
        const held = states.map((s) => s.scopesHeld);
        const leaders = states.filter((s) => s.leader).length;
        const sum = held.reduce((a, b) => a + b, 0);
        return sum === SCOPES && Math.max(...held) <= 1.5 * (SCOPES / 3) && leaders === 1 ? states : undefined;
      },
      120_000,
      'twelve scopes spread over three replicas, one leader',
    );
    for (const s of balanced) expect(s).toMatchObject({ ready: true, store: 'ok' });
    const leases = await query<{ holder: string; n: string }>(
      url,
      "SELECT holder, count(*) AS n FROM scope_leases WHERE app <> '' AND expires_at > clock_timestamp() GROUP BY holder",
    );
    expect(leases.reduce((n, l) => n + Number(l.n), 0)).toBe(SCOPES);
    await eventually(
      async () => ((await succeededScopes(url, r1)).size === SCOPES ? true : undefined),
      120_000,
      'every scope synced at the first revision',
    );

    // A new revision of every scope; kill -9 the replica with the most scopes once syncs of it run.
    const r2 = commit(repo, files('2'), 'Every scope changes');
    await eventually(
      async () => ((await syncsAt(url, r2)).length > 0 ? true : undefined),
      60_000,
      'the first sync of the new revision',
    );
    const before = await query<{ app: string; env: string; holder: string; token: string }>(
      url,
      "SELECT app, env, holder, token FROM scope_leases WHERE app <> ''",
    );
    const counts = new Map<string, number>();
    for (const l of before) counts.set(l.holder, (counts.get(l.holder) ?? 0) + 1);
    const victimName = [...counts].sort((x, y) => y[1] - x[1])[0]![0];
    const victim = replicas.find((r) => r.name === victimName)!;
    victim.proc.child.kill('SIGKILL');
    await victim.proc.exited;
    // What it wrote runs out within three quarters of the lease period, leaving the last quarter
    // for the others to claim and sync its scopes.
    const [left] = await query<{ ms: string | null }>(
      url,
      "SELECT (extract(epoch FROM max(expires_at) - clock_timestamp()) * 1000)::bigint AS ms FROM scope_leases WHERE app <> '' AND holder = $1",
      [victimName],
    );
    expect(Number(left!.ms)).toBeLessThanOrEqual(0.75 * LEASE_SECONDS * 1000);
    const orphaned = before.filter((l) => l.holder === victimName);
    const kept = before.filter((l) => l.holder !== victimName);
    expect(orphaned.length).toBeGreaterThan(0);

    // The survivors take every orphaned scope (higher tokens) and sync the new revision everywhere.
    await eventually(
      async () => {
        const now = await query<{ app: string; env: string; holder: string; token: string }>(
          url,
          "SELECT app, env, holder, token FROM scope_leases WHERE app <> '' AND expires_at > clock_timestamp()",
        );
        const moved = orphaned.every((o) =>
          now.some(
            (l) => l.app === o.app && l.env === o.env && l.holder !== victimName && Number(l.token) > Number(o.token),
          ),
        );
        return moved ? true : undefined;
      },
      120_000,
      "the killed replica's scopes leased to the others",
    );
    await eventually(
      async () => ((await succeededScopes(url, r2)).size === SCOPES ? true : undefined),
      120_000,
      'every scope synced at the new revision after the kill',
    );
    await eventually(
      async () => {
        const running = await query(url, "SELECT id FROM syncs WHERE result = 'Running'");
        return running.length === 0 ? true : undefined;
      },
      60_000,
      "no sync left Running (the new holders fail the killed replica's leftovers)",
    );

    const syncs = (await syncsAt(url, r2)).filter((s) => s.result === 'Succeeded');
    for (const l of kept) {
      // Scopes whose holder lived: exactly one applied sync of the revision.
      const of = syncs.filter((s) => s.app === l.app && s.env === l.env);
      expect(of.map((s) => s.owner)).toEqual([l.holder]);
    }
    for (const l of orphaned) {
      // Taken over: the new holder synced it (its processes live on its host); nobody twice.
      const of = syncs.filter((s) => s.app === l.app && s.env === l.env);
      const owners = of.map((s) => s.owner);
      expect(new Set(owners).size).toBe(owners.length);
      expect(owners.some((o) => o !== victimName)).toBe(true);
    }
    const survivors = alive();
    const after = await Promise.all(survivors.map(readiness));
    expect(after.reduce((n, s) => n + s.scopesHeld, 0)).toBe(SCOPES);
    for (const s of after) expect(s.scopesHeld).toBeLessThanOrEqual(1.5 * (SCOPES / 2));
    await eventually(
      async () =>
        (await Promise.all(survivors.map(readiness))).filter((s) => s.leader).length === 1 ? true : undefined,
      60_000,
      'one leader among the survivors',
    );

    // A broken app fails in its three environments: one event and one notification each.
    const broken = files('3');
    broken['apps/a/base/a.yaml'] = 'kind: [';
    const r3 = commit(repo, broken, 'Break app a');
    const failedEvents = async () =>
      query<{ app: string; env: string }>(
        url,
        "SELECT app, env FROM events WHERE type = 'sync.failed' AND message LIKE $1",
        [`${r3.slice(0, 7)}%`],
      );
    await eventually(
      async () => ((await failedEvents()).length >= ENVS.length ? true : undefined),
      120_000,
      'app a failing in every environment',
    );
    for (const r of survivors)
      await eventually(
        async () => {
          const status = await getJson<{ source: { revision?: string } }>(
            `${r.url!}/api/v1/status`,
            adminToken(r.dataDir),
          );
          return status.source.revision === r3 ? true : undefined;
        },
        60_000,
        `${r.name} at the broken revision`,
      );
    const deliveries = await hook.waitFor(ENVS.length, 30_000);
    const told = deliveries
      .map((d) => JSON.parse(d.raw) as { type: string; app: string; env: string })
      .filter((b) => b.type === 'sync.failed');
    expect(told.map((b) => `${b.app}@${b.env}`).sort()).toEqual(ENVS.map((e) => `a@${e}`).sort());
    expect((await failedEvents()).map((e) => `${e.app}@${e.env}`).sort()).toEqual(ENVS.map((e) => `a@${e}`).sort());
  }, 600_000);
});
