/**
 * Sluice at scale: N app × environment scopes (a ConfigMap each on the test kube-apiserver)
 * reconciled by 1 and then by 3 `sluice serve` replicas, real OS processes sharing one
 * PostgreSQL (a throwaway cluster, as the PostgreSQL suite starts). For each run:
 *
 *   first sync      from the replicas' start until every scope has a succeeded sync
 *   no-change pass  CPU of each replica (from /proc) while it takes in a revision that changes
 *                   no scope, until every replica shows it and no scope is out of sync
 *   idle CPU        CPU of each replica per drift interval (5 s) with nothing changing
 *   status p99      wrk against GET /api/v1/status (whole and one page of 100) at ~200 req/s
 *   failover        (3 replicas) after kill -9 of the replica holding the most scopes, right
 *                   after it renewed its leases, until every one of its scopes is leased to a
 *                   survivor and synced by it
 *   peak RSS        VmHWM of each replica
 *
 *   npm run bench:scale                          # 10,000 scopes
 *   BENCH_SCALE_SCOPES=1000 npm run bench:scale  # a smaller run
 *   BENCH_SCALE_ENVS (environments, default 10), BENCH_SCALE_SECONDS (each wrk run, default 10),
 *   BENCH_SCALE_LEASE (lease duration in seconds, default Sluice's 15),
 *   BENCH_SCALE_REPLICAS (default "1,3"), BENCH_SCALE_TIMEOUT (seconds a phase may take, default 3600),
 *   BENCH_SCALE_SOAK_MINUTES (default 0: after the status figures, a no-change commit a minute
 *   for that long, the replicas' resident memory sampled each minute)
 *   --output json                                # the figures as JSON on stdout, after the table
 *
 * Needs PostgreSQL (Debian's postgresql), wrk and Go for the test kube-apiserver (built once
 * and cached; SLUICE_KUBE_CACHE points at an existing cache).
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { buildBinaries, startServer } from '../test/suites/kubernetes/server.js';
import { query, startCluster, type Cluster } from '../test/suites/postgres/cluster.js';
import { adminToken, getJson, git, spawnSluice, type SluiceProcess } from '../test/support/sluice.js';

const SCOPES = Number(process.env.BENCH_SCALE_SCOPES ?? 10_000);
const ENV_COUNT = Math.max(1, Math.min(Number(process.env.BENCH_SCALE_ENVS ?? 10), SCOPES));
const WRK_SECONDS = Number(process.env.BENCH_SCALE_SECONDS ?? 10);
const LEASE_SECONDS = process.env.BENCH_SCALE_LEASE;
const RUNS = (process.env.BENCH_SCALE_REPLICAS ?? '1,3').split(',').map(Number);
const PHASE_MS = Number(process.env.BENCH_SCALE_TIMEOUT ?? 3600) * 1000;
const SOAK_MINUTES = Number(process.env.BENCH_SCALE_SOAK_MINUTES ?? 0);
const JSON_OUT = process.argv.includes('--output') && process.argv[process.argv.indexOf('--output') + 1] === 'json';
/** The controller's drift interval: one no-change pass over every scope each time. */
const DRIFT_MS = 5000;
/** Requests per second wrk is paced to: one request per connection every CONNECTIONS/RATE s. */
const RATE = 200;
const CONNECTIONS = 4;

const ENV_NAMES = [
  'dev',
  'test',
  'qa',
  'stage',
  'perf',
  'prod-eu-1',
  'prod-eu-2',
  'prod-us-1',
  'prod-us-2',
  'prod-ap-1',
];
const envs = Array.from({ length: ENV_COUNT }, (_, i) => ENV_NAMES[i] ?? `env-${i}`);
const appCount = Math.ceil(SCOPES / ENV_COUNT);
/** Scope i is app floor(i / envs) in environment i mod envs, so the last app may run in fewer. */
const scopes = Array.from({ length: SCOPES }, (_, i) => ({
  app: `svc-${String(Math.floor(i / ENV_COUNT)).padStart(5, '0')}`,
  env: envs[i % ENV_COUNT]!,
}));

interface Replica {
  name: string;
  dataDir: string;
  proc: SluiceProcess;
  pid: number;
  url: string;
}

interface RunFigures {
  replicas: number;
  scopes: number;
  firstSyncSeconds: number;
  noChangePass: { cpuSeconds: number[]; wallSeconds: number };
  idleCpuSecondsPerDriftPass: number[];
  status: { path: string; p99Ms: number; rps: number }[];
  failover?: { victim: string; scopes: number; seconds: number; leasedSeconds: number };
  /** Resident memory of each replica, MiB, sampled once a minute while no-change commits land. */
  soak?: { minutes: number; rssMiB: number[][] };
  peakRssMiB: number[];
  load: string;
}

