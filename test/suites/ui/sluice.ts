import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');
// SLUICE_BIN runs the suite against another build of the CLI, e.g. an installed one.
const BIN = process.env.SLUICE_BIN ?? join(ROOT, 'bin/sluice.js');

/** A config repo made by `sluice init` and a `sluice serve` reconciling it, both in a temp dir. */
export interface SluiceServer {
  url: string;
  repo: string;
  /** Writes files into the config repo and commits them, the way a person pushes a change. */
  commit(files: Record<string, string>, message: string): Promise<string>;
  read(file: string): Promise<string>;
  files(): Promise<string[]>;
  /** Moves the config repo away, as when a disk or mount goes missing; returns a function that puts it back. */
  hideRepo(): Promise<() => Promise<void>>;
  stop(): Promise<void>;
  /** What the server printed, for failure messages. */
  output(): string;
  /**
   * Calls the server's HTTP API the way the CLI and CI do, with the token of `as` (the admin
   * token by default); a non-2xx answer throws with the server's message.
   */
  api<T>(path: string, body?: unknown, as?: Actor): Promise<T>;
  /** The API token of `as`, made on first use. */
  token(as: Actor): Promise<string>;
  /** Signs the browser page in through the dashboard's sign-in page, as `as`. */
  signIn(page: Page, as: Actor): Promise<void>;
}

/**
 * Who the suite acts as: the loopback admin token, a CI deployer, approvers, and a second
 * token of the CI identity that may approve (and still may not approve its own request).
 */
const ACTORS = {
  admin: undefined,
  ci: { role: 'deployer', user: 'ci' },
  'ci-review': { role: 'approver', user: 'ci' },
  alice: { role: 'approver', user: 'alice' },
  bob: { role: 'deployer', user: 'bob' },
} as const;
export type Actor = keyof typeof ACTORS;

export async function startSluice(): Promise<SluiceServer> {
  const base = await mkdtemp(join(tmpdir(), 'sluice-ui-'));
  const repo = join(base, 'repo');
  const data = join(base, 'data');
  // The sample app listens on ports from --base-port; a free block keeps parallel runs apart.
  const basePort = await freeBlock();
  await run(process.execPath, [BIN, 'init', repo, '--base-port', String(basePort)], { cwd: base });

  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve', '--repo', repo, '--port', String(port), '--data-dir', data], {
    cwd: base,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));

  const git = (...args: string[]) =>
    run('git', ['-C', repo, '-c', 'user.name=UI Test', '-c', 'user.email=ui-test@localhost', ...args]);

  let url: string;
  try {
    url = await dashboardUrl(child, () => out, 60_000);
  } catch (err) {
    await stopProcess(child);
    await rm(base, { recursive: true, force: true });
    throw err;
  }

  const adminToken = (await readFile(join(data, 'admin-token'), 'utf8')).trim();
  const tokens = new Map<Actor, Promise<string>>([['admin', Promise.resolve(adminToken)]]);
  const call = async <T>(path: string, body: unknown, token: string): Promise<T> => {
    const res = await fetch(new URL(path, url), {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${body === undefined ? 'GET' : 'POST'} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
  const token = (as: Actor): Promise<string> => {
    let t = tokens.get(as);
    if (!t) {
      const spec = ACTORS[as]!;
      t = call<{ token: string }>(
        '/api/v1/tokens',
        { name: as, role: spec.role, environments: ['*'], user: spec.user },
        adminToken,
      ).then((r) => r.token);
      tokens.set(as, t);
    }
    return t;
  };

  return {
    url,
    repo,
    token,
    async signIn(page, as) {
      await page.goto(url);
      // The page knows who is signed in only once it has asked the server: wait for either.
      const signedIn = page.getByTestId('signed-in');
      await signedIn.or(page.getByTestId('sign-in-token')).first().waitFor();
      if (await signedIn.count()) await page.getByTestId('sign-out').click();
      await page.getByTestId('sign-in-token').fill(await token(as));
      await page.getByTestId('sign-in-button').click();
      await page.getByTestId('signed-in').waitFor();
    },
    async commit(files, message) {
      for (const [file, text] of Object.entries(files)) await writeFile(join(repo, file), text);
      await git('add', '--', ...Object.keys(files));
      await git('commit', '-q', '-m', message);
      return (await git('rev-parse', 'HEAD')).stdout.trim();
    },
    read: (file) => readFile(join(repo, file), 'utf8'),
    files: async () => (await git('ls-files')).stdout.split('\n').filter(Boolean),
    async hideRepo() {
      await rename(repo, `${repo}.away`);
      return () => rename(`${repo}.away`, repo);
    },
    async stop() {
      await stopProcess(child);
      await rm(base, { recursive: true, force: true });
    },
    output: () => out,
    async api<T>(path: string, body?: unknown, as: Actor = 'admin'): Promise<T> {
      return call<T>(path, body, await token(as));
    },
  };
}

// `sluice serve` prints the dashboard URL once it is listening; that line is the readiness signal.
function dashboardUrl(child: ChildProcess, output: () => string, timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => done(new Error(`no dashboard URL after ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    const check = () => {
      const text = output();
      const m = /dashboard\s+(https?:\/\/\S+)/i.exec(text) ?? /(https?:\/\/\S+)/.exec(text);
      if (m) done(undefined, m[1]);
    };
    const exited = (code: number | null) => done(new Error(`sluice serve exited with ${code}:\n${output()}`));
    function done(err?: Error, url?: string) {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.off('exit', exited);
      if (err) reject(err);
      else resolvePromise(url!);
    }
    child.stdout!.on('data', check);
    child.on('exit', exited);
    check();
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}

// A base whose dev, staging and prod blocks (+10, +20, +30, a few replicas each) are all free now.
async function freeBlock(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below Linux's ephemeral range (32768 up): an outgoing connection's local port (the browser,
    // git, an HTTP client) could otherwise take a replica's port mid-test.
    const base = 20_000 + 100 * Math.floor(Math.random() * 120);
    const ports = [10, 20, 30].flatMap((offset) => [0, 1, 2, 3, 4].map((i) => base + offset + i));
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return base;
  }
  throw new Error('no free block of ports for the sample app');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const srv = createServer();
    srv.once('error', () => resolvePromise(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolvePromise(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolvePromise(addr.port) : reject(new Error('no port'))));
    });
  });
}
