// The target fails (the process target: the replicas and the machine they run on). Three cases,
// each against its own Sluice, side by side:
//   outage  replicas unreachable for longer than the retry budget of today's controller
//   start   Sluice started while the target is down
//   hang    a target call that never returns (an artifact read blocked like on a hung mount)
import { execFileSync } from 'node:child_process';
import { closeSync, constants, linkSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConfigRepo,
  describeStatus,
  events,
  Findings,
  freePort,
  freePortBlock,
  killMarked,
  log,
  onCleanup,
  serviceScript,
  sleep,
  Sluice,
  tempDir,
  waitConverged,
  waitFor,
} from './harness.js';

/**
 * Today's controller retries a failed sync 5 times, 5 s to 80 s apart (at most ~155 s of waits
 * plus the health timeouts); the outage outlasts that.
 */
const OUTAGE_MS = Number(process.env.SLUICE_FAULT_OUTAGE_S ?? 200) * 1000;
/** Generous: a retry after a long outage may be one backoff cap (minutes) away. */
const RECOVERY_MS = Number(process.env.SLUICE_FAULT_RECOVERY_S ?? 330) * 1000;
const SAYS_WHY = /HEALTH_TIMEOUT|not healthy|exited|ECONNRE|connection|socket hang up|Degraded/i;

interface Setup {
  f: Findings;
  dir: string;
  dataDir: string;
  repo: ConfigRepo;
  sluice: Sluice;
  restart(): Promise<Sluice>;
}

async function setup(name: string, envs: { name: string; replicas: number }[]): Promise<Setup> {
  const dir = tempDir(`target-${name}`);
  const dataDir = join(dir, 'data');
  onCleanup(() => void killMarked(dataDir));
  const repo = new ConfigRepo(dir, {
    basePort: await freePortBlock(20 * (envs.length + 1) + 20),
    faultDir: join(dir, 'flags'),
    envs,
    healthTimeout: '5s',
  });
  const serve = { dataDir, repo: repo.bare, port: await freePort(), logFile: join(dir, 'sluice-output.log') };
  const s: Setup = {
    f: new Findings(),
    dir,
    dataDir,
    repo,
    sluice: await Sluice.start(serve),
    async restart() {
      s.sluice = await Sluice.start(serve);
      return s.sluice;
    },
  };
  onCleanup(() => s.sluice.stop());
  await waitConverged(
    s.sluice,
    repo,
    envs.map((e) => `hello@${e.name}`),
    120_000,
  );
  return s;
}

