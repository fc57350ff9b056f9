/**
 * The status API at 3,000 app × environment (1,500 apps in dev and prod) under load from wrk,
 * and the CPU of a reconcile pass that finds nothing changed. The controller, store, HTTP
 * server and auth are Sluice's own; the revision history and the target are held in memory
 * (src/reconcile/test-support.ts) so the figures are Sluice's, not a target's.
 *
 *   npm run bench:status                 (needs `wrk`: apt-get install wrk)
 *   BENCH_SCOPES=1000 BENCH_SECONDS=5 BENCH_RATE=200 npm run bench:status
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Controller } from '../src/reconcile/index.js';
import { MemorySource, MemoryTarget, processYaml, quietLog, tempStore } from '../src/reconcile/test-support.js';
import { buildApp } from '../src/server/app.js';
import { hashToken } from '../src/server/auth/tokens.js';

const SCOPES = Number(process.env.BENCH_SCOPES ?? 3000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ADMIN = 'sluice_bench-status-admin';
const apps = Math.ceil(SCOPES / 2);

const project = (comment = '') => `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata:
  name: bench
spec:
  targets:
    local:
      provider: process
  environments:
    - { name: dev, target: local, sync: auto, selfHeal: true, prune: true }
    - { name: prod, target: local, sync: auto, selfHeal: false, prune: true }
  apps:
${Array.from({ length: apps }, (_, i) => `    - name: app-${i}\n      path: apps/app-${i}`).join('\n')}
${comment}`;
const files = { 'sluice.yaml': project() };
for (let i = 0; i < apps; i++) files[`apps/app-${i}/base/app.yaml`] = processYaml(`app-${i}`);

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const source = new MemorySource();
source.commit(files);
const target = new MemoryTarget();
const store = tempStore();
// Periodic passes are run by hand below, so each is measured alone.
const controller = new Controller({
  source,
  store: store.store,
  log: quietLog,
  createProvider: () => target,
  driftIntervalMs: 3_600_000,
  healthIntervalMs: 3_600_000,
  concurrency: 8,
});
let t = cpuMs();
await controller.start();
await controller.idle();
console.log(`first sync of ${controller.status().apps.length} scopes: ${Math.round(cpuMs() - t)} ms CPU`);

t = cpuMs();
await controller['checkDrift']();
const drift = cpuMs() - t;
t = cpuMs();
source.commit({ ...files, 'sluice.yaml': project('# a comment, nothing else\n') });
await controller.refresh();
await controller.idle();
const revision = cpuMs() - t;
console.log(
  `no-change pass: drift check ${Math.round(drift)} ms CPU; a revision no scope reads ${Math.round(revision)} ms CPU`,
);

const app = buildApp({ controller, store: store.store, metrics: {}, adminTokenHash: hashToken(ADMIN) });
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${app.server.address().port}`;

// Debian's wrk drives a closed loop as fast as it can; the figure is p99 at a given rate.
// Each connection waits between requests (wrk's Lua `delay`), so RATE_CONNECTIONS connections
// offer about RATE requests/s; the answer's own time only lowers that, and the rate printed is
// the one measured.
const RATE = Number(process.env.BENCH_RATE ?? 200);
const RATE_CONNECTIONS = 10;
const paced = join(mkdtempSync(join(tmpdir(), 'sluice-bench-status-')), 'paced.lua');
writeFileSync(paced, `function delay() return ${Math.round((1000 * RATE_CONNECTIONS) / RATE)} end\n`);

/** p99 from wrk's latency distribution, in ms. The server answers from this process: wrk runs beside it. */
async function wrk(path, pace) {
  const load = pace ? ['-t2', `-c${RATE_CONNECTIONS}`, '-s', paced] : ['-t2', '-c8'];
  const { stdout: out } = await promisify(execFile)(
    'wrk',
    [...load, `-d${SECONDS}s`, '--latency', '-H', `Authorization: Bearer ${ADMIN}`, `${base}${path}`],
    { encoding: 'utf8' },
  );
  if (/Non-2xx/.test(out)) throw new Error(`answers other than 2xx:\n${out}`);
  const p99 = /99%\s+([\d.]+)(us|ms|s)\b/.exec(out);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const ms = p99 ? Number(p99[1]) * { us: 0.001, ms: 1, s: 1000 }[p99[2]] : NaN;
  return { p99: ms, rps: rps ? Number(rps[1]) : NaN };
}

try {
  for (const path of ['/api/v1/status?limit=100', '/api/v1/status?env=prod&status=Failed', '/api/v1/status']) {
    const r = await wrk(path, true);
    console.log(
      `GET ${path}: p99 ${r.p99.toFixed(1)} ms at ${Math.round(r.rps)} req/s offered ${RATE} (target p99 < 50 ms)`,
    );
    const max = await wrk(path, false);
    console.log(`  flat out: p99 ${max.p99.toFixed(1)} ms at ${Math.round(max.rps)} req/s (wrk -t2 -c8)`);
  }
} catch (e) {
  console.error(`wrk failed (${e.message}); install it with apt-get install wrk`);
  process.exitCode = 1;
} finally {
  await app.close();
  await controller.stop();
  await store.store.close();
  store.remove();
}
