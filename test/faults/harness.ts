// Shared pieces of the fault-injection suite: real `sluice serve` processes on a temp data dir,
// a real Git config repo, the replicas they run, and read-only looks at what Sluice stored.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { AppEnvStatus, ProjectStatus } from '../../src/reconcile/status.js';
import { Tokens } from '../../src/server/auth/tokens.js';
import type { Role } from '../../src/store/access-types.js';
import { openStore } from '../../src/store/index.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

// ---------------------------------------------------------------------------------------------
// Cleanup: everything started here is undone on exit, also after a failure or Ctrl-C.

const cleanups: (() => void | Promise<void>)[] = [];

export function onCleanup(fn: () => void | Promise<void>): void {
  cleanups.push(fn);
}

export async function runCleanups(): Promise<void> {
  while (cleanups.length) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (e) {
      console.error(`cleanup: ${(e as Error).message}`);
    }
  }
  await Sluice.killAll();
}

export function log(message: string): void {
  const t = new Date().toISOString().slice(11, 23);
  console.log(`[${t}] ${message}`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value other than undefined; throws after `timeoutMs` naming what was awaited and the last state seen. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined> | T | undefined,
  describe?: () => string | Promise<string>,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
      last = undefined;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const state = describe
        ? await Promise.resolve(describe()).catch((e: unknown) => `(state unavailable: ${(e as Error).message})`)
        : '';
      throw new Error(
        `timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}${state ? `\n${state}` : ''}`,
      );
    }
    await sleep(intervalMs);
  }
}

