/**
 * Sluice's Kubernetes provider against a real kube-apiserver (test/kube-apiserver): first
 * sync and a no-change pass of N apps × M objects, and the same objects applied with
 * `kubectl apply --server-side` built from the same Kubernetes version, in the same run.
 *
 *   npm run bench:kube                       # 1,000 apps × 5 objects
 *   BENCH_KUBE_APPS=100 npm run bench:kube   # a quick run
 *   BENCH_KUBE_OBJECTS, BENCH_KUBE_WORKERS (apps synced at once), BENCH_KUBE_CHUNKS (turns)
 *   BENCH_KUBE_CONTROLLER_APPS (apps of the first sync through the controller; default
 *   BENCH_KUBE_APPS, at most 200; 0 skips it), BENCH_KUBE_RUNS (its runs, default 3)
 *
 * Then a first sync through the controller (bench/kube-controller.ts): plan, the dry run of
 * every object, apply and the health wait, on a control plane with real controllers, beside
 * kubectl apply and wait for the same rollouts; the median of three runs each.
 *
 * Targets: first sync < 60 s on 2 cores, no-change pass < 5 s, peak RSS < 300 MiB,
 * Sluice's apply within 1.2× of kubectl's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Resource } from '../src/model/resource.js';
import type { Scope } from '../src/providers/types.js';
import { createKubernetesProvider } from '../src/providers/kubernetes/index.js';
import { mapLimit } from '../src/providers/kubernetes/concurrency.js';
import { buildBinaries, startServer } from '../test/suites/kubernetes/server.js';
import { benchThroughController } from './kube-controller.js';

const APPS = Number(process.env.BENCH_KUBE_APPS ?? 1000);
const OBJECTS = Number(process.env.BENCH_KUBE_OBJECTS ?? 5);
const NAMESPACES = Math.max(1, Math.min(10, APPS));
// Apps synced at once, as the reconciler's workers would.
const WORKERS = Number(process.env.BENCH_KUBE_WORKERS ?? 8);
// Every app runs pods on simulated nodes there: 200 apps are already 400 pods a side per run.
const CONTROLLER_APPS = Number(process.env.BENCH_KUBE_CONTROLLER_APPS ?? Math.min(APPS, 200));
const RUNS = Number(process.env.BENCH_KUBE_RUNS ?? 3);
const CHUNKS = Math.max(1, Math.min(Number(process.env.BENCH_KUBE_CHUNKS ?? 4), APPS));

function objectsFor(app: number, nsPrefix: string): Resource[] {
  const namespace = `${nsPrefix}-${app % NAMESPACES}`;
  const name = `app-${app}`;
  const labels = { 'app.kubernetes.io/name': name };
  const all: Resource[] = [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace, labels },
      data: { LOG_LEVEL: 'info', FEATURE_X: 'enabled' },
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, labels },
      spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace, labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            containers: [
              {
                name: 'app',
                image: 'registry.example/app@sha256:' + '0'.repeat(64),
                ports: [{ containerPort: 8080 }],
                envFrom: [{ configMapRef: { name } }],
                resources: { requests: { cpu: '50m', memory: '64Mi' } },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace, labels },
      type: 'Opaque',
      stringData: { token: `t-${app}` },
    },
  ];
  const out: Resource[] = [];
  for (let i = 0; i < OBJECTS; i++) {
    const base = structuredClone(all[i % all.length]!);
    if (i >= all.length) base.metadata.name = `${name}-${i}`;
    out.push(base);
  }
  return out;
}

/** CPU time (ms) the API server process has used so far, from /proc. */
function serverCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (kb: number) => `${(kb / 1024).toFixed(0)} MiB`;

