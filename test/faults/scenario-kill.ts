// kill -9 of `sluice serve` at random points of syncs, rolls, promotions and rollbacks; after
// each restart every scope must converge with no orphan, no duplicate and nothing lost.
import { join } from 'node:path';
import type { ProjectStatus } from '../../src/reconcile/status.js';
import {
  ApiError,
  auditProcesses,
  auditStore,
  ConfigRepo,
  describeStatus,
  freePort,
  freePortBlock,
  killMarked,
  log as say,
  onCleanup,
  sleep,
  Sluice,
  tempDir,
  waitConverged,
  waitFor,
  type Build,
} from './harness.js';
import { Rng } from './rng.js';

export interface KillCounts {
  kills: number;
  orphans: number;
  duplicates: number;
  lost: number;
}

export interface KillResult {
  counts: KillCounts;
  failures: string[];
}

type Action = 'commit' | 'set-image' | 'sync' | 'promote' | 'rollback' | 'restart';

interface PromotionSeen {
  id: number;
  env: string;
  atKill: number;
}

interface PromotionView {
  id: number;
  env: string;
  state: string;
  approvals?: { actor: string }[];
}

const ENVS = ['dev', 'staging', 'prod'] as const;
const SCOPES = ENVS.map((e) => `hello@${e}`);

/**
 * Runs `lanes` independent Sluice instances side by side (own repo, data dir and ports), each
 * with its own share of the kills and its own generator seeded `seed + lane`: most of a kill's
 * time is spent waiting for timers, so two lanes nearly halve the wall time on two cores.
 */
export async function killScenario(seed: number, kills: number, lanes: number): Promise<KillResult> {
  const shares = Array.from(
    { length: lanes },
    (_, i) => Math.floor(kills / lanes) + (i < kills % lanes ? 1 : 0),
  ).filter((n) => n > 0);
  const results = await Promise.all(shares.map((n, i) => killLane(i + 1, new Rng(seed + i), n)));
  const counts: KillCounts = { kills: 0, orphans: 0, duplicates: 0, lost: 0 };
  for (const r of results) for (const k of Object.keys(counts) as (keyof KillCounts)[]) counts[k] += r.counts[k];
  return { counts, failures: results.flatMap((r) => r.failures) };
}

