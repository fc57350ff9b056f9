// The config repo's remote fails: down (connection refused, also while Sluice starts), slow (a
// proxy that stalls every connection) and force-pushed (history rewritten under Sluice).
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import {
  auditProcesses,
  ConfigRepo,
  describeStatus,
  events,
  Findings,
  freePort,
  freePortBlock,
  git,
  killMarked,
  log,
  markedProcesses,
  onCleanup,
  processManifest,
  sleep,
  Sluice,
  tempDir,
  waitConverged,
  waitFor,
} from './harness.js';

/**
 * A TCP proxy on 127.0.0.1 in front of the git daemon. `down` stops listening (connection
 * refused); `stall` keeps accepting but moves no byte either way until `pass`, and never for
 * longer than `maxStallMs`, so a forgotten stall cannot hang the suite.
 */
class FaultProxy {
  private server: Server | undefined;
  private mode: 'pass' | 'stall' = 'pass';
  private readonly pairs = new Set<{ client: Socket; upstream?: Socket }>();
  private stallTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly port: number,
    private readonly upstreamPort: number,
    private readonly maxStallMs = 120_000,
  ) {}

  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(this.port, '127.0.0.1', () => res());
    });
    this.server = server;
  }

  async down(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream?.destroy();
    }
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  stall(): void {
    this.mode = 'stall';
    for (const p of this.pairs) {
      p.client.pause();
      p.upstream?.pause();
    }
    this.stallTimer = setTimeout(() => this.pass(), this.maxStallMs);
  }

  pass(): void {
    clearTimeout(this.stallTimer);
    this.mode = 'pass';
    for (const p of this.pairs) {
      if (!p.upstream) this.connect(p);
      p.client.resume();
      p.upstream?.resume();
    }
  }

  private accept(client: Socket): void {
    const pair: { client: Socket; upstream?: Socket } = { client };
    this.pairs.add(pair);
    client.on('error', () => undefined);
    client.on('close', () => {
      this.pairs.delete(pair);
      pair.upstream?.destroy();
    });
    client.pause();
    if (this.mode === 'pass') this.connect(pair);
  }

  private connect(pair: { client: Socket; upstream?: Socket }): void {
    const upstream = createConnection({ host: '127.0.0.1', port: this.upstreamPort });
    pair.upstream = upstream;
    upstream.on('error', () => pair.client.destroy());
    upstream.on('close', () => pair.client.destroy());
    pair.client.pipe(upstream);
    upstream.pipe(pair.client);
    pair.client.resume();
  }
}

const exec = promisify(execFile);
const SCOPES = ['hello@dev', 'extra@dev'];