export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `sluice-faults-${name}-`));
  onCleanup(() => {
    if (process.env.SLUICE_FAULT_KEEP) console.log(`kept ${dir} (SLUICE_FAULT_KEEP)`);
    else rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Ports: loopback only.

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

function isFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

/** A block of `size` consecutive free ports (replica ports move as replicas roll, so each env needs room). */
export async function freePortBlock(size: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    // Below Linux's ephemeral range (32768 up), where outgoing connections could take a port mid-run.
    const base = 21_000 + 50 * Math.floor(Math.random() * 220);
    let ok = true;
    for (let p = base; p < base + size && ok; p++) ok = await isFree(p);
    if (ok) return base;
  }
  throw new Error('no free block of ports');
}

// ---------------------------------------------------------------------------------------------
// The sluice command: the compiled CLI when dist/ is at least as new as src/, else the sources.

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

export function sluiceCommand(): { argv: string[]; how: string } {
  if (process.env.SLUICE_BIN) return { argv: [process.env.SLUICE_BIN], how: `SLUICE_BIN=${process.env.SLUICE_BIN}` };
  const built = join(ROOT, 'dist/cli/run.js');
  // A restart per kill: the compiled CLI starts in about a second, the sources through tsx in three.
  if (existsSync(built) && statSync(built).mtimeMs >= newestMtime(join(ROOT, 'src')))
    return { argv: [join(ROOT, 'bin/sluice.js')], how: 'bin/sluice.js (dist is fresh)' };
  return {
    argv: ['--import', 'tsx', join(ROOT, 'src/cli/run.ts')],
    how: 'src/cli/run.ts through tsx (dist is older than src; `npm run build` makes restarts faster)',
  };
}

// ---------------------------------------------------------------------------------------------
// A `sluice serve` process.

export interface ServeOptions {
  dataDir: string;
  repo: string;
  port: number;
  /** Seconds between fetches of a remote repo. */
  poll?: number;
  /** Everything the process prints goes here too, across restarts, for failure reports. */
  logFile: string;
}

export class Sluice {
  readonly child: ChildProcess;
  readonly url: string;
  private out = '';
  readonly exited: Promise<number | null>;
  private static all = new Set<Sluice>();

  private constructor(readonly o: ServeOptions) {
    const cmd = sluiceCommand();
    const args = [
      ...cmd.argv,
      '--data-dir',
      o.dataDir,
      'serve',
      '--repo',
      o.repo,
      '--port',
      String(o.port),
      '--poll',
      String(o.poll ?? 1),
    ];
    // Its own process group, so kill -9 of the group takes Sluice and its git helpers but not
    // the replicas, which lead groups of their own and are meant to outlive it.
    this.child = spawn(process.execPath, args, {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    this.url = `http://127.0.0.1:${o.port}`;
    const onData = (b: Buffer) => {
      const text = b.toString('utf8');
      this.out += text;
      appendFileSync(o.logFile, text);
    };
    this.child.stdout!.on('data', onData);
    this.child.stderr!.on('data', onData);
    this.exited = new Promise((r) => this.child.once('exit', (code) => r(code)));
    appendFileSync(o.logFile, `\n--- sluice serve started, pid ${this.child.pid} at ${new Date().toISOString()}\n`);
    Sluice.all.add(this);
    void this.exited.then(() => Sluice.all.delete(this));
  }

  static spawn(o: ServeOptions): Sluice {
    return new Sluice(o);
  }

  /** Starts Sluice and waits until its API answers. */
  static async start(o: ServeOptions, timeoutMs = 60_000): Promise<Sluice> {
    const s = new Sluice(o);
    await s.ready(timeoutMs);
    return s;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.out;
  }

  /** Resolves once the API answers; rejects when Sluice exits first or the time is up. */
  async ready(timeoutMs = 60_000): Promise<void> {
    const exited = this.exited.then((code) => {
      throw new Error(`sluice serve exited with ${code} before its API answered:\n${tail(this.out)}`);
    });
    exited.catch(() => undefined);
    await Promise.race([
      waitFor('the Sluice API to answer', timeoutMs, async () =>
        (await this.api<{ ok: boolean }>('/healthz', undefined, 2000)).ok ? true : undefined,
      ),
      exited,
    ]);
  }

  /** An API call with `token`, or the admin token this server wrote into its data dir. */
  async api<T>(path: string, body?: unknown, timeoutMs = 30_000, token?: string): Promise<T> {
    return api<T>(
      this.url,
      path,
      body,
      timeoutMs,
      token ?? readFileSync(join(this.o.dataDir, 'admin-token'), 'utf8').trim(),
    );
  }

  /** A token acting as `user` with `role` everywhere, made in the data dir's store. */
  static async token(dataDir: string, name: string, role: Role, user: string): Promise<string> {
    const store = openStore(dataDir);
    try {
      return (await new Tokens(store.access).create({ name, role, environments: ['*'], user })).token;
    } finally {
      await store.close();
    }
  }

  status(timeoutMs = 10_000): Promise<ProjectStatus> {
    return this.api<ProjectStatus>('/api/v1/status', undefined, timeoutMs);
  }

  /** kill -9 of Sluice's process group: no shutdown code runs. */
  async kill9(): Promise<void> {
    if (!this.alive) return;
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      this.child.kill('SIGKILL');
    }
    await this.exited;
  }

  /** Ctrl-C: Sluice stops and stops every process it started. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGINT');
    const t = setTimeout(() => void this.kill9(), timeoutMs);
    await this.exited;
    clearTimeout(t);
  }

  static async killAll(): Promise<void> {
    await Promise.all([...Sluice.all].map((s) => s.kill9()));
  }
}

export async function api<T>(
  base: string,
  path: string,
  body?: unknown,
  timeoutMs = 30_000,
  token?: string,
): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (!res.ok)
    throw new ApiError(
      res.status,
      `${body === undefined ? 'GET' : 'POST'} ${path}: HTTP ${res.status} ${text.slice(0, 500)}`,
    );
  return (text ? JSON.parse(text) : undefined) as T;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}

// ---------------------------------------------------------------------------------------------
// The config repo: a bare repository Sluice follows (by path, or served over git://), and a
// clone the suite commits from the way a person pushes.

const GIT_ID = ['-c', 'user.name=Fault Suite', '-c', 'user.email=faults@localhost', '-c', 'commit.gpgsign=false'];

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', [...GIT_ID, ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  });
}

export interface Build {
  version: string;
  path: string;
  sha256: string;
  /** The set-image argument: hello=<path>:<version>@sha256:<hex>. */
  arg: string;
}

export interface EnvSpec {
  name: string;
  replicas: number;
  extra?: string;
}

export interface RepoOptions {
  /** Replica ports of env i start at basePort + 20 * i; its service port is basePort + 20 * i + 19. */
  basePort: number;
  envs: EnvSpec[];
  /** Directory whose flag files the service reads (see serviceScript). */
  faultDir: string;
  /** Extra lines under `apps:` in sluice.yaml. */
  extraApps?: string;
  /** Extra files of the first commit, given the first build of the service. */
  extraFiles?: (first: Build) => Record<string, string>;
  healthTimeout?: string;
}

/**
 * The sample service of the suite: answers every request with its version, env and greeting,
 * and reads flag files in FAULT_DIR so a scenario can break it from outside:
 *   down  a new replica exits at once and a running one drops every connection (unreachable)
 * It logs one line at start, so on a full disk a new replica fails as real services do.
 */
export function serviceScript(version: string): string {
  return `import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
const flag = (name) => !!process.env.FAULT_DIR && existsSync(process.env.FAULT_DIR + '/' + name);
if (flag('down')) { console.error('fault flag "down": exiting'); process.exit(3); }
const server = createServer((req, res) => {
  if (flag('down')) { req.socket.destroy(); return; }
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ version: ${JSON.stringify(version)}, env: process.env.SLUICE_ENV, greeting: process.env.GREETING, pid: process.pid }));
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening on ' + process.env.PORT + ', version ${version}'));
const stop = () => { server.close(() => process.exit(0)); server.closeAllConnections(); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
`;
}

export function processManifest(o: {
  name?: string;
  build: Build;
  replicas: number;
  port: number;
  service: number;
  greeting: string;
  faultDir: string;
}): string {
  return `apiVersion: sluice.dev/v1alpha1
kind: Process
metadata:
  name: ${o.name ?? 'hello'}
  annotations:
    sluice.dev/artifact-tag: ${JSON.stringify(o.build.version)}
spec:
  command: ${JSON.stringify(process.execPath)}
  args: ["--input-type=module", "-e", "await import(process.env.SLUICE_ARTIFACT)"]
  artifact: { path: ${JSON.stringify(o.build.path)}, sha256: ${o.build.sha256} }
  replicas: ${o.replicas}
  port: ${o.port}
  service:
    port: ${o.service}
  env:
    GREETING: ${JSON.stringify(o.greeting)}
    FAULT_DIR: ${JSON.stringify(o.faultDir)}
  healthCheck:
    http: { path: /healthz }
    intervalSeconds: 0.25
    timeoutSeconds: 1
    failureThreshold: 2
  terminationGracePeriodSeconds: 1
`;
}

export class ConfigRepo {
  readonly bare: string;
  readonly work: string;
  readonly builds: string;
  readonly first: Build;

  constructor(
    readonly dir: string,
    readonly o: RepoOptions,
  ) {
    this.bare = join(dir, 'origin.git');
    this.work = join(dir, 'work');
    this.builds = join(dir, 'builds');
    mkdirSync(this.builds, { recursive: true });
    mkdirSync(o.faultDir, { recursive: true });
    this.first = this.build('1.0.0');
    const files: Record<string, string> = {
      'sluice.yaml': this.projectYaml(),
      'apps/hello/base/hello.yaml': processManifest({
        build: this.first,
        replicas: 1,
        port: o.basePort,
        service: o.basePort + 19,
        greeting: 'base',
        faultDir: o.faultDir,
      }),
      ...o.extraFiles?.(this.first),
    };
    o.envs.forEach((e, i) => {
      // One flag directory per environment, so a fault can hit one and spare the others.
      mkdirSync(join(o.faultDir, e.name), { recursive: true });
      files[`apps/hello/overlays/${e.name}/hello.yaml`] = processManifest({
        build: this.first,
        replicas: e.replicas,
        port: this.portOf(i),
        service: this.servicePortOf(i),
        greeting: 'hello',
        faultDir: join(o.faultDir, e.name),
      });
    });
    git(dir, 'init', '-q', '--bare', '-b', 'main', this.bare);
    git(dir, 'init', '-q', '-b', 'main', this.work);
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(this.work, p)), { recursive: true });
      writeFileSync(join(this.work, p), text);
    }
    git(this.work, 'add', '-A');
    git(this.work, 'commit', '-q', '-m', 'Start the config repo');
    git(this.work, 'remote', 'add', 'origin', this.bare);
    git(this.work, 'push', '-q', 'origin', 'main');
  }

  portOf(envIndex: number): number {
    return this.o.basePort + 20 * (envIndex + 1);
  }

  servicePortOf(envIndex: number): number {
    return this.portOf(envIndex) + 19;
  }

  servicePort(env: string): number {
    return this.servicePortOf(this.o.envs.findIndex((e) => e.name === env));
  }

  private projectYaml(): string {
    const ht = this.o.healthTimeout ?? '20s';
    const envs = this.o.envs.map((e, i) => {
      const prev = i > 0 ? this.o.envs[i - 1]!.name : undefined;
      return `    - name: ${e.name}
      target: local
      sync: auto
      selfHeal: true
      healthTimeout: ${ht}
${prev ? `      promotion: { from: ${prev}${e.name === 'prod' ? ', approvals: 1' : ''} }\n` : ''}${e.name === 'prod' ? '      protected: true\n' : ''}${e.extra ?? ''}`;
    });
    return `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata:
  name: faults
spec:
  targets:
    local: { provider: process }
  environments:
${envs.join('')}  apps:
    - { name: hello, path: apps/hello }
${this.o.extraApps ?? ''}`;
  }

  /** Sets or clears a flag file the service of `env` reads (see serviceScript). */
  flag(env: string, name: 'down', on: boolean): void {
    const p = join(this.o.faultDir, env, name);
    if (on) writeFileSync(p, '');
    else rmSync(p, { force: true });
  }

  /** Writes a build of the service (a file artifact with its sha256). */
  build(version: string): Build {
    const text = serviceScript(version);
    const path = join(this.builds, `hello-${version}.mjs`);
    writeFileSync(path, text);
    const sha256 = createHash('sha256').update(text).digest('hex');
    return { version, path, sha256, arg: `hello=${path}:${version}@sha256:${sha256}` };
  }

  /** Newest commit of main in the repository Sluice follows. */
  tip(): string {
    return git(this.bare, 'rev-parse', 'refs/heads/main').trim();
  }

  /** A file as of the tip of main. */
  read(path: string): string {
    return git(this.bare, 'show', `refs/heads/main:${path}`);
  }

  /**
   * Commits on top of the newest main, as a person would: Sluice writes to the same branch
   * (promotions, rollbacks), so a rejected push is fetched, redone and pushed again.
   */
  commit(
    edit: (read: (p: string) => string, write: (p: string, text: string | null) => void) => void,
    message: string,
  ): string {
    for (let attempt = 0; ; attempt++) {
      git(this.work, 'fetch', '-q', 'origin', 'main');
      git(this.work, 'reset', '-q', '--hard', 'origin/main');
      edit(
        (p) => readFileSync(join(this.work, p), 'utf8'),
        (p, text) => {
          if (text === null) rmSync(join(this.work, p), { recursive: true, force: true });
          else {
            mkdirSync(dirname(join(this.work, p)), { recursive: true });
            writeFileSync(join(this.work, p), text);
          }
        },
      );
      git(this.work, 'add', '-A');
      if (!git(this.work, 'status', '--porcelain').trim()) return this.tip();
      git(this.work, 'commit', '-q', '-m', message);
      try {
        git(this.work, 'push', '-q', 'origin', 'main');
        return git(this.work, 'rev-parse', 'HEAD').trim();
      } catch (e) {
        if (attempt >= 10) throw e;
      }
    }
  }

  /** Replicas the overlay of `env` asks for at the tip. */
  desiredReplicas(env: string): number {
    const m = /^ {2}replicas: (\d+)$/m.exec(this.read(`apps/hello/overlays/${env}/hello.yaml`));
    return Number(m![1]);
  }

  /** Commits on main whose trailers name this promotion request. */
  promotionCommits(id: number): string[] {
    const out = git(this.bare, 'log', '--format=%H', '--grep', `^Sluice-Promotion: ${id}$`, 'refs/heads/main');
    return out.split('\n').filter(Boolean);
  }
}

