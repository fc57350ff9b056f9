/**
 * bench:kube, second half: a first sync through Sluice's controller — render, plan (the
 * all-or-nothing server-side dry run of every object), apply, and the health wait until every
 * rollout is done — against a control plane with real controllers and simulated nodes
 * (kube-controller-manager, kube-scheduler, kwok), beside `kubectl apply --server-side` of the
 * same objects followed by `kubectl wait` for the same rollouts. Three runs each, in one
 * invocation, each run on objects of its own; the medians are compared.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Resource } from '../src/model/resource.js';
import { createProvider } from '../src/providers/registry.js';
import { Controller } from '../src/reconcile/controller.js';
import { MemorySource, tempStore, type Files } from '../src/reconcile/test-support.js';
import { startControlPlane, type TestBinaries } from '../test/suites/kubernetes/server.js';
import {
  countKubectlRequests,
  countOwnRequests,
  mergeCounts,
  perObject as requestsPerObject,
  type Counts,
} from './kube-requests.js';

export interface ControllerBenchOptions {
  apps: number;
  namespaces: number;
  workers: number;
  runs: number;
  /** The objects of one app, in the namespaces named by `prefix`. */
  objectsFor: (app: number, prefix: string) => Resource[];
}

interface Side {
  ms: number[];
  serverMs: number[];
  requests: Counts;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

function serverCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

export async function benchThroughController(
  bins: TestBinaries,
  o: ControllerBenchOptions,
): Promise<{ controller: number; kubectl: number; kubectlApplyOnly: number }> {
  const objects = o.apps * o.objectsFor(0, 'x').length;
  console.log('');
  console.log(
    `through the controller — ${o.apps} apps × ${objects / o.apps} objects, ${o.runs} runs, on a control plane with controllers and 2 simulated nodes`,
  );
  const plane = await startControlPlane(bins);
  const pid = plane.server.pid;
  const work = mkdtempSync(join(tmpdir(), 'sluice-bench-kube-ctl-'));
  const kubectl = (args: string[]) => {
    const res = spawnSync(bins.kubectl, ['--kubeconfig', plane.server.kubeconfig, ...args], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    if (res.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${res.stderr}`);
    return res.stderr;
  };
  const namespaces = (prefix: string) => Array.from({ length: o.namespaces }, (_, i) => `${prefix}-${i}`);
  const sluice: Side = { ms: [], serverMs: [], requests: new Map() };
  const kube: Side = { ms: [], serverMs: [], requests: new Map() };
  const applyOnly: number[] = [];
  try {
    // Every namespace of every run exists first, so both sides time the same work.
    const all: string[] = [];
    for (let r = 0; r < o.runs; r++) all.push(...namespaces(`ctl${r}`), ...namespaces(`kctl${r}`));
    const nsFile = join(work, 'namespaces.yaml');
    writeFileSync(
      nsFile,
      all.map((name) => stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })).join('---\n'),
    );
    kubectl(['apply', '--server-side', '-f', nsFile]);

    const runSluice = async (r: number) => {
      const prefix = `ctl${r}`;
      const source = new MemorySource();
      const files: Files = {
        'sluice.yaml': stringify({
          apiVersion: 'sluice.dev/v1alpha1',
          kind: 'Project',
          metadata: { name: `bench${r}` },
          spec: {
            targets: { cluster: { provider: 'kubernetes', kubeconfig: plane.server.kubeconfig } },
            environments: [
              {
                name: 'bench',
                target: 'cluster',
                sync: 'auto',
                healthTimeout: '600s',
                // The bench's Secrets are made up, and kubectl applies them as they are: timing the
                // same objects means letting them through rather than encrypting one side's.
                policy: { rules: { 'secret-plaintext': 'off' } },
              },
            ],
            apps: Array.from({ length: o.apps }, (_, i) => ({ name: `app-${i}`, path: `apps/app-${i}` })),
          },
        }),
      };
      for (let i = 0; i < o.apps; i++)
        files[`apps/app-${i}/overlays/bench/objects.yaml`] = o
          .objectsFor(i, prefix)
          .map((d) => stringify(d))
          .join('---\n');
      source.commit(files);
      const store = tempStore();
      const controller = new Controller({
        source,
        store: store.store,
        log: { info() {}, warn() {}, error() {}, debug() {} },
        createProvider: (target) =>
          createProvider(target, { dataDir: store.dir, log: { info() {}, warn() {}, error() {}, debug() {} } }),
        concurrency: o.workers,
      });
      const requests = countOwnRequests();
      const t0 = performance.now();
      const cpu0 = serverCpuMs(pid);
      await controller.start();
      for (;;) {
        const apps = controller.status().apps;
        if (apps.length === o.apps && apps.every((a) => a.sync === 'Synced' && a.health === 'Healthy')) break;
        const failed = apps.find((a) => a.sync === 'Failed' || a.sync === 'Stalled');
        if (failed) throw new Error(`${failed.app}: ${failed.error?.message ?? failed.sync}`);
        await new Promise((res) => setTimeout(res, 100));
      }
      sluice.ms.push(performance.now() - t0);
      sluice.serverMs.push(serverCpuMs(pid) - cpu0);
      requests.stop();
      mergeCounts(sluice.requests, requests.counts);
      await controller.stop();
      await store.store.close();
      store.remove();
    };
    const runKubectl = (r: number) => {
      const prefix = `kctl${r}`;
      const file = join(work, `kubectl-${r}.yaml`);
      writeFileSync(
        file,
        Array.from({ length: o.apps }, (_, i) => o.objectsFor(i, prefix))
          .flat()
          .map((d) => stringify(d))
          .join('---\n'),
      );
      const t0 = performance.now();
      const cpu0 = serverCpuMs(pid);
      // -v=6 logs one line per request: the count of kubectl's side.
      countKubectlRequests(
        kubectl(['apply', '--server-side', '--field-manager=kubectl-bench', '-v=6', '-f', file]),
        kube.requests,
      );
      applyOnly.push(performance.now() - t0);
      for (const ns of namespaces(prefix))
        countKubectlRequests(
          kubectl(['wait', '--for=condition=Available', '--timeout=600s', 'deployment', '--all', '-n', ns, '-v=6']),
          kube.requests,
        );
      kube.ms.push(performance.now() - t0);
      kube.serverMs.push(serverCpuMs(pid) - cpu0);
    };
    // Each side goes first in every other run, so both see the same load on a shared machine.
    for (let r = 0; r < o.runs; r++) {
      if (r % 2 === 0) {
        await runSluice(r);
        runKubectl(r);
      } else {
        runKubectl(r);
        await runSluice(r);
      }
      console.log(
        `  run ${r + 1}: sluice ${secs(sluice.ms[r]!)} (API server CPU ${secs(sluice.serverMs[r]!)}), kubectl apply ${secs(applyOnly[r]!)}, + wait ${secs(kube.ms[r]!)} (API server CPU ${secs(kube.serverMs[r]!)})`,
      );
    }
  } finally {
    await plane.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const m = { controller: median(sluice.ms), kubectl: median(kube.ms), kubectlApplyOnly: median(applyOnly) };
  const perObject = (side: Side) => `${(median(side.serverMs) / objects).toFixed(2)} ms`;
  console.log(`sluice first sync through the controller (median): ${secs(m.controller)}`);
  console.log(
    `kubectl apply --server-side + wait (median):      ${secs(m.kubectl)}  (apply alone ${secs(m.kubectlApplyOnly)})`,
  );
  console.log(`API server CPU per object: sluice ${perObject(sluice)}, kubectl ${perObject(kube)}`);
  console.log(`requests, sluice:  ${requestsPerObject(sluice.requests, objects * o.runs)}`);
  console.log(`requests, kubectl: ${requestsPerObject(kube.requests, objects * o.runs)}`);
  console.log(
    `controller sync / kubectl apply + wait: ${(m.controller / m.kubectl).toFixed(2)}×; / kubectl apply alone: ${(m.controller / m.kubectlApplyOnly).toFixed(2)}×  (target ≤ 1.5×)`,
  );
  console.log(
    `peak RSS (this process, controller runs included): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
  );
  return m;
}
