/**
 * Sluice's Kubernetes provider against a real kube-apiserver (test/kube-apiserver): first
 * sync and a no-change pass of N apps × M objects, and the same objects applied with
 * `kubectl apply --server-side` built from the same Kubernetes version, in the same run.
 *
 *   npm run bench:kube                       # 1,000 apps × 5 objects
 *   BENCH_KUBE_APPS=100 npm run bench:kube   # a quick run
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

const APPS = Number(process.env.BENCH_KUBE_APPS ?? 1000);
const OBJECTS = Number(process.env.BENCH_KUBE_OBJECTS ?? 5);
const NAMESPACES = Math.max(1, Math.min(10, APPS));
// Apps synced at once, as the reconciler's workers would.
const WORKERS = Number(process.env.BENCH_KUBE_WORKERS ?? 8);

function objectsFor(app: number, nsPrefix: string): Resource[] {
  const namespace = `${nsPrefix}-${app % NAMESPACES}`;
  const name = `app-${app}`;
  const labels = { 'app.kubernetes.io/name': name };
  const all: Resource[] = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data: { LOG_LEVEL: 'info', FEATURE_X: 'enabled' } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels }, spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
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
            containers: [{ name: 'app', image: 'registry.example/app@sha256:' + '0'.repeat(64), ports: [{ containerPort: 8080 }], envFrom: [{ configMapRef: { name } }], resources: { requests: { cpu: '50m', memory: '64Mi' } } }],
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, labels }, type: 'Opaque', stringData: { token: `t-${app}` } },
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
  const res = spawnSync(bins.kubectl, ['--kubeconfig', server.kubeconfig, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (res.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${res.stderr}`);
  return performance.now() - t0;
};

try {
  // Namespaces exist before either run, so both time the same work.
  const nsFile = join(work, 'namespaces.yaml');
  const nsDocs = [];
  for (let i = 0; i < NAMESPACES; i++) nsDocs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `sluice-${i}` } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `kubectl-${i}` } });
  writeFileSync(nsFile, nsDocs.map((d) => stringify(d)).join('---\n'));
  kubectl(['apply', '--server-side', '-f', nsFile]);

  const log = { info() {}, warn() {}, error() {}, debug() {} };
  const provider = createKubernetesProvider({ provider: 'kubernetes', kubeconfig: server.kubeconfig }, { dataDir: work, log });
  await provider.start();
  const scopes: Scope[] = Array.from({ length: APPS }, (_, i) => ({ project: 'bench', env: 'dev', app: `app-${i}` }));
  const desired = scopes.map((_, i) => objectsFor(i, 'sluice'));

  const syncAll = async (revision: string) => {
    const counts = { create: 0, update: 0, delete: 0, unchanged: 0 };
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const server0 = serverCpuMs(server.pid);
    await mapLimit(scopes, WORKERS, async (scope, i) => {
      const plan = await provider.apply(scope, desired[i]!, { prune: true, revision, reason: 'bench' });
      for (const k of Object.keys(counts) as (keyof typeof counts)[]) counts[k] += plan.summary[k];
    });
    const cpu = process.cpuUsage(cpu0);
    return { ms: performance.now() - t0, counts, cpuMs: (cpu.user + cpu.system) / 1000, serverMs: serverCpuMs(server.pid) - server0 };
  };

  const first = await syncAll('r1');
  console.log(`sluice first sync:      ${secs(first.ms)}  (${JSON.stringify(first.counts)}; CPU sluice ${secs(first.cpuMs)}, API server ${secs(first.serverMs)})`);
  const noChange = await syncAll('r2');
  console.log(`sluice no-change pass:  ${secs(noChange.ms)}  (${JSON.stringify(noChange.counts)}; CPU sluice ${secs(noChange.cpuMs)}, API server ${secs(noChange.serverMs)})`);
  const t0 = performance.now();
  await mapLimit(scopes, WORKERS, (scope, i) => provider.plan(scope, desired[i]!, { prune: true }));
  const planMs = performance.now() - t0;
  console.log(`sluice plan (diff) pass: ${secs(planMs)}`);
  await provider.close();
  const rss = process.resourceUsage().maxRSS;

  const file = join(work, 'kubectl.yaml');
  writeFileSync(file, scopes.flatMap((_, i) => objectsFor(i, 'kubectl')).map((d) => stringify(d)).join('---\n'));
  const kServer0 = serverCpuMs(server.pid);
  const kFirst = kubectl(['apply', '--server-side', '--field-manager=kubectl-bench', '-f', file]);
  console.log(`kubectl first apply:    ${secs(kFirst)}  (CPU API server ${secs(serverCpuMs(server.pid) - kServer0)})`);
  const kAgain = kubectl(['apply', '--server-side', '--field-manager=kubectl-bench', '-f', file]);
  console.log(`kubectl no-change:      ${secs(kAgain)}`);

  const ratio = first.ms / kFirst;
  console.log('');
  console.log(`first sync / kubectl apply: ${ratio.toFixed(2)}×  (target ≤ 1.2×)`);
  console.log(`no-change / kubectl again:  ${(noChange.ms / kAgain).toFixed(2)}×`);
  console.log(`peak RSS (sluice process):  ${mib(rss)}  (target < 300 MiB)`);
  const scale = 5000 / (APPS * OBJECTS);
  if (scale !== 1) console.log(`(smaller run: targets are for 5,000 objects; scaled first sync ≈ ${secs(first.ms * scale)})`);
  console.log(`targets: first sync < 60 s ${first.ms * scale < 60_000 ? 'ok' : 'MISSED'}, no-change < 5 s ${noChange.ms * scale < 5_000 ? 'ok' : 'MISSED'}, RSS ${rss < 300 * 1024 ? 'ok' : 'MISSED'}, ratio ${ratio <= 1.2 ? 'ok' : 'MISSED'}`);
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