async function killLane(lane: number, rng: Rng, kills: number): Promise<KillResult> {
  const log = (m: string) => say(`[lane ${lane}, seed ${rng.seed}] ${m}`);
  const dir = tempDir(`kill${lane}`);
  const dataDir = join(dir, 'data');
  let ciToken: string | undefined;
  // Changes come from a CI token; each approval from a reviewer of its own.
  const asCi = async () => (ciToken ??= await Sluice.token(dataDir, 'ci', 'deployer', 'ci'));
  const basePort = await freePortBlock(80);
  const repo = new ConfigRepo(dir, {
    basePort,
    faultDir: join(dir, 'flags'),
    envs: [
      { name: 'dev', replicas: 1 },
      { name: 'staging', replicas: 1 },
      { name: 'prod', replicas: 2 },
    ],
  });
  onCleanup(() => void killMarked(dataDir));
  const port = await freePort();
  const serve = { dataDir, repo: repo.bare, port, logFile: join(dir, 'sluice-output.log') };
  let sluice = await Sluice.start(serve);
  onCleanup(() => sluice.stop());
  await waitConverged(sluice, repo, SCOPES, 120_000);
  log(`kill: Sluice converged on ${repo.tip().slice(0, 7)}; ${kills} kills follow (data dir ${dataDir})`);

  const counts: KillCounts = { kills: 0, orphans: 0, duplicates: 0, lost: 0 };
  const failures: string[] = [];
  const promotions = new Map<number, PromotionSeen>();
  const builds: Build[] = [repo.first];
  const reported = new Set<string>();
  let nextVersion = 1;

  const record = (kind: keyof Omit<KillCounts, 'kills'> | 'failure', what: string) => {
    if (kind !== 'failure') counts[kind]++;
    failures.push(`lane ${lane} (seed ${rng.seed}), kill ${counts.kills}: ${what}`);
    log(`FAIL kill ${counts.kills}: ${what}`);
  };

  const restart = async () => {
    sluice = Sluice.spawn(serve);
    await sluice.ready(90_000);
  };

  for (let k = 1; counts.kills < kills; k++) {
    const action = rng.weighted<Action>({
      commit: 30,
      'set-image': 12,
      sync: 14,
      promote: 22,
      rollback: 10,
      restart: 12,
    });
    const env = rng.pick(
      action === 'promote'
        ? ['staging', 'prod']
        : action === 'rollback'
          ? ['dev', 'staging', 'prod']
          : action === 'set-image'
            ? ['dev']
            : ['dev', 'staging'],
    );
    const waitSyncing = rng.next() < 0.5;
    const delay = rng.int(0, waitSyncing ? 1000 : 2000);
    const describe = `${action}${action === 'restart' ? '' : ` ${env}`}, kill ${waitSyncing ? `${delay} ms after a scope shows Syncing` : `after ${delay} ms`}`;

    let done: Promise<unknown> = Promise.resolve();
    if (action === 'restart') {
      // A kill while Sluice starts: recovery, adoption and the startup syncs are interrupted.
      await sluice.kill9();
      counts.kills++;
      await restart();
    } else {
      done = act(action, env, k).catch((e: unknown) =>
        e instanceof ApiError || isConnectionError(e) ? undefined : Promise.reject(e),
      );
    }
    // Not every action leads to a sync (a promotion of what already runs changes nothing): wait a little, not long.
    if (waitSyncing) await untilSyncing(sluice, 3000);
    await sleep(delay);
    await sluice.kill9();
    counts.kills++;
    await done.catch((e: unknown) => record('failure', `the ${action} action failed: ${(e as Error).message}`));

    const t0 = Date.now();
    try {
      await restart();
    } catch (e) {
      record('failure', `restart after ${describe}: ${(e as Error).message}`);
      break;
    }
    // A reviewer looks at the open requests again, as a person would after an outage.
    await approveOpen(sluice, promotions, k).catch(() => undefined);

    let status: ProjectStatus;
    try {
      status = await waitConverged(sluice, repo, SCOPES, 150_000);
    } catch (e) {
      record('failure', `did not converge after ${describe}: ${(e as Error).message}`);
      break;
    }
    const t1 = Date.now();
    await auditAfter(k, describe, status);
    if (process.env.SLUICE_FAULT_VERBOSE)
      log(`kill ${counts.kills}: ${describe}; up and converged in ${t1 - t0} ms, audited in ${Date.now() - t1} ms`);
    if (k % 10 === 0 || counts.kills >= kills)
      log(
        `kill: ${counts.kills}/${kills} kills, ${counts.orphans} orphans, ${counts.duplicates} duplicates, ${counts.lost} lost`,
      );
  }
  return { counts, failures };

  async function act(action: Exclude<Action, 'restart'>, env: string, k: number): Promise<unknown> {
    switch (action) {
      case 'commit':
        return repo.commit((read, write) => {
          const path = `apps/hello/overlays/${env}/hello.yaml`;
          const text = read(path);
          const change = rng.pick(['greeting', 'replicas'] as const);
          write(
            path,
            change === 'greeting'
              ? text.replace(/GREETING: "[^"]*"/, `GREETING: "kill-${k}"`)
              : text.replace(/^ {2}replicas: (\d+)$/m, (_m, n: string) => `  replicas: ${n === '1' ? 2 : 1}`),
          );
        }, `Change ${env} before kill ${k}`);
      case 'set-image': {
        const b = repo.build(`1.${nextVersion++}.0`);
        builds.push(b);
        return sluice.api('/api/v1/apps/hello/envs/dev/artifacts', { artifacts: [b.arg] }, undefined, await asCi());
      }
      case 'sync':
        return sluice.api(`/api/v1/apps/hello/envs/${env}/sync`, {});
      case 'promote': {
        const out = await sluice.api<{ mode: string; promotion?: { id: number } }>(
          '/api/v1/promotions',
          {
            app: 'hello',
            to: env,
          },
          undefined,
          await asCi(),
        );
        if (out.promotion) promotions.set(out.promotion.id, { id: out.promotion.id, env, atKill: k });
        if (out.mode === 'requested' && out.promotion) {
          return sluice.api(
            `/api/v1/promotions/${out.promotion.id}/approve`,
            {},
            undefined,
            await reviewer(dataDir, `reviewer-${k}`),
          );
        }
        return out;
      }
      case 'rollback':
        return sluice.api(`/api/v1/apps/hello/envs/${env}/rollback`, { wait: false });
    }
  }

  async function auditAfter(k: number, describe: string, status: ProjectStatus): Promise<void> {
    const desired = Object.fromEntries(ENVS.map((e) => [`hello@${e}`, repo.desiredReplicas(e)]));
    // Old replicas of a roll get their grace period to exit; give the picture a moment to settle.
    let procs = auditProcesses(dataDir, desired);
    const settleUntil = Date.now() + 20_000;
    while ((procs.orphans.length || procs.duplicates.length || procs.missing.length) && Date.now() < settleUntil) {
      await sleep(250);
      procs = auditProcesses(dataDir, desired);
    }
    for (const o of procs.orphans) record('orphans', `orphan after ${describe}: ${o}`);
    for (const d of procs.duplicates) record('duplicates', `duplicate after ${describe}: ${d}`);
    for (const m of procs.missing)
      record('failure', `missing replica after ${describe}: ${m}\n${describeStatus(status)}`);

    // A damaged record stays in the store: count it at the kill that caused it, not at every later one.
    const store = auditStore(dataDir);
    const once = (kind: 'lost' | 'duplicates', finding: string) => {
      if (reported.has(finding)) return;
      reported.add(finding);
      record(kind, `${finding} after ${describe}`);
    };
    for (const r of store.running) once('lost', r);
    for (const d of store.doubleFinal) once('duplicates', d);
    for (const d of store.doubleVerification) once('duplicates', d);
    for (const n of store.noLedger) once('lost', n);

    for (const p of promotions.values()) {
      let view: PromotionView;
      try {
        view = await sluice.api<PromotionView>(`/api/v1/promotions/${p.id}`);
      } catch (e) {
        record(
          'lost',
          `promotion #${p.id} (to ${p.env}, created before kill ${p.atKill}) is gone: ${(e as Error).message}`,
        );
        promotions.delete(p.id);
        continue;
      }
      const commits = repo.promotionCommits(p.id);
      if (commits.length > 1)
        record(
          'duplicates',
          `promotion #${p.id} was applied ${commits.length} times: ${commits.map((c) => c.slice(0, 7)).join(' ')}`,
        );
      if (view.state === 'merged' && commits.length === 0 && p.env === 'prod')
        record('lost', `promotion #${p.id} is merged but no commit on main carries it`);
      if (view.state !== 'merged' && commits.length > 0) {
        // The merge may be landing this instant; only a lasting mismatch is a lost record.
        await sleep(2000);
        const again = await sluice.api<PromotionView>(`/api/v1/promotions/${p.id}`);
        if (again.state !== 'merged')
          record(
            'lost',
            `promotion #${p.id} is ${again.state} though commit ${commits[0]!.slice(0, 7)} on main merged it`,
          );
      }
      if (view.state !== 'open') promotions.delete(p.id);
    }
    void k;
  }
}