console.log(`bench:kube — ${APPS} apps × ${OBJECTS} objects (${APPS * OBJECTS} objects), ${WORKERS} apps at a time`);
const bins = buildBinaries();
const server = await startServer(bins.apiserver);
const work = mkdtempSync(join(tmpdir(), 'sluice-bench-kube-'));
const kubectl = (args: string[]) => {
  const t0 = performance.now();
  const res = spawnSync(bins.kubectl, ['--kubeconfig', server.kubeconfig, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (res.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${res.stderr}`);
  return performance.now() - t0;
};

try {
  // Namespaces exist before either run, so both time the same work.
  const nsFile = join(work, 'namespaces.yaml');
  const nsDocs = [];
  for (let i = 0; i < NAMESPACES; i++)
    nsDocs.push(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `sluice-${i}` } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `kubectl-${i}` } },
    );
  writeFileSync(nsFile, nsDocs.map((d) => stringify(d)).join('---\n'));
  kubectl(['apply', '--server-side', '-f', nsFile]);

  const log = { info() {}, warn() {}, error() {}, debug() {} };
  const provider = createKubernetesProvider(
    { provider: 'kubernetes', kubeconfig: server.kubeconfig },
    { dataDir: work, log },
  );
  await provider.start();
  const scopes: Scope[] = Array.from({ length: APPS }, (_, i) => ({ project: 'bench', env: 'dev', app: `app-${i}` }));
  const desired = scopes.map((_, i) => objectsFor(i, 'sluice'));

  // The machine is shared: Sluice and kubectl take turns on the same slices of apps (each
  // going first in every other slice) so both see the same load.
  const chunks: number[][] = Array.from({ length: CHUNKS }, () => []);
  for (let i = 0; i < APPS; i++) chunks[Math.floor((i * CHUNKS) / APPS)]!.push(i);
  const files = chunks.map((apps, c) => {
    const f = join(work, `kubectl-${c}.yaml`);
    writeFileSync(
      f,
      apps
        .flatMap((i) => objectsFor(i, 'kubectl'))
        .map((d) => stringify(d))
        .join('---\n'),
    );
    return f;
  });

  type Pass = {
    ms: number;
    cpuMs: number;
    serverMs: number;
    counts: Record<'create' | 'update' | 'delete' | 'unchanged', number>;
  };
  const empty = (): Pass => ({
    ms: 0,
    cpuMs: 0,
    serverMs: 0,
    counts: { create: 0, update: 0, delete: 0, unchanged: 0 },
  });
  const syncApps = async (apps: number[], revision: string, into: Pass) => {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const server0 = serverCpuMs(server.pid);
    await mapLimit(apps, WORKERS, async (i) => {
      const plan = await provider.apply(scopes[i]!, desired[i]!, { prune: true, revision, reason: 'bench' });
      for (const k of Object.keys(into.counts) as (keyof Pass['counts'])[]) into.counts[k] += plan.summary[k];
    });
    const cpu = process.cpuUsage(cpu0);
    into.ms += performance.now() - t0;
    into.cpuMs += (cpu.user + cpu.system) / 1000;
    into.serverMs += serverCpuMs(server.pid) - server0;
  };
  const kubectlApply = (paths: string[], into: { ms: number; serverMs: number }) => {
    const server0 = serverCpuMs(server.pid);
    into.ms += kubectl(['apply', '--server-side', '--field-manager=kubectl-bench', ...paths.flatMap((f) => ['-f', f])]);
    into.serverMs += serverCpuMs(server.pid) - server0;
  };

  const first = empty();
  const kFirstRun = { ms: 0, serverMs: 0 };
  for (const [c, apps] of chunks.entries()) {
    if (c % 2 === 0) {
      await syncApps(apps, 'r1', first);
      kubectlApply([files[c]!], kFirstRun);
    } else {
      kubectlApply([files[c]!], kFirstRun);
      await syncApps(apps, 'r1', first);
    }
  }
  const kFirst = kFirstRun.ms;
  console.log(
    `sluice first sync:      ${secs(first.ms)}  (${JSON.stringify(first.counts)}; CPU sluice ${secs(first.cpuMs)}, API server ${secs(first.serverMs)})`,
  );
  console.log(
    `kubectl first apply:    ${secs(kFirst)}  (${CHUNKS} invocations; CPU API server ${secs(kFirstRun.serverMs)})`,
  );
  const objects = APPS * OBJECTS;
  console.log(
    `API server CPU per object, first sync: sluice ${(first.serverMs / objects).toFixed(2)} ms, kubectl ${(kFirstRun.serverMs / objects).toFixed(2)} ms`,
  );

  const noChange = empty();
  await syncApps(
    scopes.map((_, i) => i),
    'r2',
    noChange,
  );
  console.log(
    `sluice no-change pass:  ${secs(noChange.ms)}  (${JSON.stringify(noChange.counts)}; CPU sluice ${secs(noChange.cpuMs)}, API server ${secs(noChange.serverMs)})`,
  );
  const t0 = performance.now();
  await mapLimit(scopes, WORKERS, (scope, i) => provider.plan(scope, desired[i]!, { prune: true }));
  console.log(`sluice plan (diff) pass: ${secs(performance.now() - t0)}`);
  await provider.close();
  const rss = process.resourceUsage().maxRSS;
  const kAgainRun = { ms: 0, serverMs: 0 };
  kubectlApply(files, kAgainRun);
  const kAgain = kAgainRun.ms;
  console.log(`kubectl no-change:      ${secs(kAgain)}`);

  const ratio = first.ms / kFirst;
  console.log('');
  console.log(`first sync / kubectl apply: ${ratio.toFixed(2)}×  (target ≤ 1.2×)`);
  console.log(`no-change / kubectl again:  ${(noChange.ms / kAgain).toFixed(2)}×`);
  console.log(`peak RSS (sluice process):  ${mib(rss)}  (target < 300 MiB)`);
  const scale = 5000 / (APPS * OBJECTS);
  if (scale !== 1)
    console.log(`(smaller run: targets are for 5,000 objects; scaled first sync ≈ ${secs(first.ms * scale)})`);
  console.log(
    `targets: first sync < 60 s ${first.ms * scale < 60_000 ? 'ok' : 'MISSED'}, no-change < 5 s ${noChange.ms * scale < 5_000 ? 'ok' : 'MISSED'}, RSS ${rss < 300 * 1024 ? 'ok' : 'MISSED'}, ratio ${ratio <= 1.2 ? 'ok' : 'MISSED'}`,
  );
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}

if (CONTROLLER_APPS > 0)
  await benchThroughController(bins, {
    apps: CONTROLLER_APPS,
    namespaces: Math.max(1, Math.min(10, CONTROLLER_APPS)),
    workers: WORKERS,
    runs: RUNS,
    objectsFor: (app, prefix) => {
      // The same objects as above, in the namespaces of one run.
      const objects = objectsFor(app, 'x');
      for (const o of objects) o.metadata.namespace = `${prefix}-${app % Math.max(1, Math.min(10, CONTROLLER_APPS))}`;
      return objects;
    },
  });
