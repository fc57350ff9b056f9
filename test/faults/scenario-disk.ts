// The data directory runs out of space (ENOSPC) while a change rolls out: Sluice stays up, says
// why the sync failed, leaves what runs alone, and converges once space is back.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  auditStore,
  ConfigRepo,
  describeStatus,
  Findings,
  freePort,
  freePortBlock,
  killMarked,
  log,
  markedProcesses,
  MissingPrerequisite,
  onCleanup,
  sleep,
  Sluice,
  tempDir,
  waitConverged,
  waitFor,
} from './harness.js';

const SCOPES = ['hello@dev', 'hello@staging'];
const NO_SPACE = /ENOSPC|no space|disk is full|SQLITE_FULL|disk full/i;

/** Writes zeros until the filesystem refuses one more byte. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  try {
    for (const size of [1 << 20, 1 << 12, 1]) {
      const chunk = Buffer.alloc(size);
      for (;;) {
        try {
          writeSync(fd, chunk);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw e;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

export async function run(): Promise<string[]> {
  const f = new Findings();
  const dir = tempDir('disk');
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  try {
    // Small, but room for the store, the logs and the artifact cache of a few replicas.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', dataDir], { stdio: 'pipe' });
  } catch (e) {
    throw new MissingPrerequisite(
      `cannot mount a tmpfs for a full data directory (needs root): ${(e as { stderr?: Buffer }).stderr?.toString().trim() ?? (e as Error).message}`,
    );
  }
  onCleanup(() => void execFileSync('umount', ['-l', dataDir], { stdio: 'ignore' }));
  onCleanup(() => void killMarked(dataDir));

  const repo = new ConfigRepo(dir, {
    basePort: await freePortBlock(60),
    faultDir: join(dir, 'flags'),
    envs: [
      { name: 'dev', replicas: 1 },
      { name: 'staging', replicas: 1 },
    ],
  });
  let sluice = await Sluice.start({
    dataDir,
    repo: repo.bare,
    port: await freePort(),
    logFile: join(dir, 'sluice-output.log'),
  });
  onCleanup(() => sluice.stop());
  await waitConverged(sluice, repo, SCOPES, 120_000);
  const before = repo.tip();
  const staging = markedProcesses(dataDir).filter((p) => p.env.SLUICE_ENV === 'staging');
  log(`disk: converged on ${before.slice(0, 7)}; filling ${dataDir}`);

  const filler = join(dataDir, 'filler');
  fill(filler);
  repo.commit((read, write) => {
    const p = 'apps/hello/overlays/dev/hello.yaml';
    write(
      p,
      read(p)
        .replace(/GREETING: "[^"]*"/, 'GREETING: "disk-full"')
        .replace(/^ {2}replicas: 1$/m, '  replicas: 2'),
    );
  }, 'Scale dev while the disk is full');

  const failed = await waitFor(
    'dev to report the full disk',
    90_000,
    async () => {
      if (!sluice.alive)
        throw new Error(`sluice serve exited (${sluice.child.exitCode ?? sluice.child.signalCode}) on a full disk`);
      const s = await sluice.status();
      const dev = s.apps.find((a) => a.env === 'dev');
      return dev && NO_SPACE.test(`${dev.reason ?? ''} ${dev.error?.message ?? ''} ${dev.error?.code ?? ''}`)
        ? s
        : undefined;
    },
    async () =>
      sluice.alive ? describeStatus(await sluice.status()) : `sluice serve exited:\n${sluice.output().slice(-3000)}`,
  ).catch((e: unknown) => f.fail(`disk full: ${(e as Error).message}`));
  if (failed)
    log(
      `disk: dev says ${failed.apps.find((a) => a.env === 'dev')!.error?.message ?? failed.apps.find((a) => a.env === 'dev')!.reason}`,
    );
  if (sluice.alive) {
    const s = await sluice.status();
    const st = s.apps.find((a) => a.env === 'staging');
    f.check(
      st?.health === 'Healthy' && st.syncedRevision !== undefined,
      `disk full: staging (untouched) left Healthy:\n${describeStatus(s)}`,
    );
  }
  f.check(
    staging.every((p) => markedProcesses(dataDir).some((q) => q.pid === p.pid)),
    'disk full: a staging replica (not part of the change) was stopped',
  );

  await sleep(5000);
  rmSync(filler);
  log('disk: space is back');
  if (!sluice.alive) {
    f.fail(
      `disk full: sluice serve exited (${sluice.child.exitCode ?? sluice.child.signalCode}); restarting it to check the data dir survived`,
    );
    sluice = await Sluice.start({
      dataDir,
      repo: repo.bare,
      port: await freePort(),
      logFile: join(dir, 'sluice-output.log'),
    });
  }
  await waitConverged(sluice, repo, SCOPES, 240_000).catch((e: unknown) =>
    f.fail(`disk space back, no new commit: ${(e as Error).message}`),
  );
  const store = auditStore(dataDir);
  for (const r of store.running) f.fail(`disk: ${r}`);
  await sluice.stop();
  return f.failures;
}
