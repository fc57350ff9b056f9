/**
 * Sluice's Kubernetes provider against a real kube-apiserver (test/kube-apiserver): a first
 * sync (provider.apply) of N apps × M objects beside `kubectl apply --server-side` of the same
 * objects, built from the same Kubernetes version, as the median of BENCH_KUBE_RUNS runs in one
 * invocation; each run applies objects of its own in namespaces of its own, so each is a first
 * apply, and the objects of a run are deleted (untimed) before the next. Then a no-change pass.
 * For each side: wall time, its own CPU, the API server's CPU per object (from /proc), and the
 * HTTP requests per object by kind (Sluice's counted in this process, kubectl's from -v=6).
 *
 *   npm run bench:kube                       # 1,000 apps × 5 objects
 *   BENCH_KUBE_APPS=100 npm run bench:kube   # a quick run
 *   BENCH_KUBE_OBJECTS, BENCH_KUBE_WORKERS (apps synced at once), BENCH_KUBE_CHUNKS (turns a run)
 *   BENCH_KUBE_CONTROLLER_APPS (apps of the first sync through the controller; default
 *   BENCH_KUBE_APPS, at most 200; 0 skips it), BENCH_KUBE_RUNS (runs of each part, default 3)
 *
 * Then a first sync through the controller (bench/kube-controller.ts): plan, the dry run of
 * every object, apply and the health wait, on a control plane with real controllers, beside
 * kubectl apply and wait for the same rollouts; the median of three runs each.
 *
 * Targets: provider.apply ≤ 0.8× kubectl, the controller's first sync ≤ 1.5× kubectl apply +
 * wait, first sync < 60 s on 2 cores, no-change pass < 5 s, peak RSS < 300 MiB.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Resource } from '../src/model/resource.js';
import type { Scope } from '../src/providers/types.js';
import { createKubernetesProvider } from '../src/providers/kubernetes/index.js';
import { KubeClient, loadKubeConfig } from '../src/providers/kubernetes/client.js';
import { mapLimit } from '../src/providers/kubernetes/concurrency.js';
import { buildBinaries, startServer } from '../test/suites/kubernetes/server.js';
import { benchThroughController } from './kube-controller.js';
import {
  countKubectlRequests,
  countOwnRequests,
  mergeCounts,
  perObject,
  totalOf,
  type Counts,
} from './kube-requests.js';

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

/** CPU time (ms) of this process's children that have ended: each kubectl run, once spawnSync returns. */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (kb: number) => `${(kb / 1024).toFixed(0)} MiB`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

// What the process holds before any sync: Node and the modules loaded (and tsx, when it
// compiles the sources on load: `npm run bench:kube` runs the compiled benchmark instead).
const loadedRss = process.resourceUsage().maxRSS;
const underTsx = import.meta.url.endsWith('.ts');
console.log(
  `bench:kube — ${APPS} apps × ${OBJECTS} objects (${APPS * OBJECTS} objects), ${WORKERS} apps at a time, ${RUNS} runs`,
);
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
  return { ms: performance.now() - t0, stderr: res.stderr };
};
const objects = APPS * OBJECTS;
// Each run applies its own objects in namespaces of its own, so every run is a first apply.
const nsOf = (side: 'sluice' | 'kubectl', run: number) => `${side}-r${run}`;