const greet = (repo: ConfigRepo, env: string, greeting: string) =>
  repo.commit((read, write) => {
    const p = `apps/hello/overlays/${env}/hello.yaml`;
    write(p, read(p).replace(/GREETING: "[^"]*"/, `GREETING: "${greeting}"`));
  }, `Greet ${env} with ${greeting}`);

async function outage(): Promise<string[]> {
  const { f, repo, sluice } = await setup('outage', [{ name: 'dev', replicas: 1 }]);
  log(`target outage: replicas of dev unreachable for ${OUTAGE_MS / 1000}s`);
  const until = Date.now() + OUTAGE_MS;
  repo.flag('dev', 'down', true);
  greet(repo, 'dev', 'after-outage');
  const s = await waitFor('dev to say why it is not healthy', 60_000, async () => {
    const dev = (await sluice.status()).apps.find((a) => a.env === 'dev');
    return dev && dev.health !== 'Healthy' && SAYS_WHY.test(`${dev.reason ?? ''} ${dev.error?.message ?? ''}`)
      ? dev
      : undefined;
  }).catch((e: unknown) => f.fail(`target outage: ${(e as Error).message}`));
  if (s) log(`target outage: dev says ${s.error?.message ?? s.reason}`);
  await sleep(Math.max(0, until - Date.now()));
  repo.flag('dev', 'down', false);
  log('target outage: over');
  await waitConverged(sluice, repo, ['hello@dev'], RECOVERY_MS).catch((e: unknown) =>
    f.fail(`after an outage of ${OUTAGE_MS / 1000}s, no new commit: ${(e as Error).message}`),
  );
  return f.failures;
}

async function startWhileDown(): Promise<string[]> {
  const s = await setup('start', [{ name: 'dev', replicas: 1 }]);
  const { f, repo, dataDir } = s;
  log('target start: kill -9 of Sluice, the target goes down, Sluice starts');
  await s.sluice.kill9();
  repo.flag('dev', 'down', true);
  killMarked(dataDir);
  const sluice = await s.restart().catch((e: unknown) => {
    f.fail(`started while the target is down: ${(e as Error).message}`);
    return undefined;
  });
  if (!sluice) return f.failures;
  const said = await waitFor('dev to say why it is not healthy', 60_000, async () => {
    const dev = (await sluice.status()).apps.find((a) => a.env === 'dev');
    return dev && dev.health !== 'Healthy' && SAYS_WHY.test(`${dev.reason ?? ''} ${dev.error?.message ?? ''}`)
      ? dev
      : undefined;
  }).catch(async (e: unknown) =>
    f.fail(`started while the target is down: ${(e as Error).message}\n${describeStatus(await sluice.status())}`),
  );
  if (said) log(`target start: dev says ${said.error?.message ?? said.reason}`);
  await sleep(10_000);
  repo.flag('dev', 'down', false);
  log('target start: target back');
  await waitConverged(sluice, repo, ['hello@dev'], RECOVERY_MS).catch((e: unknown) =>
    f.fail(`started while the target was down, then it came back: ${(e as Error).message}`),
  );
  return f.failures;
}

async function hang(): Promise<string[]> {
  const { f, dir, repo, sluice } = await setup('hang', [
    { name: 'dev', replicas: 1 },
    { name: 'staging', replicas: 1 },
  ]);
  // The new artifact's path is a FIFO nobody writes: opening it blocks like a read from a hung
  // mount. A hard link keeps a way to release the blocked reader when the suite ends.
  const b = repo.build('2.0.0');
  const real = `${b.path}.real`;
  renameSync(b.path, real);
  execFileSync('mkfifo', [b.path]);
  const held = join(dir, 'held.fifo');
  linkSync(b.path, held);
  onCleanup(() => {
    // Every open of the write end releases one blocked reader; ENXIO means none is left.
    for (let i = 0; i < 64; i++) {
      try {
        closeSync(openSync(held, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        break;
      }
    }
  });
  log('target hang: dev rolls to an artifact whose read never returns');
  repo.commit((read, write) => {
    const p = 'apps/hello/overlays/dev/hello.yaml';
    write(
      p,
      read(p).replace(repo.first.path, b.path).replace(repo.first.sha256, b.sha256).replace('"1.0.0"', '"2.0.0"'),
    );
  }, 'Roll dev to 2.0.0');
  await waitFor('dev to start its sync', 30_000, async () =>
    (await sluice.status()).apps.find((a) => a.env === 'dev')?.sync === 'Syncing' ? true : undefined,
  ).catch((e: unknown) => f.fail(`target hang: ${(e as Error).message}`));

  // Other scopes go on while one target call hangs.
  greet(repo, 'staging', 'during-hang');
  await waitFor('staging to sync the newest revision while dev hangs', 60_000, async () => {
    const st = (await sluice.status()).apps.find((a) => a.env === 'staging');
    return st?.sync === 'Synced' && st.health === 'Healthy' && st.syncedRevision === repo.tip() ? true : undefined;
  }).catch(async (e: unknown) =>
    f.fail(`target hang: ${(e as Error).message}\n${describeStatus(await sluice.status())}`),
  );

  // The target is fine again for every new call; the one already made stays stuck forever.
  await sleep(10_000);
  writeFileSync(`${real}.tmp`, serviceScript('2.0.0'));
  renameSync(`${real}.tmp`, b.path);
  log('target hang: the artifact is readable again (the call already hung stays hung)');
  await waitConverged(sluice, repo, ['hello@dev', 'hello@staging'], RECOVERY_MS).catch((e: unknown) =>
    f.fail(`target hang: a hung call must end at a deadline and the sync be retried: ${(e as Error).message}`),
  );
  const said = (await events(sluice, 'env=dev&limit=200')).find((e) => /timed? ?out|deadline|timeout/i.test(e.message));
  f.check(said !== undefined, 'target hang: no event for dev says a call timed out');
  return f.failures;
}

export async function run(): Promise<string[]> {
  const results = await Promise.all(
    [outage(), startWhileDown(), hang()].map((p) =>
      p.catch((e: unknown) => [`aborted: ${(e as Error).stack ?? String(e)}`]),
    ),
  );
  return results.flat();
}