const log = (m: string) => console.error(`[bench:scale ${new Date().toISOString().slice(11, 19)}] ${m}`);
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident set (VmRSS) of a live process now, in MiB. */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Peak resident set (VmHWM) of a live process, in MiB. */
function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function until<T>(
  what: string | (() => string),
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The config repo: many apps in many environments, one overlay (a ConfigMap) per scope. */
function writeRepo(repo: string, kubeconfig: string, prefix: string): string {
  mkdirSync(repo, { recursive: true });
  git(repo, 'init', '-q', '-b', 'main');
  const project = `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata: { name: fleet }
spec:
  targets:
    cluster: { provider: kubernetes, kubeconfig: ${JSON.stringify(kubeconfig)} }
  environments:
${envs.map((e) => `    - { name: ${e}, target: cluster, sync: auto, selfHeal: true, prune: true }`).join('\n')}
  apps:
${Array.from({ length: appCount }, (_, a) => `    - { name: ${scopes[a * ENV_COUNT]!.app}, path: apps/${scopes[a * ENV_COUNT]!.app} }`).join('\n')}
`;
  writeFileSync(join(repo, 'sluice.yaml'), project);
  for (const { app, env } of scopes) {
    const file = join(repo, 'apps', app, 'overlays', env, 'config.yaml');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(
      file,
      `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${app}
  namespace: ${prefix}-${env}
  labels: { app.kubernetes.io/name: ${app}, app.kubernetes.io/part-of: fleet }
data:
  LOG_LEVEL: info
  REGION: ${env}
  FEATURE_FLAGS: "checkout-v2,search-v3"
`,
    );
  }
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', `${SCOPES} scopes`);
  return git(repo, 'rev-parse', 'HEAD').trim();
}

async function createDatabase(cluster: Cluster, name: string): Promise<string> {
  await query(cluster.urlOf('postgres'), `CREATE DATABASE ${name}`);
  return cluster.urlOf(name);
}

const succeededAt = async (url: string, revision: string) =>
  Number(
    (
      await query<{ n: string }>(
        url,
        "SELECT count(DISTINCT (app, env)) AS n FROM syncs WHERE revision = $1 AND result = 'Succeeded' AND NOT dry_run",
        [revision],
      )
    )[0]!.n,
  );

/**
 * p99 and rate from wrk paced to RATE requests per second: each connection waits between
 * requests (a Lua delay) for its share of the period less the mean latency, measured first by
 * a short run of one connection, so a slower answer does not lower the rate offered.
 */
async function wrk(url: string, token: string, work: string): Promise<{ p99Ms: number; rps: number }> {
  const run = async (connections: number, seconds: number, script?: string) => {
    const { stdout } = await promisify(execFile)(
      'wrk',
      [
        `-t${Math.min(2, connections)}`,
        `-c${connections}`,
        `-d${seconds}s`,
        '--latency',
        '--timeout',
        '10s',
        ...(script ? ['-s', script] : []),
        '-H',
        `Authorization: Bearer ${token}`,
        url,
      ],
      { encoding: 'utf8' },
    );
    if (/Non-2xx/.test(stdout)) throw new Error(`answers other than 2xx from ${url}:\n${stdout}`);
    const ms = (re: RegExp) => {
      const m = re.exec(stdout);
      return m ? Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2] as 'us' | 'ms' | 's'] : NaN;
    };
    const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
    return {
      meanMs: ms(/Latency\s+([\d.]+)(us|ms|s)\b/),
      p99Ms: ms(/99%\s+([\d.]+)(us|ms|s)\b/),
      rps: rps ? Number(rps[1]) : NaN,
    };
  };
  const { meanMs } = await run(1, 2);
  const script = join(work, 'pace.lua');
  const delayMs = Math.max(0, Math.round((1000 * CONNECTIONS) / RATE - (Number.isFinite(meanMs) ? meanMs : 0)));
  writeFileSync(script, `function delay()\n  return ${delayMs}\nend\n`);
  const { p99Ms, rps } = await run(CONNECTIONS, WRK_SECONDS, script);
  return { p99Ms, rps };
}

async function stopReplicas(replicas: Replica[]): Promise<void> {
  for (const r of replicas)
    if (r.proc.child.exitCode === null && r.proc.child.signalCode === null) r.proc.child.kill('SIGTERM');
  for (const r of replicas) {
    const t = setTimeout(() => r.proc.child.kill('SIGKILL'), 30_000);
    await r.proc.exited;
    clearTimeout(t);
  }
}

