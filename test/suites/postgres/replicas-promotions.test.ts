import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/hosted-fakes/webhook-receiver.js';
import { adminToken, bearer, eventually, getJson, git, spawnSluice } from '../../support/sluice.js';
import { createDatabase, query, skip } from './helpers.js';
import { stopReplicas, type Replica } from './replica.js';

const APPS = ['a', 'b', 'c', 'd'];
const LEASE_SECONDS = 6;

interface Readiness {
  leader: boolean;
  scopesHeld: number;
}

interface Promotion {
  id: number;
  app: string;
  env: string;
  state: string;
  revision?: string;
  message?: string;
}

/** A build to set: any file works as the artifact of a process that only sleeps. */
function build(dir: string, app: string, version: string): { arg: string; path: string; sha256: string } {
  const path = join(dir, `${app}-${version}.txt`);
  const text = `${app} ${version}\n`;
  writeFileSync(path, text);
  const sha256 = createHash('sha256').update(text).digest('hex');
  return { arg: `${app}=${path}:${version}@sha256:${sha256}`, path, sha256 };
}

function processYaml(app: string, artifact: { path: string; sha256: string }): string {
  return `apiVersion: sluice.dev/v1alpha1
kind: Process
metadata:
  name: ${app}
  annotations:
    sluice.dev/artifact-tag: "1.0.0"
spec:
  command: /bin/sleep
  args: ["600"]
  artifact: { path: ${JSON.stringify(artifact.path)}, sha256: ${artifact.sha256} }
  terminationGracePeriodSeconds: 1
`;
}

async function post<T>(url: string, token: string, body: unknown): Promise<T> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status} ${text}`);
  return JSON.parse(text) as T;
}

/**
 * The issue's "done means" for promotions: three `sluice serve` replicas on one PostgreSQL,
 * promotion requests open for four apps, and the leader killed with -9 while approvals sent to
 * it are being merged. Every request still ends merged, by exactly one commit and one ledger
 * change; no replica applies a sync of the same revision twice; each promotion is told once.
 */
describe.skipIf(skip)('promotions while a replica is killed', () => {
  const work = mkdtempSync(join(tmpdir(), 'sluice-pg-promotions-'));
  const replicas: Replica[] = [];
  let hook: WebhookReceiver | undefined;
  afterAll(async () => {
    await stopReplicas(replicas);
    await hook?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('merges every open request exactly once, applies nothing twice and tells each promotion once', async () => {
    const url = await createDatabase();
    hook = await startWebhookReceiver();
    const builds = join(work, 'builds');
    mkdirSync(builds);
    const origin = join(work, 'origin.git');
    const clone = join(work, 'clone');
    git(work, 'init', '-q', '--bare', '-b', 'main', origin);
    git(work, 'init', '-q', '-b', 'main', clone);
    const files: Record<string, string> = {
      'sluice.yaml': `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata: { name: fleet }
spec:
  targets:
    local: { provider: process }
  environments:
    - { name: dev, target: local, sync: auto, healthTimeout: 60s }
    - name: prod
      target: local
      sync: auto
      healthTimeout: 60s
      promotion: { from: dev, approvals: 1 }
  apps:
${APPS.map((a) => `    - { name: ${a}, path: apps/${a} }`).join('\n')}
  notifications:
    - name: ops
      type: webhook
      urlFrom: { env: SLUICE_TEST_HOOK }
      events: [promotion.awaiting-approval, promoted]