try {
  // Namespaces exist before either side runs, so both time the same work.
  const nsFile = join(work, 'namespaces.yaml');
  const nsDocs = [];
  for (let r = 0; r < RUNS; r++)
    for (let i = 0; i < NAMESPACES; i++)
      nsDocs.push(
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${nsOf('sluice', r)}-${i}` } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${nsOf('kubectl', r)}-${i}` } },
      );
  writeFileSync(nsFile, nsDocs.map((d) => stringify(d)).join('---\n'));
  kubectl(['apply', '--server-side', '-f', nsFile]);

  const log = { info() {}, warn() {}, error() {}, debug() {} };
  const provider = createKubernetesProvider(
    { provider: 'kubernetes', kubeconfig: server.kubeconfig },
    { dataDir: work, log },
  );
  await provider.start();
  // Requests are counted from here: the provider's start (discovery of what earlier runs
  // applied, the inventory's watch) is not part of any sync.
  const requests = countOwnRequests();
  // One request per kind and namespace: kubectl delete goes object by object, at its own rate limit.
  const cleaner = await KubeClient.create(loadKubeConfig({ kubeconfig: server.kubeconfig }));
  const removeObjectsOf = async (prefixes: string[]) => {
    const kinds = ['/api/v1/configmaps', '/api/v1/serviceaccounts', '/api/v1/secrets', '/apis/apps/v1/deployments'];
    for (const prefix of prefixes)
      for (let i = 0; i < NAMESPACES; i++) {
        const ns = `/namespaces/${prefix}-${i}/`;
        for (const k of kinds) await cleaner.request('DELETE', k.replace(/\/(\w+)$/, `${ns}$1`));
        // Services take no collection delete.
        const services = await cleaner.request<{ items: Resource[] }>('GET', `/api/v1${ns}services`);
        await mapLimit(services.items, 8, (svc) =>
          cleaner.request('DELETE', `/api/v1${ns}services/${svc.metadata.name}`),
        );
      }
  };

  // The machine is shared: Sluice and kubectl take turns on the same slices of apps (each
  // going first in every other slice) so both see the same load.
  const chunks: number[][] = Array.from({ length: CHUNKS }, () => []);
  for (let i = 0; i < APPS; i++) chunks[Math.floor((i * CHUNKS) / APPS)]!.push(i);

  type Pass = {
    ms: number;
    cpuMs: number;
    serverMs: number;
    requests: Counts;
    counts: Record<'create' | 'update' | 'delete' | 'unchanged', number>;
  };
  const empty = (): Pass => ({
    ms: 0,
    cpuMs: 0,
    serverMs: 0,
    requests: new Map(),
    counts: { create: 0, update: 0, delete: 0, unchanged: 0 },
  });
  type Run = { scopes: Scope[]; desired: Resource[][] };
  const runOf = (r: number): Run => ({
    scopes: Array.from({ length: APPS }, (_, i) => ({ project: `bench${r}`, env: 'dev', app: `app-${i}` })),
    desired: Array.from({ length: APPS }, (_, i) => objectsFor(i, nsOf('sluice', r))),
  });
  const syncApps = async (run: Run, apps: number[], revision: string, into: Pass) => {
    const before = new Map(requests.counts);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const server0 = serverCpuMs(server.pid);
    await mapLimit(apps, WORKERS, async (i) => {
      const plan = await provider.apply(run.scopes[i]!, run.desired[i]!, { prune: true, revision, reason: 'bench' });
      for (const k of Object.keys(into.counts) as (keyof Pass['counts'])[]) into.counts[k] += plan.summary[k];
    });
    const cpu = process.cpuUsage(cpu0);
    into.ms += performance.now() - t0;
    into.cpuMs += (cpu.user + cpu.system) / 1000;
    into.serverMs += serverCpuMs(server.pid) - server0;
    for (const [k, n] of requests.counts)
      if (n !== before.get(k)) mergeCounts(into.requests, new Map([[k, n - (before.get(k) ?? 0)]]));
  };
  const kubectlApply = (paths: string[], into: Pass) => {
    const server0 = serverCpuMs(server.pid);
    const cpu0 = childrenCpuMs();
    // -v=6 logs one line per request: the count of kubectl's side.
    const res = kubectl([
      'apply',
      '--server-side',
      '--field-manager=kubectl-bench',
      '-v=6',
      ...paths.flatMap((f) => ['-f', f]),
    ]);
    into.ms += res.ms;
    into.cpuMs += childrenCpuMs() - cpu0;
    into.serverMs += serverCpuMs(server.pid) - server0;
    countKubectlRequests(res.stderr, into.requests);
  };
  const kubectlFiles = (r: number) =>
    chunks.map((apps, c) => {
      const f = join(work, `kubectl-r${r}-${c}.yaml`);
      writeFileSync(
        f,
        apps
          .flatMap((i) => objectsFor(i, nsOf('kubectl', r)))
          .map((d) => stringify(d))
          .join('---\n'),
      );
      return f;
    });

  const sluiceRuns: Pass[] = [];
  const kubectlRuns: Pass[] = [];
  let last: { run: Run; files: string[] } | undefined;
  for (let r = 0; r < RUNS; r++) {
    const run = runOf(r);
    const files = kubectlFiles(r);
    const first = empty();
    const kFirst = empty();
    for (const [c, apps] of chunks.entries()) {
      if ((c + r) % 2 === 0) {
        await syncApps(run, apps, 'r1', first);
        kubectlApply([files[c]!], kFirst);
      } else {
        kubectlApply([files[c]!], kFirst);
        await syncApps(run, apps, 'r1', first);
      }
    }
    sluiceRuns.push(first);
    kubectlRuns.push(kFirst);
    console.log(
      `  run ${r + 1}: sluice ${secs(first.ms)} (${JSON.stringify(first.counts)}; CPU sluice ${secs(first.cpuMs)}, API server ${secs(first.serverMs)}, ${totalOf(first.requests)} requests), kubectl ${secs(kFirst.ms)} (${CHUNKS} invocations; CPU kubectl ${secs(kFirst.cpuMs)}, API server ${secs(kFirst.serverMs)}, ${totalOf(kFirst.requests)} requests)`,
    );
    if (r < RUNS - 1) {
      // Untimed: the next run starts from a cluster of the same size, and the provider's
      // caches hold one run's objects, not all of them.
      const tc = performance.now();
      await removeObjectsOf([nsOf('sluice', r), nsOf('kubectl', r)]);
      for (const scope of run.scopes) await provider.destroy(scope);
      console.log(`  (cleanup ${secs(performance.now() - tc)})`);
    } else last = { run, files };
  }
  const sMedian = median(sluiceRuns.map((p) => p.ms));
  const kMedian = median(kubectlRuns.map((p) => p.ms));
  const sServer = median(sluiceRuns.map((p) => p.serverMs));
  const kServer = median(kubectlRuns.map((p) => p.serverMs));
  console.log(`sluice first sync (provider.apply, median):  ${secs(sMedian)}`);
  console.log(`kubectl apply --server-side (median):        ${secs(kMedian)}  (${CHUNKS} invocations a run)`);
  console.log(
    `API server CPU per object, first sync (median): sluice ${(sServer / objects).toFixed(2)} ms, kubectl ${(kServer / objects).toFixed(2)} ms`,
  );
  const sClient = median(sluiceRuns.map((p) => p.cpuMs));
  const kClient = median(kubectlRuns.map((p) => p.cpuMs));
  console.log(
    `client CPU per object, first sync (median):     sluice ${(sClient / objects).toFixed(2)} ms, kubectl ${(kClient / objects).toFixed(2)} ms`,
  );
  const all = (runs: Pass[]) => runs.reduce((acc, p) => mergeCounts(acc, p.requests), new Map() as Counts);
  console.log(`requests, sluice:  ${perObject(all(sluiceRuns), objects * RUNS)}`);
  console.log(`requests, kubectl: ${perObject(all(kubectlRuns), objects * RUNS)}`);

  const { run, files } = last!;
  const noChange = empty();
  await syncApps(
    run,
    run.scopes.map((_, i) => i),
    'r2',
    noChange,
  );
  console.log(
    `sluice no-change pass:  ${secs(noChange.ms)}  (${JSON.stringify(noChange.counts)}; CPU sluice ${secs(noChange.cpuMs)}, API server ${secs(noChange.serverMs)}, ${totalOf(noChange.requests)} requests)`,
  );
  const t0 = performance.now();
  await mapLimit(run.scopes, WORKERS, (scope, i) => provider.plan(scope, run.desired[i]!, { prune: true }));
  console.log(`sluice plan (diff) pass: ${secs(performance.now() - t0)}`);
  requests.stop();
  cleaner.close();
  await provider.close();
  const rss = process.resourceUsage().maxRSS;
  const kAgainRun = empty();
  kubectlApply(files, kAgainRun);
  const kAgain = kAgainRun.ms;
  console.log(`kubectl no-change:      ${secs(kAgain)}`);

  const ratio = sMedian / kMedian;
  console.log('');
  console.log(`first sync / kubectl apply (medians): ${ratio.toFixed(2)}×  (target ≤ 0.8×)`);
  console.log(`no-change / kubectl again:  ${(noChange.ms / kAgain).toFixed(2)}×`);
  console.log(
    `peak RSS (sluice process):  ${mib(rss)}  (target < 300 MiB; ${mib(loadedRss)} of it before the first sync${underTsx ? ', with the sources compiled by tsx' : ''})`,
  );
  const scale = 5000 / objects;
  if (scale !== 1)
    console.log(`(smaller run: targets are for 5,000 objects; scaled first sync ≈ ${secs(sMedian * scale)})`);
  console.log(
    `targets: first sync < 60 s ${sMedian * scale < 60_000 ? 'ok' : 'MISSED'}, no-change < 5 s ${noChange.ms * scale < 5_000 ? 'ok' : 'MISSED'}, RSS ${rss < 300 * 1024 ? 'ok' : 'MISSED'}, ratio ${ratio <= 0.8 ? 'ok' : 'MISSED'}`,
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
