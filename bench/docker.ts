/**
 * Docker benchmark: one Compose project of BENCH_DOCKER_SERVICES services (50), deployed by
 * Sluice's docker provider and by `docker-compose up -d` from the same compose file, in the
 * same run, on the same Engine, one after the other:
 *
 *   1. first deploy (nothing running),
 *   2. one service's image changed,
 *   3. a pass with nothing changed (containers recreated are counted by id).
 *
 * The images are the Docker suite's (FROM scratch + busybox-static, built locally), so nothing
 * is pulled. Sluice runs in this process through the provider, after rendering the compose
 * file with the `compose` renderer, as the controller does on each sync; docker-compose runs
 * as its own process each time, as a CI deploy job runs it.
 *
 *   npm run bench:docker
 *   BENCH_DOCKER_SERVICES=10 npm run bench:docker   # a quick run
 *
 * Targets: first deploy ≤ 1.0× docker-compose, one-service change ≤ 0.5×, no-change pass
 * recreates 0 containers in < 1 s. Exits 1 when one is missed; without a dockerd or
 * docker-compose it says so and exits 0 (1 under CI=true).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Resource } from '../src/model/resource.js';
import { DockerProvider } from '../src/providers/docker/provider.js';
import { composeProjectName } from '../src/providers/docker/labels.js';
import type { Scope } from '../src/providers/types.js';
import { renderCompose } from '../src/render/compose/renderer.js';
import { DiskFs } from '../src/vfs/index.js';

const SERVICES = Number(process.env['BENCH_DOCKER_SERVICES'] ?? 50);
const IMAGE = 'sluice-test/busybox:1';
const IMAGE_2 = 'sluice-test/busybox:2';

function need(what: string, ok: boolean): boolean {
  if (ok) return true;
  const message = `bench:docker needs ${what}`;
  if (process.env['CI'] === 'true') throw new Error(message);
  console.log(`${message}; skipped`);
  return false;
}

const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
if (
  !need('a dockerd answering `docker version`', has('docker', ['version'])) ||
  !need('docker-compose', has('docker-compose', ['version']))
)
  process.exit(0);

execFileSync('bash', [new URL('../test/suites/docker/build-image.sh', import.meta.url).pathname], { stdio: 'inherit' });

function composeFile(changed: boolean): string {
  const lines = ['services:'];
  for (let i = 0; i < SERVICES; i++) {
    lines.push(
      `  svc${i}:`,
      `    image: ${changed && i === 0 ? IMAGE_2 : IMAGE}`,
      '    restart: unless-stopped',
      '    environment:',
      `      INDEX: "${i}"`,
      '      LOG_LEVEL: info',
    );
  }
  return `${lines.join('\n')}\n`;
}

const work = mkdtempSync(join(tmpdir(), 'sluice-bench-docker-'));
const appDir = join(work, 'repo', 'apps', 'bench', 'base');
mkdirSync(appDir, { recursive: true });
const composeProject = `benchdc${process.pid}`;
const scope: Scope = { project: 'bench', app: `bench${process.pid}`, env: 'dev' };
const sluiceProject = composeProjectName(scope);

function writeCompose(changed: boolean): Resource[] {
  writeFileSync(join(appDir, 'compose.yaml'), composeFile(changed));
  return renderCompose(new DiskFs(join(work, 'repo')), 'apps/bench/base').map((r) => r.object);
}

function ids(project: string): Map<string, string> {
  const out = execFileSync(
    'docker',
    ['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}} {{.ID}}'],
    { encoding: 'utf8' },
  ).trim();
  return new Map(out ? out.split('\n').map((l) => l.split(' ') as [string, string]) : []);
}

function recreated(before: Map<string, string>, after: Map<string, string>): number {
  let n = 0;
  for (const [name, id] of after) if (before.get(name) !== id) n++;
  return n;
}

function dockerCompose(): number {
  const t0 = performance.now();
  const r = spawnSync('docker-compose', ['-p', composeProject, '-f', join(appDir, 'compose.yaml'), 'up', '-d'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`docker-compose up -d failed: ${r.stderr}`);
  return performance.now() - t0;
}

function cleanup(project: string): void {
  const all = [...ids(project).values()];
  if (all.length > 0) execFileSync('docker', ['rm', '-f', ...all], { stdio: 'ignore' });
  const nets = execFileSync(
    'docker',
    ['network', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`],
    { encoding: 'utf8' },
  ).trim();
  if (nets) execFileSync('docker', ['network', 'rm', ...nets.split('\n')], { stdio: 'ignore' });
}

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const provider = new DockerProvider(
  { dataDir: work, log: { info() {}, warn() {}, error() {}, debug() {} } },
  { host: 'unix:///var/run/docker.sock', pruneVolumes: false, readyTimeoutMs: 60_000 },
);

let failed = false;
try {
  const sluice = async (revision: string, changed: boolean) => {
    const before = ids(sluiceProject);
    const t0 = performance.now();
    const plan = await provider.apply(scope, writeCompose(changed), { prune: true, revision, reason: 'bench' });
    const ms = performance.now() - t0;
    return { ms, plan: plan.summary, recreated: recreated(before, ids(sluiceProject)) };
  };
  const compose = (changed: boolean) => {
    writeCompose(changed);
    const before = ids(composeProject);
    const ms = dockerCompose();
    return { ms, recreated: recreated(before, ids(composeProject)) };
  };

  console.log(
    `bench:docker — ${SERVICES} services, Engine ${execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' }).trim()}`,
  );
  // Both take turns going first, so neither always meets a warmer Engine.
  const dFirst = compose(false);
  const sFirst = await sluice('r1', false);
  const sChange = await sluice('r2', true);
  const dChange = compose(true);
  const dSame = compose(true);
  const sSame = await sluice('r3', true);

  const row = (name: string, s: { ms: number; recreated: number }, d: { ms: number; recreated: number }) => {
    const ratio = s.ms / d.ms;
    console.log(
      `${name.padEnd(20)} sluice ${secs(s.ms).padStart(8)} (${String(s.recreated).padStart(2)} new)   docker-compose ${secs(d.ms).padStart(8)} (${String(d.recreated).padStart(2)} new)   ratio ${ratio.toFixed(2)}×`,
    );
    return ratio;
  };
  console.log('');
  const rFirst = row('first deploy', sFirst, dFirst);
  const rChange = row('one-service change', sChange, dChange);
  row('no-change pass', sSame, dSame);
  console.log('');
  const targets = [
    [`first deploy ≤ 1.0× docker-compose`, rFirst <= 1.0],
    [`one-service change ≤ 0.5× docker-compose`, rChange <= 0.5],
    [`one-service change recreates 1 container (${sChange.recreated})`, sChange.recreated === 1],
    [`no-change pass recreates 0 containers (${sSame.recreated})`, sSame.recreated === 0],
    [`no-change pass < 1 s (${secs(sSame.ms)})`, sSame.ms < 1000],
  ] as const;
  for (const [name, ok] of targets) console.log(`${ok ? 'ok    ' : 'MISSED'} ${name}`);
  failed = targets.some(([, ok]) => !ok);
} finally {
  await provider.close();
  cleanup(sluiceProject);
  cleanup(composeProject);
  rmSync(work, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
