import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A private PostgreSQL cluster: initdb in a temporary directory, listening only on a Unix socket
 * in that directory (no TCP port to collide with anything), trust authentication for its
 * superuser `sluice`. PostgreSQL refuses to run as root, so as root the cluster runs as the
 * `postgres` system user Debian's package creates. Used by the suite's global setup and by
 * `npm run bench:scale`.
 */
export interface Cluster {
  /** The directory holding the socket (and the cluster's data, removed by stop). */
  socketDir: string;
  /** A connection URL to `database` over the cluster's socket. */
  urlOf(database: string): string;
  stop(): void;
}

export function startCluster(o: { maxConnections?: number } = {}): Cluster {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-pg-'));
  try {
    const asRoot = process.getuid?.() === 0;
    const run = (cmd: string, args: string[]) =>
      execFileSync(
        asRoot ? 'runuser' : join(bin, cmd),
        asRoot ? ['-u', 'postgres', '--', join(bin, cmd), ...args] : args,
        { stdio: 'pipe' },
      );
    if (asRoot) {
      const uid = execFileSync('id', ['-u', 'postgres']).toString().trim();
      const gid = execFileSync('id', ['-g', 'postgres']).toString().trim();
      chownSync(dir, Number(uid), Number(gid));
    }
    run('initdb', ['-D', join(dir, 'data'), '-U', 'sluice', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    const options = `-c listen_addresses='' -k ${dir} -p 5432 -c fsync=off -c max_connections=${o.maxConnections ?? 200}`;
    try {
      run('pg_ctl', ['-D', join(dir, 'data'), '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
    } catch (e) {
      const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8').slice(-2000) : '';
      throw new Error(`${(e as Error).message}\n${log}`);
    }
    return {
      socketDir: dir,
      urlOf: (database) => `postgres://sluice@${encodeURIComponent(dir)}/${database}`,
      stop: () => {
        try {
          run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
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

/** Runs one query on its own connection. */
export async function query<R extends pg.QueryResultRow>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(text, params)).rows;
  } finally {
    await c.end();
  }
}
