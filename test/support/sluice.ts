import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Tokens } from '../../src/server/auth/tokens.js';
import type { Role } from '../../src/store/access-types.js';
import { openStore } from '../../src/store/index.js';

const built = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/**
 * Run from a compiled copy (bench/compiled.mjs), the CLI started is the compiled one beside it,
 * with no loader in the process, as Sluice runs in production; else the sources through tsx.
 */
const compiled = import.meta.url.endsWith('.js');

/** The repository (above the compiled copy, when this runs from one). */
export const ROOT = ((): string => {
  let dir = built;
  while (compiled && !existsSync(join(dir, 'src/cli/run.ts')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

/** The node arguments that start the CLI. */
const CLI = compiled ? [join(built, 'src/cli/run.js')] : ['--import', 'tsx', join(ROOT, 'src/cli/run.ts')];

/** A `sluice` CLI process (see `CLI`). */
export interface SluiceProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves when stdout+stderr contain `text`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

export function spawnSluice(args: string[], env: Record<string, string> = {}): SluiceProcess {
  const child = spawn(process.execPath, [...CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (b: Buffer) => {
    out += b.toString('utf8');
    listeners.forEach((l) => l());
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((r) =>
    child.on('exit', (code) => {
      // A stopped Sluice that something kept up names it: shown here so it is not missed.
      const busy = /still busy .* after stopping .*/.exec(out);
      if (busy) process.stderr.write(`sluice ${args.join(' ')}: ${busy[0]}\n`);
      r(code);
    }),
  );
  return {
    child,
    output: () => out,
    exited,
    waitFor(text, timeoutMs = 30_000) {
      const matches = () => (typeof text === 'string' ? out.includes(text) : text.test(out));
      if (matches()) return Promise.resolve();
      return new Promise((res, rej) => {
        const t = setTimeout(() => {
          listeners.delete(check);
          rej(new Error(`timed out waiting for ${String(text)}; output so far:\n${out}`));
        }, timeoutMs);
        const check = () => {
          if (matches()) {
            clearTimeout(t);
            listeners.delete(check);
            res();
          }
        };
        listeners.add(check);
        void exited.then(() => {
          if (!matches()) {
            clearTimeout(t);
            rej(new Error(`sluice exited before ${String(text)}; output:\n${out}`));
          }
        });
      });
    },
  };
}

/** Runs a process to completion without blocking the test's event loop; a signal is exit 128. */
export function runProcess(
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code, signal) => resolveRun({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

/**
 * Runs the CLI to completion without blocking the test's event loop: on a loaded machine one
 * CLI run can take tens of seconds, and a worker blocked that long misses the test runner's
 * own messages.
 */
export function runSluice(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runProcess(process.execPath, [...CLI, ...args], ROOT, { NO_COLOR: '1', ...env });
}

/** The CLI run synchronously; blocks the worker for the whole run, so prefer runSluice. */
export function runSluiceSync(
  args: string[],
  env: Record<string, string> = {},
): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(process.execPath, [...CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
    return { code: 0, stdout, stderr: '' };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, stdout: err.stdout, stderr: err.stderr };
  }
}

/** A block of `size` consecutive free TCP ports on 127.0.0.1. */
export async function freePortBlock(size: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below Linux's ephemeral range (32768 up), where outgoing connections could take a port mid-test.
    const base = 20_000 + Math.floor(Math.random() * (12_000 - size));
    let ok = true;
    for (let p = base; p < base + size && ok; p++) ok = await isFree(p);
    if (ok) return base;
  }
  throw new Error('no free port block');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

/** The admin token a server on loopback wrote into its data dir (a new one each start). */
export function adminToken(dataDir: string): string {
  return readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
}

/** Headers carrying `token` as a bearer credential. */
export function bearer(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** A token made straight in a data dir's store, as `sluice token create` does without a server. */
export async function createToken(
  dataDir: string,
  o: { name: string; role: Role; environments: string[]; user?: string },
): Promise<string> {
  const store = openStore(dataDir);
  try {
    return (await new Tokens(store.access).create(o)).token;
  } finally {
    await store.close();
  }
}

/** GETs JSON; `token` is sent as a bearer credential (Sluice's API needs one, a workload's does not). */
export async function getJson<T>(url: string, token?: string): Promise<T> {
  const init = { headers: bearer(token) };
  let r: Response;
  try {
    r = await fetch(url, init);
  } catch {
    // A loaded machine can stretch a keep-alive race; a read is safe to ask again once.
    r = await fetch(url, init);
  }
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

/** Polls until `check` returns a value (not undefined) or the timeout passes. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function git(repo: string, ...args: string[]): string {
  return execFileSync('git', ['-C', repo, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
    encoding: 'utf8',
  });
}

/** Live processes started by the process provider for a data directory (by their SLUICE_OWNER). */
export function ownedProcesses(dataDir: string): { pid: number; env: Record<string, string> }[] {
  const owner = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16);
  const out: { pid: number; env: Record<string, string> }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let raw: string;
    try {
      raw = readFileSync(`/proc/${d}/environ`, 'utf8');
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (/\) Z /.test(stat)) continue; // a zombie has exited already
    } catch {
      continue;
    }
    const env = Object.fromEntries(
      raw
        .split('\0')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    if (env.SLUICE_OWNER === owner) out.push({ pid: Number(d), env });
  }
  return out;
}