`,
    };
    for (const a of APPS)
      for (const env of ['dev', 'prod'])
        files[`apps/${a}/overlays/${env}/${a}.yaml`] = processYaml(a, build(builds, a, '1.0.0'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(clone, path)), { recursive: true });
      writeFileSync(join(clone, path), text);
    }
    git(clone, 'add', '-A');
    git(clone, 'commit', '-qm', 'Four apps in dev and prod');
    git(clone, 'push', '-q', origin, 'main');

    for (const name of ['replica-1', 'replica-2', 'replica-3']) {
      const dataDir = join(work, name);
      const proc = spawnSluice(
        [
          '--data-dir',
          dataDir,
          'serve',
          '--repo',
          `file://${origin}`,
          '--poll',
          '1',
          '--port',
          '0',
          '--lease-duration',
          String(LEASE_SECONDS),
        ],
        { SLUICE_STORE: url, SLUICE_INSTANCE: name, SLUICE_TEST_HOOK: hook.url },
      );
      replicas.push({ name, dataDir, proc });
    }
    for (const r of replicas) {
      await r.proc.waitFor(/dashboard\s+http:\/\/\S+\//, 90_000);
      r.url = /dashboard\s+(http:\/\/\S+?)\/\s/.exec(r.proc.output())![1]!;
    }
    const token = (r: Replica) => adminToken(r.dataDir);
    const readiness = (r: Replica) => getJson<Readiness>(`${r.url!}/readyz`);
    const states = await eventually(
      async () => {
        const s = await Promise.all(replicas.map(readiness));
        return s.reduce((n, x) => n + x.scopesHeld, 0) === APPS.length * 2 && s.filter((x) => x.leader).length === 1
          ? s
          : undefined;
      },
      120_000,
      'eight scopes spread over three replicas, one leader',
    );
    const victim = replicas[states.findIndex((s) => s.leader)]!;
    const others = replicas.filter((r) => r !== victim);

    // A new build of every app in dev, then a request to promote each to prod (one approval needed).
    for (const a of APPS)
      await post(`${others[0]!.url!}/api/v1/apps/${a}/envs/dev/artifacts`, token(others[0]!), {
        artifacts: [build(builds, a, '2.0.0').arg],
      });
    // Each set-image is its own commit, and a scope is synced only at revisions that change it.
    const runs = (env: string) => async () => {
      const rows = await query<{ app: string }>(
        url,
        "SELECT DISTINCT a.app FROM applied_artifacts a JOIN syncs s ON s.id = a.sync_id WHERE a.env = $1 AND a.artifacts LIKE '%2.0.0%' AND s.result = 'Succeeded'",
        [env],
      );
      return rows.length === APPS.length ? true : undefined;
    };
    await eventually(runs('dev'), 120_000, 'the new builds synced in dev');
    const opened: Promotion[] = [];
    for (const a of APPS) {
      const out = await post<{ mode: string; promotion: Promotion }>(
        `${others[0]!.url!}/api/v1/promotions`,
        token(others[0]!),
        { app: a, to: 'prod' },
      );
      expect(out.mode).toBe('requested');
      opened.push(out.promotion);
    }

    // Approvals go to the leader; once the first is recorded it is killed, mid-merge.
    const approvals = opened.map((p) =>
      post<Promotion>(`${victim.url!}/api/v1/promotions/${p.id}/approve`, token(victim), {}).then(
        (v) => v,
        (e: Error) => e,
      ),
    );
    await eventually(
      async () => ((await query(url, 'SELECT id FROM approvals')).length > 0 ? true : undefined),
      60_000,
      'the first approval recorded',
    );
    victim.proc.child.kill('SIGKILL');
    await victim.proc.exited;
    const answered = await Promise.all(approvals);

    // A client whose approval got no answer asks a survivor again; one already recorded is no
    // new approval, one already merged is refused as no longer open.
    for (const [i, a] of answered.entries()) {
      if (!(a instanceof Error)) continue;
      await post(`${others[1]!.url!}/api/v1/promotions/${opened[i]!.id}/approve`, token(others[1]!), {}).catch(
        (e: Error) => expect(e.message).toMatch(/PROMOTE_NOT_OPEN|not open|merged/),
      );
    }
    let seen = '';
    const merged = await eventually(
      async () => {
        const list = await Promise.all(
          opened.map((p) => getJson<Promotion>(`${others[0]!.url!}/api/v1/promotions/${p.id}`, token(others[0]!))),
        );
        seen = list.map((p) => `#${p.id} ${p.state}${p.message ? ` (${p.message})` : ''}`).join(', ');
        return list.every((p) => p.state === 'merged') ? list : undefined;
      },
      180_000,
      'every promotion merged after the kill',
    ).catch((e: Error) => {
      throw new Error(
        `${e.message} (${seen}; approvals answered: ${answered.map((a) => (a instanceof Error ? a.message : a.state)).join(' | ')})`,
      );
    });

    // One commit and one ledger change per request, and the commit is the one recorded.
    for (const p of merged) {
      const commits = git(
        work,
        '--git-dir',
        origin,
        'log',
        '--format=%H',
        '--grep',
        `^Sluice-Promotion: ${p.id}$`,
        'main',
      )
        .trim()
        .split('\n')
        .filter(Boolean);
      expect(commits, `commits of promotion #${p.id}`).toHaveLength(1);
      expect(p.revision).toBe(commits[0]);
      const changes = await query(url, 'SELECT id FROM ledger_changes WHERE promotion_id = $1', [p.id]);
      expect(changes, `ledger changes of promotion #${p.id}`).toHaveLength(1);
    }

    // prod runs the promoted build everywhere, each merged revision applied once per holder.
    await eventually(runs('prod'), 120_000, 'the promoted builds synced in prod');
    await eventually(
      async () => ((await query(url, "SELECT id FROM syncs WHERE result = 'Running'")).length === 0 ? true : undefined),
      60_000,
      'no sync left Running',
    );
    const twice = await query<{ app: string; env: string; revision: string; owner: string; n: string }>(
      url,
      `SELECT app, env, revision, owner, count(*) AS n FROM syncs
       WHERE result = 'Succeeded' AND NOT dry_run GROUP BY app, env, revision, owner HAVING count(*) > 1`,
    );
    expect(twice).toEqual([]);

    // Told once each: a request awaiting approval, and each promotion once it landed in prod.
    await eventually(
      async () => {
        const events = await query(url, "SELECT id FROM events WHERE type = 'promoted'");
        return events.length >= APPS.length ? true : undefined;
      },
      120_000,
      'every promotion landed',
    );
    const deliveries = await hook.waitFor(APPS.length * 2, 30_000);
    const told = deliveries
      .map((d) => JSON.parse(d.raw) as { type: string; app: string; env: string })
      .map((b) => `${b.type} ${b.app}@${b.env}`)
      .sort();
    expect(told).toEqual(APPS.flatMap((a) => [`promoted ${a}@prod`, `promotion.awaiting-approval ${a}@prod`]).sort());
    const events = await query<{ type: string; app: string }>(
      url,
      "SELECT type, app FROM events WHERE type IN ('promoted', 'promotion.requested') ORDER BY app, type",
    );
    expect(events.map((e) => `${e.type} ${e.app}`).sort()).toEqual(
      APPS.flatMap((a) => [`promoted ${a}`, `promotion.requested ${a}`]).sort(),
    );
  }, 600_000);
});