/** Approves every open request the suite created with a reviewer not seen before. */
const reviewers = new Map<string, Promise<string>>();
/** An approver token for `name`, made once per data dir. */
function reviewer(dataDir: string, name: string): Promise<string> {
  const key = `${dataDir}\0${name}`;
  let t = reviewers.get(key);
  if (!t) reviewers.set(key, (t = Sluice.token(dataDir, name, 'approver', name)));
  return t;
}

async function approveOpen(sluice: Sluice, promotions: Map<number, PromotionSeen>, k: number): Promise<void> {
  for (const p of promotions.values()) {
    const view = await sluice.api<PromotionView>(`/api/v1/promotions/${p.id}`);
    if (view.state !== 'open') continue;
    await sluice
      .api(`/api/v1/promotions/${p.id}/approve`, {}, undefined, await reviewer(sluice.o.dataDir, `reviewer-after-${k}`))
      .catch(() => undefined);
  }
}

async function untilSyncing(sluice: Sluice, timeoutMs: number): Promise<void> {
  await waitFor(
    'a scope to show Syncing',
    timeoutMs,
    async () => ((await sluice.status(2000)).apps.some((a) => a.sync === 'Syncing') ? true : undefined),
    undefined,
    50,
  ).catch(() => undefined);
}

function isConnectionError(e: unknown): boolean {
  const text = `${(e as Error).message} ${String((e as { cause?: unknown }).cause ?? '')}`;
  return /fetch failed|ECONNREFUSED|ECONNRESET|socket|other side closed|aborted|timeout/i.test(text);
}