export async function run(): Promise<string[]> {
  const f = new Findings();
  const dir = tempDir('remote');
  const dataDir = join(dir, 'data');
  const basePort = await freePortBlock(80);
  const faultDir = join(dir, 'flags');
  const repo = new ConfigRepo(dir, {
    basePort,
    faultDir,
    envs: [{ name: 'dev', replicas: 1 }],
    // A second app in dev: the rewritten history drops it, and it must not be pruned.
    extraApps: '    - { name: extra, path: apps/extra }\n',
    extraFiles: (first) => ({
      'apps/extra/overlays/dev/extra.yaml': processManifest({
        name: 'extra',
        build: first,
        replicas: 1,
        port: basePort + 60,
        service: basePort + 79,
        greeting: 'extra',
        faultDir,
      }),
    }),
  });

  const daemonPort = await freePort();
  const daemon = spawn(
    'git',
    [
      'daemon',
      '--reuseaddr',
      '--export-all',
      '--informative-errors',
      `--base-path=${dir}`,
      '--listen=127.0.0.1',
      `--port=${daemonPort}`,
      dir,
    ],
    {
      stdio: 'ignore',
      detached: true,
    },
  );
  onCleanup(() => {
    try {
      process.kill(-daemon.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  });
  const proxy = new FaultProxy(await freePort(), daemonPort);
  await proxy.up();
  onCleanup(() => proxy.down());
  const url = `git://127.0.0.1:${proxy.port}/origin.git`;
  // Asynchronously: the proxy lives in this process, so a blocking git call would wait on itself.
  await waitFor('git daemon to serve the repo', 30_000, async () => {
    try {
      return (await exec('git', ['ls-remote', url, 'refs/heads/main'])).stdout.includes(repo.tip()) ? true : undefined;
    } catch {
      return undefined;
    }
  });

  onCleanup(() => void killMarked(dataDir));
  const serve = { dataDir, repo: url, port: await freePort(), poll: 1, logFile: join(dir, 'sluice-output.log') };
  let sluice = await Sluice.start(serve);
  onCleanup(() => sluice.stop());
  await waitConverged(sluice, repo, SCOPES, 120_000);
  log(`remote: Sluice follows ${url}, converged on ${repo.tip().slice(0, 7)}`);
  const pidsOf = (app: string) =>
    markedProcesses(dataDir)
      .filter((p) => p.env.SLUICE_APP === app)
      .map((p) => p.pid)
      .sort();
  const setGreeting = (greeting: string) =>
    repo.commit((read, write) => {
      const p = 'apps/hello/overlays/dev/hello.yaml';
      write(p, read(p).replace(/GREETING: "[^"]*"/, `GREETING: "${greeting}"`));
    }, `Greet with ${greeting}`);

  // --- down: the last good revision stays in force, the error names the cause, and it recovers.
  {
    log('remote: down');
    const before = repo.tip();
    const pids = pidsOf('hello');
    await proxy.down();
    setGreeting('after-outage');
    // A few failed polls in, not just the first.
    await sleep(5000);
    const broken = await waitFor('a source error while the remote is down', 60_000, async () => {
      const s = await sluice.status();
      return s.source.error ? s : undefined;
    }).catch((e: unknown) => f.fail(`remote down: ${(e as Error).message}`));
    if (broken) {
      f.check(
        broken.source.error!.code === 'SOURCE_UNREACHABLE',
        `remote down: source error is ${broken.source.error!.code}, expected SOURCE_UNREACHABLE`,
      );
      f.check(
        broken.source.revision === before,
        `remote down: source revision moved from ${before.slice(0, 7)} to ${broken.source.revision?.slice(0, 7)}`,
      );
      f.check(
        broken.apps.every((a) => a.health === 'Healthy' && a.syncedRevision === before),
        `remote down: scopes left their last good revision or health:\n${describeStatus(broken)}`,
      );
      f.check(
        JSON.stringify(pidsOf('hello')) === JSON.stringify(pids),
        'remote down: replicas were restarted while the remote was unreachable',
      );
    }

    // --- Sluice started while the remote is down: it serves the last good revision from its cache.
    log('remote: kill -9 and start while the remote is down');
    await sluice.kill9();
    sluice = Sluice.spawn(serve);
    try {
      await sluice.ready(60_000);
      const s = await waitFor(
        'the scopes at the last good revision with a source error, Sluice started while the remote is down',
        60_000,
        async () => {
          const st = await sluice.status();
          const ok =
            st.source.error &&
            SCOPES.every((k) =>
              st.apps.some((a) => `${a.app}@${a.env}` === k && a.health === 'Healthy' && a.syncedRevision === before),
            );
          return ok ? st : undefined;
        },
        async () => describeStatus(await sluice.status()),
      );
      f.check(
        s.source.error!.code === 'SOURCE_UNREACHABLE',
        `started while down: source error ${s.source.error!.code}`,
      );
      f.check(
        JSON.stringify(pidsOf('hello')) === JSON.stringify(pids),
        `started while down: replicas were not adopted as they were (pids ${pids.join(' ')} → ${pidsOf('hello').join(' ')})`,
      );
    } catch (e) {
      f.fail(`started while the remote is down: ${(e as Error).message}`);
    }
    await sleep(3000);
    await proxy.up();
    await waitConverged(sluice, repo, SCOPES, 120_000).catch((e: unknown) =>
      f.fail(`remote back up: ${(e as Error).message}`),
    );
    const audit = auditProcesses(dataDir, { 'hello@dev': 1, 'extra@dev': 1 });
    f.check(
      !audit.orphans.length && !audit.duplicates.length,
      `remote back up: ${[...audit.orphans, ...audit.duplicates].join('; ')}`,
    );
  }

  // --- slow: a remote that stalls mid-fetch holds up neither the API nor the running scopes.
  {
    log('remote: slow (stalling proxy)');
    const before = repo.tip();
    proxy.stall();
    setGreeting('after-stall');
    for (let i = 0; i < 4; i++) {
      await sleep(5000);
      try {
        const s = await sluice.status(10_000);
        f.check(
          s.apps.every((a) => a.health === 'Healthy' && a.syncedRevision === before),
          `remote stalled: scopes left the last good revision or health:\n${describeStatus(s)}`,
        );
      } catch (e) {
        f.fail(`remote stalled: the status API did not answer within 10 s: ${(e as Error).message}`);
      }
    }
    proxy.pass();
    await waitConverged(sluice, repo, SCOPES, 180_000).catch((e: unknown) =>
      f.fail(`remote after the stall: ${(e as Error).message}`),
    );
  }

  // --- force push: history rewritten under Sluice. The last known good revision stays, nothing
  // is pruned, and an event says what happened.
  {
    log('remote: force push');
    const good = repo.tip();
    const extraPids = pidsOf('extra');
    const lastEvent = Math.max(0, ...(await events(sluice, 'limit=1')).map((e) => e.id));
    // A rewrite as `git push --force` of a rebased branch does: the first commit, then one that
    // drops the extra app (which a prune would remove) and changes hello.
    const root = git(repo.work, 'rev-list', '--max-parents=0', 'origin/main').trim();
    git(repo.work, 'checkout', '-q', '-B', 'rewrite', root);
    const hello = join(repo.work, 'apps/hello/overlays/dev/hello.yaml');
    writeFileSync(hello, readFileSync(hello, 'utf8').replace(/GREETING: "[^"]*"/, 'GREETING: "rewritten"'));
    writeFileSync(
      join(repo.work, 'sluice.yaml'),
      readFileSync(join(repo.work, 'sluice.yaml'), 'utf8').replace(/^.*name: extra.*\n/m, ''),
    );
    rmSync(join(repo.work, 'apps/extra'), { recursive: true, force: true });
    git(repo.work, 'add', '-A');
    git(repo.work, 'commit', '-qm', 'Rewritten history without extra');
    git(repo.work, 'push', '-q', '--force', 'origin', 'rewrite:main');
    git(repo.work, 'checkout', '-q', 'main');
    const rewritten = repo.tip();

    const ev = await waitFor('an event about the rewritten history', 60_000, async () =>
      (await events(sluice, 'limit=200')).find(
        (e) => e.id > lastEvent && /force|rewr|non-fast-forward|history/i.test(`${e.type} ${e.message}`),
      ),
    ).catch((e: unknown) => f.fail(`force push: ${(e as Error).message}`));
    if (ev) log(`remote: force push event ${ev.type}: ${ev.message}`);
    // Sluice polls every second: a few polls later it must still hold the last known good revision.
    await sleep(5000);
    const s = await sluice.status();
    f.check(
      s.source.revision === good,
      `force push: source revision moved from the last known good ${good.slice(0, 7)} to ${s.source.revision?.slice(0, 7)} (the rewritten tip is ${rewritten.slice(0, 7)})`,
    );
    f.check(
      s.apps.some((a) => a.app === 'extra' && a.env === 'dev' && a.syncedRevision === good),
      `force push: extra@dev no longer at the last known good revision:\n${describeStatus(s)}`,
    );
    f.check(
      pidsOf('extra').length === 1 && JSON.stringify(pidsOf('extra')) === JSON.stringify(extraPids),
      `force push: extra@dev was pruned or restarted (pids ${extraPids.join(' ')} → ${pidsOf('extra').join(' ') || 'none'})`,
    );
    if (!ev) {
      const recent = (await events(sluice, 'limit=200')).filter((e) => e.id > lastEvent);
      f.fail(
        `force push: events since the push: ${recent.map((e) => `${e.type}: ${e.message}`).join(' | ') || 'none'}`,
      );
    }

    // Putting the old history back and building on it is a fast-forward from the last known good revision.
    git(repo.work, 'push', '-q', '--force', 'origin', `${good}:main`);
    setGreeting('after-force-push');
    await waitConverged(sluice, repo, SCOPES, 120_000).catch((e: unknown) =>
      f.fail(`after restoring the history: ${(e as Error).message}`),
    );
  }

  await sluice.stop();
  return f.failures;
}