async function runWith(
  count: number,
  o: { cluster: Cluster; kubectl: (args: string[]) => void; kubeconfig: string; work: string },
): Promise<RunFigures> {
  const prefix = `r${count}`;
  const url = await createDatabase(o.cluster, `scale_${prefix}`);
  const namespaces = join(o.work, `namespaces-${prefix}.yaml`);
  writeFileSync(
    namespaces,
    envs.map((e) => `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${prefix}-${e} }\n`).join('---\n'),
  );
  o.kubectl(['apply', '--server-side', '-f', namespaces]);
  const repo = join(o.work, `repo-${prefix}`);
  log(`${count} replica(s): writing ${SCOPES} scopes (${appCount} apps × ${ENV_COUNT} environments)`);
  const r1 = writeRepo(repo, o.kubeconfig, prefix);

  const replicas: Replica[] = [];
  try {
    const t0 = performance.now();
    for (let i = 1; i <= count; i++) {
      const name = `${prefix}-replica-${i}`;
      const dataDir = join(o.work, name);
      const args = ['--data-dir', dataDir, 'serve', '--repo', repo, '--port', '0'];
      if (LEASE_SECONDS) args.push('--lease-duration', LEASE_SECONDS);
      const proc = spawnSluice(args, { SLUICE_STORE: url, SLUICE_INSTANCE: name, SLUICE_LOG_LEVEL: 'warn' });
      replicas.push({ name, dataDir, proc, pid: proc.child.pid!, url: '' });
    }
    for (const r of replicas) {
      await r.proc.waitFor(/dashboard\s+http:\/\/\S+\//, 300_000);
      r.url = /dashboard\s+(http:\/\/\S+?)\/\s/.exec(r.proc.output())![1]!;
    }
    let lastSeen = -1;
    await until('every scope synced', PHASE_MS, async () => {
      const n = await succeededAt(url, r1);
      if (n !== lastSeen && (n === SCOPES || Math.floor(n / 1000) !== Math.floor(lastSeen / 1000)))
        log(`${n} of ${SCOPES} scopes synced (load ${load()})`);
      lastSeen = n;
      return n === SCOPES ? true : undefined;
    });
    const firstSyncSeconds = (performance.now() - t0) / 1000;
    log(`first full sync in ${firstSyncSeconds.toFixed(1)} s`);

    // Each replica has an admin token of its own, in its data directory.
    const token = (r: Replica) => adminToken(r.dataDir);
    // Settled is judged from the store: a replica's view of the scopes others hold follows it
    // only a lease round later.
    const running = async () =>
      Number((await query<{ n: string }>(url, "SELECT count(*) AS n FROM syncs WHERE result = 'Running'"))[0]!.n);
    let settled = '';
    await until(
      () => `the replicas to settle (${settled})`,
      PHASE_MS,
      async () => {
        const held = await Promise.all(
          replicas.map((r) => getJson<{ scopesHeld: number }>(`${r.url}/readyz`).then((s) => s.scopesHeld)),
        );
        const left = await running();
        settled = `scopes held ${held.join(' / ')}, ${left} syncs running`;
        return held.reduce((x, y) => x + y, 0) === SCOPES && held.every((h) => h > 0) && left === 0 ? true : undefined;
      },
    );

    const idleFrom = replicas.map((r) => cpuSeconds(r.pid));
    await new Promise((r) => setTimeout(r, 2 * DRIFT_MS));
    const idleCpuSecondsPerDriftPass = replicas.map((r, i) => (cpuSeconds(r.pid) - idleFrom[i]!) / 2);

    // A revision no scope reads: each replica takes it in and finds nothing to do.
    const passFrom = replicas.map((r) => cpuSeconds(r.pid));
    const tPass = performance.now();
    writeFileSync(join(repo, 'README.md'), '# The fleet\n\nEvery service in every region.\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'Say what the repo is');
    const r2 = git(repo, 'rev-parse', 'HEAD').trim();
    await until('every replica at the no-change revision', PHASE_MS, async () => {
      const at = await Promise.all(
        replicas.map((r) =>
          getJson<{ source: { revision?: string } }>(`${r.url}/api/v1/status?limit=1`, token(r)).then(
            (s) => s.source.revision === r2,
          ),
        ),
      );
      if (!at.every(Boolean)) return undefined;
      return (await running()) === 0 ? true : undefined;
    });
    const noChangePass = {
      cpuSeconds: replicas.map((r, i) => cpuSeconds(r.pid) - passFrom[i]!),
      wallSeconds: (performance.now() - tPass) / 1000,
    };
    const applied = await succeededAt(url, r2);
    if (applied > 0) log(`note: ${applied} scopes were synced again at a revision that changes none`);

    const status: RunFigures['status'] = [];
    for (const path of ['/api/v1/status?limit=100', '/api/v1/status']) {
      const r = await wrk(`${replicas[0]!.url}${path}`, token(replicas[0]!), o.work);
      status.push({ path, ...r });
      log(`GET ${path}: p99 ${r.p99Ms.toFixed(1)} ms at ${r.rps.toFixed(0)} req/s`);
    }

    let soak: RunFigures['soak'];
    if (SOAK_MINUTES > 0) {
      // Passes over and over with nothing to do: memory that grows here grows forever.
      const rss: number[][] = [replicas.map((r) => rssMiB(r.pid))];
      for (let m = 1; m <= SOAK_MINUTES; m++) {
        writeFileSync(join(repo, 'README.md'), `# The fleet\n\nEvery service in every region (minute ${m}).\n`);
        git(repo, 'commit', '-qam', `Minute ${m} of nothing to do`);
        await new Promise((r) => setTimeout(r, 60_000));
        rss.push(replicas.map((r) => rssMiB(r.pid)));
        log(`soak minute ${m}: RSS ${list(rss.at(-1)!, 0)} MiB (load ${load()})`);
      }
      soak = { minutes: SOAK_MINUTES, rssMiB: rss };
    }

    const peak = new Map(replicas.map((r) => [r.name, peakRssMiB(r.pid)]));
    let failover: RunFigures['failover'];
    if (count > 1) {
      const leases = await query<{ app: string; env: string; holder: string }>(
        url,
        "SELECT app, env, holder FROM scope_leases WHERE app <> '' AND expires_at > clock_timestamp()",
      );
      const counts = new Map<string, number>();
      for (const l of leases) counts.set(l.holder, (counts.get(l.holder) ?? 0) + 1);
      const victimName = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
      const victim = replicas.find((r) => r.name === victimName)!;
      const orphaned = leases.filter((l) => l.holder === victimName);
      // The worst moment: right after it renewed its leases, so they run out as late as they can.
      const lastRenewal = async () =>
        (
          await query<{ at: string }>(
            url,
            "SELECT max(expires_at)::text AS at FROM scope_leases WHERE app <> '' AND holder = $1",
            [victimName],
          )
        )[0]!.at;
      const before = await lastRenewal();
      await until(`${victimName} renewing its leases`, PHASE_MS, async () =>
        (await lastRenewal()) !== before ? true : undefined,
      );
      log(`kill -9 ${victimName} holding ${orphaned.length} scopes, right after it renewed them`);
      const tKill = performance.now();
      victim.proc.child.kill('SIGKILL');
      await victim.proc.exited;
      const key = (l: { app: string; env: string }) => `${l.app}\u0000${l.env}`;
      const wanted = new Set(orphaned.map(key));
      let leasedSeconds = NaN;
      await until("the killed replica's scopes held and synced by the others", PHASE_MS, async () => {
        const held = await query<{ app: string; env: string; holder: string }>(
          url,
          "SELECT app, env, holder FROM scope_leases WHERE app <> '' AND holder <> $1 AND expires_at > clock_timestamp()",
          [victimName],
        );
        const moved = held.filter((l) => wanted.has(key(l))).length;
        if (moved < wanted.size) return undefined;
        if (Number.isNaN(leasedSeconds)) leasedSeconds = (performance.now() - tKill) / 1000;
        // Synced as its new holder sees it: a takeover finds the objects in place and may
        // record no new sync, so the holder's live status is what says it is done.
        const views = new Map<string, string>();
        for (const r of replicas.filter((x) => x !== victim)) {
          const status = await getJson<{ apps: { app: string; env: string; sync: string }[] }>(
            `${r.url}/api/v1/status`,
            token(r),
          );
          for (const a of status.apps) views.set(`${r.name}\u0000${key(a)}`, a.sync);
        }
        const synced = held.filter((l) => wanted.has(key(l)) && views.get(`${l.holder}\u0000${key(l)}`) === 'Synced');
        return synced.length === wanted.size ? true : undefined;
      });
      failover = {
        victim: victimName,
        scopes: orphaned.length,
        seconds: (performance.now() - tKill) / 1000,
        leasedSeconds,
      };
      log(`failover: leased in ${leasedSeconds.toFixed(1)} s, synced in ${failover.seconds.toFixed(1)} s`);
    }
    for (const r of replicas)
      if (r.proc.child.exitCode === null && r.proc.child.signalCode === null) peak.set(r.name, peakRssMiB(r.pid));

    return {
      replicas: count,
      scopes: SCOPES,
      firstSyncSeconds,
      noChangePass,
      idleCpuSecondsPerDriftPass,
      status,
      ...(failover ? { failover } : {}),
      ...(soak ? { soak } : {}),
      peakRssMiB: replicas.map((r) => peak.get(r.name)!),
      load: load(),
    };
  } catch (e) {
    for (const r of replicas) console.error(`--- last output of ${r.name} ---\n${r.proc.output().slice(-3000)}`);
    throw e;
  } finally {
    await stopReplicas(replicas);
  }
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const list = (ns: number[], digits = 1) => ns.map((n) => fmt(n, digits)).join(' / ');
const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);

function table(runs: RunFigures[]): string {
  const rows: [string, ...string[]][] = [
    ['', ...runs.map((r) => `${r.replicas} replica${r.replicas > 1 ? 's' : ''}`)],
    ['first full sync', ...runs.map((r) => `${fmt(r.firstSyncSeconds)} s`)],
    [
      'no-change revision CPU (each; total)',
      ...runs.map((r) => `${list(r.noChangePass.cpuSeconds, 2)} s; ${fmt(sum(r.noChangePass.cpuSeconds), 2)} s`),
    ],
    ['  its wall time', ...runs.map((r) => `${fmt(r.noChangePass.wallSeconds)} s`)],
    ['idle CPU per 5 s drift pass (each)', ...runs.map((r) => `${list(r.idleCpuSecondsPerDriftPass, 2)} s`)],
    ...(['/api/v1/status?limit=100', '/api/v1/status'].map((path) => [
      `status p99 ${path.replace('/api/v1/status', '') || '(all)'}`,
      ...runs.map((r) => {
        const s = r.status.find((x) => x.path === path);
        return s ? `${fmt(s.p99Ms)} ms @ ${fmt(s.rps, 0)}/s` : '–';
      }),
    ]) as [string, ...string[]][]),
    [
      `failover after kill -9 right after a renewal (leased; synced; lease period ${LEASE_SECONDS ?? 15} s)`,
      ...runs.map((r) =>
        r.failover
          ? `${fmt(r.failover.leasedSeconds)} s; ${fmt(r.failover.seconds)} s (${r.failover.scopes} scopes)`
          : '–',
      ),
    ],
    ['peak RSS (each)', ...runs.map((r) => `${list(r.peakRssMiB, 0)} MiB`)],
    [
      'RSS over the soak (each: first minute → last)',
      ...runs.map((r) => {
        const s = r.soak;
        if (!s) return '–';
        // The first sample is taken before any pass of the soak; minute 1 is the baseline.
        const from = s.rssMiB[Math.min(1, s.rssMiB.length - 1)]!;
        const to = s.rssMiB.at(-1)!;
        return `${from.map((v, i) => `${fmt(v, 0)}→${fmt(to[i]!, 0)}`).join(' / ')} MiB over ${s.minutes} min`;
      }),
    ],
    ['load average at the end', ...runs.map((r) => r.load)],
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')).join('\n');
}

log(`${SCOPES} scopes (${appCount} apps × ${ENV_COUNT} environments), runs with ${RUNS.join(' and ')} replica(s)`);
log(`load average ${load()}`);
const bins = buildBinaries();
const server = await startServer(bins.apiserver);
const work = mkdtempSync(join(tmpdir(), 'sluice-bench-scale-'));
let cluster: Cluster | undefined;
try {
  cluster = startCluster({ maxConnections: 300 });
  const kubectl = (args: string[]) => {
    const res = spawnSync(bins.kubectl, ['--kubeconfig', server.kubeconfig, ...args], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${res.stderr}`);
  };
  const runs: RunFigures[] = [];
  for (const count of RUNS) runs.push(await runWith(count, { cluster, kubectl, kubeconfig: server.kubeconfig, work }));
  console.log(
    `\nbench:scale — ${SCOPES} app × environment scopes (${appCount} apps × ${ENV_COUNT} environments), Kubernetes ConfigMaps, PostgreSQL`,
  );
  console.log(table(runs));
  if (JSON_OUT) console.log(JSON.stringify({ scopes: SCOPES, apps: appCount, environments: ENV_COUNT, runs }, null, 2));
} finally {
  cluster?.stop();
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