// ---------------------------------------------------------------------------------------------
// Replicas: processes carrying the data dir's owner mark, and the state files describing them.

export function ownerMark(dataDir: string): string {
  return createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16);
}

export interface MarkedProcess {
  pid: number;
  startTime: string;
  env: Record<string, string>;
}

function procStat(pid: number | string): { state: string; startTime: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0]!, startTime: rest[19]! };
  } catch {
    return undefined;
  }
}

/** Live (not zombie) processes started by Sluice for this data dir. */
export function markedProcesses(dataDir: string): MarkedProcess[] {
  const owner = ownerMark(dataDir);
  const out: MarkedProcess[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let raw: string;
    try {
      raw = readFileSync(`/proc/${d}/environ`, 'utf8');
    } catch {
      continue;
    }
    if (!raw.includes(`SLUICE_OWNER=${owner}`)) continue;
    const stat = procStat(d);
    if (!stat || stat.state === 'Z' || stat.state === 'X') continue;
    const env = Object.fromEntries(
      raw
        .split('\0')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    if (env.SLUICE_OWNER === owner) out.push({ pid: Number(d), startTime: stat.startTime, env });
  }
  return out;
}

export interface StateFile {
  env: string;
  app: string;
  process: string;
  index: number;
  pid: number;
  startTime: string;
}

export function stateFiles(dataDir: string): StateFile[] {
  const root = join(dataDir, 'process', 'state');
  const out: StateFile[] = [];
  const ls = (d: string) => {
    try {
      return readdirSync(d);
    } catch {
      return [];
    }
  };
  for (const project of ls(root))
    for (const env of ls(join(root, project)))
      for (const app of ls(join(root, project, env)))
        for (const f of ls(join(root, project, env, app))) {
          if (!f.endsWith('.json') || f === 'applied.json') continue;
          try {
            const r = JSON.parse(readFileSync(join(root, project, env, app, f), 'utf8')) as StateFile;
            out.push({ env, app, process: r.process, index: r.index, pid: r.pid, startTime: r.startTime });
          } catch {
            // half-written files are renamed into place, so an unreadable one is itself worth a look
            out.push({ env, app, process: '?', index: -1, pid: -1, startTime: '' });
          }
        }
  return out;
}

/** Stops every process left with this data dir's owner mark (the suite's last line of defence). */
export function killMarked(dataDir: string): number {
  const procs = markedProcesses(dataDir);
  for (const p of procs) {
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  return procs.length;
}

export interface ProcessAudit {
  /** Marked processes no state file describes, or whose scope is not declared. */
  orphans: string[];
  /** Live replicas beyond what each Process asks for. */
  duplicates: string[];
  /** Fewer live replicas than asked for. */
  missing: string[];
}

/** Compares live marked processes with the state files and the replicas each scope (`app@env`) asks for. */
export function auditProcesses(dataDir: string, desired: Record<string, number>): ProcessAudit {
  const procs = markedProcesses(dataDir);
  const files = stateFiles(dataDir);
  const out: ProcessAudit = { orphans: [], duplicates: [], missing: [] };
  const scopeOf = (p: MarkedProcess) => `${p.env.SLUICE_APP}@${p.env.SLUICE_ENV}`;
  for (const p of procs) {
    const described = files.some((f) => f.pid === p.pid && f.startTime === p.startTime);
    const declared = desired[scopeOf(p)] !== undefined;
    if (!described || !declared)
      out.orphans.push(
        `pid ${p.pid} (${p.env.SLUICE_REPLICA_ID ?? 'no replica id'})${described ? '' : ' has no state file'}${declared ? '' : ' belongs to no declared scope'}`,
      );
  }
  for (const [scope, want] of Object.entries(desired)) {
    const live = procs.filter((p) => scopeOf(p) === scope);
    if (live.length > want)
      out.duplicates.push(
        `${scope}: ${live.length} live replicas, ${want} desired (pids ${live.map((p) => p.pid).join(' ')})`,
      );
    if (live.length < want) out.missing.push(`${scope}: ${live.length} live replicas, ${want} desired`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The store, read-only, beside a running Sluice.

export interface StoreAudit {
  /** Syncs without a final result. */
  running: string[];
  /** Sync ids with more than one final event (sync.succeeded / sync.failed). */
  doubleFinal: string[];
  /** Applied syncs (not dry runs) that succeeded without their ledger record of what they applied. */
  noLedger: string[];
  /** Sync ids with more than one verification record. */
  doubleVerification: string[];
  syncs: number;
}

export function auditStore(dataDir: string): StoreAudit {
  const db = new Database(join(dataDir, 'sluice.db'), { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    const running = db
      .prepare(`SELECT id, app, env FROM syncs WHERE result NOT IN ('Succeeded', 'Failed') OR finished_at IS NULL`)
      .all() as { id: number; app: string; env: string }[];
    const doubleFinal = db
      .prepare(
        `SELECT sync_id AS id, COUNT(*) AS n FROM events WHERE type IN ('sync.succeeded', 'sync.failed') AND sync_id IS NOT NULL GROUP BY sync_id HAVING n > 1`,
      )
      .all() as { id: number; n: number }[];
    const noLedger = db
      .prepare(
        `SELECT s.id, s.app, s.env FROM syncs s LEFT JOIN applied_artifacts a ON a.sync_id = s.id
         WHERE s.result = 'Succeeded' AND s.dry_run = 0 AND json_extract(s.timings, '$.apply') IS NOT NULL AND a.sync_id IS NULL`,
      )
      .all() as { id: number; app: string; env: string }[];
    const doubleVerification = db
      .prepare(`SELECT sync_id AS id, COUNT(*) AS n FROM verifications GROUP BY sync_id HAVING n > 1`)
      .all() as { id: number; n: number }[];
    const syncs = (db.prepare('SELECT COUNT(*) AS n FROM syncs').get() as { n: number }).n;
    return {
      running: running.map((r) => `sync #${r.id} (${r.app}@${r.env}) is still Running`),
      doubleFinal: doubleFinal.map((r) => `sync #${r.id} has ${r.n} final events`),
      noLedger: noLedger.map(
        (r) => `sync #${r.id} (${r.app}@${r.env}) succeeded without a ledger record of what it applied`,
      ),
      doubleVerification: doubleVerification.map((r) => `sync #${r.id} has ${r.n} verification records`),
      syncs,
    };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Convergence.

export function describeStatus(s: ProjectStatus): string {
  const src = `source ${s.source.revision?.slice(0, 7) ?? '-'}${s.source.error ? ` error ${s.source.error.code}: ${s.source.error.message}` : ''}`;
  const apps = s.apps.map(
    (a: AppEnvStatus) =>
      `  ${a.app}@${a.env}: ${a.sync}/${a.health} synced ${a.syncedRevision?.slice(0, 7) ?? '-'} desired ${a.desiredRevision?.slice(0, 7) ?? '-'}${a.reason ? ` reason: ${a.reason}` : ''}${a.error ? ` error ${a.error.code}: ${a.error.message}` : ''}`,
  );
  return [src, ...apps].join('\n');
}

/** Every expected scope Synced and Healthy at `revision()`, no source error, no drift. */
export function converged(s: ProjectStatus, revision: string, scopes: string[]): boolean {
  if (s.source.revision !== revision || s.source.error) return false;
  return scopes.every((key) => {
    const a = s.apps.find((x) => `${x.app}@${x.env}` === key);
    return (
      a !== undefined && a.sync === 'Synced' && a.health === 'Healthy' && a.syncedRevision === revision && !a.drift
    );
  });
}

export async function waitConverged(
  sluice: Sluice,
  repo: ConfigRepo,
  scopes: string[],
  timeoutMs: number,
): Promise<ProjectStatus> {
  let last: ProjectStatus | undefined;
  return waitFor(
    `every scope Synced and Healthy at the tip of main`,
    timeoutMs,
    async () => {
      if (!sluice.alive)
        throw new Error(
          `sluice serve exited (${sluice.child.exitCode ?? sluice.child.signalCode}):\n${tail(sluice.output())}`,
        );
      last = await sluice.status();
      return converged(last, repo.tip(), scopes) ? last : undefined;
    },
    () => `tip ${repo.tip().slice(0, 7)}; last status:\n${last ? describeStatus(last) : '(none)'}`,
  );
}

export interface EventRow {
  id: number;
  type: string;
  severity: string;
  message: string;
  app?: string;
  env?: string;
}

export function events(sluice: Sluice, query = 'limit=200'): Promise<EventRow[]> {
  return sluice.api<EventRow[]>(`/api/v1/events?${query}`);
}

/** Thrown when a prerequisite is missing: the suite skips the scenario, or fails under CI=true. */
export class MissingPrerequisite extends Error {}

/** A check that failed in a scenario: the scenario goes on where it can and reports each one. */
export class Findings {
  readonly failures: string[] = [];

  check(ok: boolean, message: string): boolean {
    if (!ok) {
      this.failures.push(message);
      log(`FAIL ${message}`);
    }
    return ok;
  }

  fail(message: string): void {
    this.check(false, message);
  }
}
