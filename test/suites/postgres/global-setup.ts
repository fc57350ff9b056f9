import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

/**
 * Starts a private PostgreSQL cluster for the run: initdb in a temporary directory, listening
 * only on a Unix socket in that directory (no TCP port to collide with anything), trust
 * authentication for its superuser `sluice`. PostgreSQL refuses to run as root, so as root the
 * cluster runs as the `postgres` system user Debian's package creates. Under CI=true a missing
 * or failing PostgreSQL fails the suite; elsewhere the tests are skipped with a note.
 */
export function setup(project: TestProject): () => void {
  let dir = '';
  let bin = '';
  let reason = '';
  try {
    bin = binDir();
    dir = mkdtempSync(join(tmpdir(), 'sluice-pg-'));
    const asRoot = process.getuid?.() === 0;
    const run = (cmd: string, args: string[]) =>
      execFileSync(
        asRoot ? 'runuser' : join(bin, cmd),
        asRoot ? ['-u', 'postgres', '--', join(bin, cmd), ...args] : args,
        {
          stdio: 'pipe',
        },
      );
    if (asRoot) {
      const ids = execFileSync('id', ['-u', 'postgres']).toString().trim();
      const gid = execFileSync('id', ['-g', 'postgres']).toString().trim();
      chownSync(dir, Number(ids), Number(gid));
    }
    run('initdb', ['-D', join(dir, 'data'), '-U', 'sluice', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    const options = `-c listen_addresses='' -k ${dir} -p 5432 -c fsync=off -c max_connections=200`;
    try {
      run('pg_ctl', ['-D', join(dir, 'data'), '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
    } catch (e) {
      const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8').slice(-2000) : '';
      throw new Error(`${(e as Error).message}\n${log}`);
    }
    project.provide('pgSocketDir', dir);
    project.provide('pgSkip', '');
    return () => {
      try {
        run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
  } catch (e) {
    reason = `PostgreSQL could not be started: ${(e as Error).message}`;
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  if (process.env['CI'] === 'true') throw new Error(`${reason} (the PostgreSQL suite needs one under CI=true)`);
  console.warn(`skipping the PostgreSQL suite: ${reason}`);
  project.provide('pgSocketDir', '');
  project.provide('pgSkip', reason);
  return () => undefined;
}

/** Where initdb and pg_ctl are: Debian keeps them out of PATH, under /usr/lib/postgresql/<major>/bin. */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors[0]) return join(root, majors[0], 'bin');
  try {
    return execFileSync('pg_config', ['--bindir']).toString().trim();
  } catch {
    throw new Error('initdb not found (install Debian package postgresql)');
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgSocketDir: string;
    pgSkip: string;
  }
}
