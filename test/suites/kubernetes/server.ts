import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * Builds (once, cached) and runs the test control plane from test/kube-apiserver: the API
 * server alone for the suite's global setup and the benchmark, or with real controllers,
 * a scheduler and simulated nodes (kwok) for tests of rollouts.
 */

/** The repository: three levels up here, or above a compiled copy of this file (bench/compiled.mjs). */
const repo = ((): string => {
  let dir = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  while (!existsSync(join(dir, 'test/kube-apiserver/build.sh')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

export interface TestBinaries {
  apiserver: string;
  kubectl: string;
  controllerManager: string;
  scheduler: string;
  kwok: string;
}

export function buildBinaries(): TestBinaries {
  const res = spawnSync('bash', [join(repo, 'test/kube-apiserver/build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (res.status !== 0) throw new Error(`building the test kube-apiserver failed (exit ${res.status ?? res.signal})`);
  const dir = res.stdout.trim().split('\n').pop()!;
  return {
    apiserver: join(dir, 'kube-apiserver-test'),
    kubectl: join(dir, 'kubectl'),
    controllerManager: join(dir, 'kube-controller-manager'),
    scheduler: join(dir, 'kube-scheduler'),
    kwok: join(dir, 'kwok'),
  };
}

export interface RunningServer {
  kubeconfig: string;
  server: string;
  pid: number;
  logFile: string;
  /** The key the server verifies service account tokens with; the controller manager signs with it. */
  serviceAccountKey: string;
  /** The server's certificate authority, handed to pods as their root of trust. */
  caFile: string;
  /** The temporary directory of this server, removed by stop(). */
  dir: string;
  stop(): Promise<void>;
}

export async function startServer(binary: string, timeoutMs = 180_000): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-kube-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const logFile = join(dir, 'apiserver.log');
  // etcd and certificates live under our temporary directory, so they are removed even if
  // the server has to be killed.
  const child: ChildProcess = spawn(binary, ['--kubeconfig', kubeconfig, '--data-dir', join(dir, 'data')], {
    stdio: ['ignore', 'pipe', openSync(logFile, 'a')],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  type ReadyLine = { ready?: boolean; server: string; serviceAccountKey: string; caFile: string };
  const ready = new Promise<ReadyLine>((resolveReady, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const msg = JSON.parse(line) as ReadyLine;
        if (msg.ready) resolveReady(msg);
      } catch {
        // not the readiness line
      }
    });
    void exited.then((code) =>
      reject(new Error(`kube-apiserver-test exited (${code}) before it was ready; see ${logFile}`)),
    );
    setTimeout(
      () => reject(new Error(`kube-apiserver-test not ready after ${timeoutMs / 1000}s; see ${logFile}`)),
      timeoutMs,
    ).unref();
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const { server, serviceAccountKey, caFile } = await ready;
    return { kubeconfig, server, pid: child.pid!, logFile, serviceAccountKey, caFile, dir, stop };
  } catch (e) {
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
    await stop();
    throw new Error(`${(e as Error).message}\n--- last lines of the server log ---\n${tail}`);
  }
}

export interface ControlPlane {
  server: RunningServer;
  /** Names of the simulated nodes, all Ready. */
  nodes: string[];
  /** Where the controller manager, the scheduler and kwok log. */
  logs: string[];
  stop(): Promise<void>;
}

const STAGES = join(repo, 'test/kube-apiserver/kwok-stages.yaml');

/**
 * An API server of its own with the controllers of a real cluster: kube-controller-manager
 * (Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, garbage collection, …),
 * kube-scheduler, and kwok playing the kubelets of `nodes` simulated nodes: scheduled pods
 * turn Running and Ready, pods of a Job complete, and pods whose image is under
 * `registry.invalid/` stay in ImagePullBackOff (test/kube-apiserver/kwok-stages.yaml).
 * Resolves once every node is Ready with its lease and the controllers have created the default
 * service account.
 */
export async function startControlPlane(bins: TestBinaries, nodes = 2): Promise<ControlPlane> {
  const server = await startServer(bins.apiserver);
  const children: { name: string; child: ChildProcess; exited: Promise<unknown> }[] = [];
  const logs: string[] = [];
  const run = (name: string, binary: string, args: string[]): void => {
    const log = join(server.dir, `${name}.log`);
    logs.push(log);
    const child = spawn(binary, args, { stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')] });
    children.push({ name, child, exited: new Promise((r) => child.once('exit', r)) });
  };
  const stop = async (): Promise<void> => {
    // Controllers first, so none of them logs the server going away as an error to act on.
    for (const { child, exited } of children.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    }
    await server.stop();
  };
  try {
    // No serving ports (--secure-port=0): nothing here scrapes them, and fixed ports would
    // collide with another control plane on the same machine.
    run('kube-controller-manager', bins.controllerManager, [
      `--kubeconfig=${server.kubeconfig}`,
      '--leader-elect=false',
      '--secure-port=0',
      `--service-account-private-key-file=${server.serviceAccountKey}`,
      `--root-ca-file=${server.caFile}`,
      '--controllers=*',
      '--v=1',
    ]);
    run('kube-scheduler', bins.scheduler, [
      `--kubeconfig=${server.kubeconfig}`,
      '--leader-elect=false',
      '--secure-port=0',
      '--v=1',
    ]);
    // Leases are the nodes' heartbeat: without them (kwok keeps them only when told to) the node
    // lifecycle controller finds every node silent after its grace period and marks their pods not ready.
    run('kwok', bins.kwok, [
      `--kubeconfig=${server.kubeconfig}`,
      `--config=${STAGES}`,
      '--manage-all-nodes=true',
      '--node-lease-duration-seconds=40',
    ]);
    const names = Array.from({ length: nodes }, (_, i) => `kwok-node-${i}`);
    kubectl(bins, server, ['apply', '-f', '-'], names.map(nodeManifest).join('---\n'));
    const early = Promise.race(
      children.map(({ name, child, exited }) =>
        exited.then(() => {
          throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) while the control plane started`);
        }),
      ),
    );
    const wait = (args: string[]) =>
      new Promise<void>((resolveWait, reject) => {
        const c = spawn(bins.kubectl, [`--kubeconfig=${server.kubeconfig}`, 'wait', '--timeout=180s', ...args], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let err = '';
        c.stderr!.on('data', (b: Buffer) => (err += b.toString()));
        c.once('exit', (code) =>
          code === 0 ? resolveWait() : reject(new Error(`kubectl wait ${args.join(' ')}: ${err.trim()}`)),
        );
      });
    await Promise.race([
      early,
      Promise.all([
        wait(['--for=condition=Ready', 'node', '--all']),
        wait(['--for=create', '-n', 'default', 'serviceaccount/default']),
        // Without a lease per node the node lifecycle controller would mark them unreachable later.
        wait(['--for=create', '-n', 'kube-node-lease', ...names.map((n) => `lease/${n}`)]),
      ]),
    ]);
    return { server, nodes: names, logs, stop };
  } catch (e) {
    const tails = logs
      .map((l) => `--- ${l} ---\n${readFileSync(l, 'utf8').split('\n').slice(-20).join('\n')}`)
      .join('\n');
    await stop();
    throw new Error(`${(e as Error).message}\n${tails}`);
  }
}

function kubectl(bins: TestBinaries, server: RunningServer, args: string[], input?: string): string {
  const res = spawnSync(bins.kubectl, [`--kubeconfig=${server.kubeconfig}`, ...args], {
    encoding: 'utf8',
    ...(input !== undefined ? { input } : {}),
  });
  if (res.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${res.stderr}`);
  return res.stdout;
}

/** A node no kubelet runs: kwok answers for it. Capacity is generous so scheduling never decides a test. */
function nodeManifest(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
      },
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
    },
    // kwok's own defaults: room for every pod a benchmark makes (110 pods a node, a real
    // kubelet's default, fills up after a couple of hundred Deployments).
    status: {
      allocatable: { cpu: '1k', memory: '1Ti', pods: '1M' },
      capacity: { cpu: '1k', memory: '1Ti', pods: '1M' },
    },
  });
}
