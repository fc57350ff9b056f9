import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * Builds (once, cached) and runs the test kube-apiserver from test/kube-apiserver. Shared
 * by the suite's global setup and the benchmark.
 */

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface TestBinaries {
  apiserver: string;
  kubectl: string;
}

export function buildBinaries(): TestBinaries {
  const res = spawnSync('bash', [join(repo, 'test/kube-apiserver/build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (res.status !== 0) throw new Error(`building the test kube-apiserver failed (exit ${res.status ?? res.signal})`);
  const dir = res.stdout.trim().split('\n').pop()!;
  return { apiserver: join(dir, 'kube-apiserver-test'), kubectl: join(dir, 'kubectl') };
}

export interface RunningServer {
  kubeconfig: string;
  server: string;
  pid: number;
  logFile: string;
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
  const ready = new Promise<{ server: string }>((resolveReady, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { ready?: boolean; server?: string };
        if (msg.ready) resolveReady({ server: msg.server! });
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
    const { server } = await ready;
    return { kubeconfig, server, pid: child.pid!, logFile, stop };
  } catch (e) {
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
    await stop();
    throw new Error(`${(e as Error).message}\n--- last lines of the server log ---\n${tail}`);
  }
}
