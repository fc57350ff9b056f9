/**
 * Commit → apply started and commit → healthy on a local config repo, medians over repeated
 * commits to the dev overlay of the quick-start project. Targets: under 1 s and under 3 s.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { pino } from 'pino';
import { startRuntime } from '../src/cli/runtime.js';
import { processProjectFiles } from '../src/providers/process/index.js';
import { writeConfigRepo } from '../src/scaffold/index.js';
import type { SyncRecord } from '../src/store/types.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const dataDir = mkdtempSync(join(tmpdir(), 'sluice-bench-latency-'));
const repo = join(dataDir, 'config');
const basePort = 20_000 + Math.floor(Math.random() * 20_000);
writeConfigRepo(
  repo,
  processProjectFiles({
    project: 'bench',
    helloSource: readFileSync(resolve('examples/hello/server.js'), 'utf8'),
    node: process.execPath,
    basePort,
  }),
);

const finished: SyncRecord[] = [];
const rt = await startRuntime({
  repo,
  dataDir,
  port: 0,
  host: '127.0.0.1',
  log: pino({ level: 'silent' }),
  onSyncFinished: (r) => finished.push(r),
});
const waitFor = async <T>(fn: () => T | undefined, ms = 30_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};
await waitFor(() => (finished.filter((f) => f.result === 'Succeeded').length >= 3 ? true : undefined), 60_000);

const file = join(repo, 'apps/hello/overlays/dev/hello.yaml');
const started: number[] = [];
const healthy: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  writeFileSync(file, readFileSync(file, 'utf8').replace(/GREETING: ".*"/, `GREETING: "round ${i}"`));
  const t0 = Date.now();
  execFileSync('git', ['-C', repo, '-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '-qam', `round ${i}`]);
  const rev = execFileSync('git', ['-C', repo, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  const rec = await waitFor(() => finished.find((f) => f.revision === rev && f.env === 'dev'));
  if (rec.result !== 'Succeeded') throw new Error(`round ${i} failed: ${rec.error?.message}`);
  started.push(Date.parse(rec.startedAt) - t0);
  healthy.push(Date.parse(rec.finishedAt!) - t0);
}
await rt.stop({ stopWorkloads: true });
rmSync(dataDir, { recursive: true, force: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const row = (name: string, xs: number[], target: number) => {
  const m = median(xs);
  console.log(
    `${name.padEnd(26)} median ${String(m).padStart(5)} ms   target < ${target} ms   ratio ${(m / target).toFixed(2)}   (min ${Math.min(...xs)}, max ${Math.max(...xs)})`,
  );
  return m <= target;
};
console.log(`latency over ${ROUNDS} commits to a local config repo (process target, 1 replica rolled per commit)`);
const ok = [row('commit → apply started', started, 1000), row('commit → healthy', healthy, 3000)].every(Boolean);
process.exitCode = ok ? 0 : 1;
