// Another process holds the SQLite store locked (BEGIN EXCLUSIVE) longer than Sluice's busy
// timeout: while Sluice runs, and while it starts. Sluice stays up, names the lock, and records
// and converges once the lock is gone.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
  onCleanup,
  ROOT,
  sleep,
  Sluice,
  tempDir,
  waitConverged,
  waitFor,
} from './harness.js';

const SCOPES = ['hello@dev'];
const LOCKED = /SQLITE_BUSY|database is locked|locked|busy/i;

/** A separate process holding an exclusive transaction on the store until released. */
async function lockStore(db: string): Promise<{ release(): Promise<void> }> {
  const script = `import Database from 'better-sqlite3';
const db = new Database(${JSON.stringify(db)});
db.exec('BEGIN EXCLUSIVE');
console.log('locked');
process.stdin.on('data', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });`;
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  onCleanup(() => void child.kill('SIGKILL'));
  await new Promise<void>((res, rej) => {
    child.stdout!.on('data', (b: Buffer) => b.toString().includes('locked') && res());
    child.once('exit', (code) => rej(new Error(`the locking process exited with ${code}`)));
  });
  return {
    async release() {
      child.stdin!.write('release\n');
      await exited;
    },
  };
}

export async function run(): Promise<string[]> {
  const f = new Findings();
  const dir = tempDir('sqlite');
  const dataDir = join(dir, 'data');
  const db = join(dataDir, 'sluice.db');
  onCleanup(() => void killMarked(dataDir));
  const repo = new ConfigRepo(dir, {
    basePort: await freePortBlock(40),
    faultDir: join(dir, 'flags'),
    envs: [{ name: 'dev', replicas: 1 }],
  });
  const serve = { dataDir, repo: repo.bare, port: await freePort(), logFile: join(dir, 'sluice-output.log') };
  let sluice = await Sluice.start(serve);
  onCleanup(() => sluice.stop());
  await waitConverged(sluice, repo, SCOPES, 120_000);
  const sluiceLog = () => {
    try {
      return readFileSync(join(dataDir, 'sluice.log'), 'utf8');
    } catch {
      return '';
    }
  };

  // --- locked while Sluice runs and a change arrives.
  {
    log('sqlite: store locked while a change arrives');
    const lock = await lockStore(db);
    repo.commit((read, write) => {
      const p = 'apps/hello/overlays/dev/hello.yaml';
      write(p, read(p).replace(/GREETING: "[^"]*"/, 'GREETING: "while-locked"'));
    }, 'Change dev while the store is locked');
    const said = await waitFor(
      'dev to say the store is locked',
      60_000,
      async () => {
        if (!sluice.alive)
          throw new Error(
            `sluice serve exited (${sluice.child.exitCode ?? sluice.child.signalCode}) while the store was locked`,
          );
        const s = await sluice.status();
        const dev = s.apps.find((a) => a.env === 'dev');
        return dev && LOCKED.test(`${dev.reason ?? ''} ${dev.error?.code ?? ''} ${dev.error?.message ?? ''}`)
          ? s
          : undefined;
      },
      async () => (sluice.alive ? describeStatus(await sluice.status()) : sluice.output().slice(-3000)),
    ).catch((e: unknown) => f.fail(`store locked: ${(e as Error).message}`));
    if (said) log(`sqlite: dev says ${said.apps[0]!.error?.message ?? said.apps[0]!.reason}`);
    await sleep(5000);
    await lock.release();
    log('sqlite: lock released');
    await waitConverged(sluice, repo, SCOPES, 120_000).catch((e: unknown) =>
      f.fail(`lock released, no new commit: ${(e as Error).message}`),
    );
    const syncs = await sluice
      .api<{ revision: string; result: string }[]>('/api/v1/syncs?app=hello&env=dev&limit=5')
      .catch(() => []);
    f.check(
      syncs.some((s) => s.revision === repo.tip() && s.result === 'Succeeded'),
      `lock released: no Succeeded sync of ${repo.tip().slice(0, 7)} recorded (newest: ${syncs.map((s) => `${s.revision.slice(0, 7)} ${s.result}`).join(', ') || 'none'})`,
    );
  }

  // --- Sluice started while the store is locked.
  {
    log('sqlite: kill -9, then start while the store is locked');
    await sluice.kill9();
    const lock = await lockStore(db);
    const logBefore = sluiceLog().length;
    sluice = Sluice.spawn(serve);
    await sleep(15_000);
    if (!sluice.alive) {
      f.fail(
        `started while the store is locked: sluice serve exited with ${sluice.child.exitCode} instead of waiting for the lock:\n${sluice.output().trim().split('\n').slice(-5).join('\n')}`,
      );
    } else {
      const said = LOCKED.test(sluice.output()) || LOCKED.test(sluiceLog().slice(logBefore));
      f.check(said, 'started while the store is locked: neither the output nor sluice.log names the lock after 15 s');
    }
    await lock.release();
    log('sqlite: lock released');
    if (!sluice.alive) sluice = Sluice.spawn(serve);
    try {
      await sluice.ready(60_000);
      await waitConverged(sluice, repo, SCOPES, 120_000);
    } catch (e) {
      f.fail(`after the lock was released: ${(e as Error).message}`);
    }
  }

  for (const r of auditStore(dataDir).running) f.fail(`sqlite: ${r}`);
  await sluice.stop();
  return f.failures;
}
