import pg from 'pg';
import { StoreUnavailableError } from '../errors.js';

/** A pool or one checked-out connection (inside a transaction): both answer queries. */
export interface Queryable {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/** Connection failures a later attempt can get past, as PostgreSQL and Node name them. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENOENT']);
/** SQLSTATE classes 08 (connection), 57P (operator intervention: shutdown), 53 (resources). */
const UNAVAILABLE_STATE = /^(08|57P|53)/;

/**
 * Queries against one PostgreSQL database: waits for the schema to be ready first, returns
 * plain rows, and turns a database that cannot be reached into StoreUnavailableError.
 */
export class PgDb {
  constructor(
    private readonly q: Queryable,
    private readonly ready: Promise<void>,
    /** Where, without the password, for error messages. */
    readonly where: string,
  ) {}

  async rows<R>(text: string, params: unknown[] = []): Promise<R[]> {
    return (await this.run(text, params)).rows as R[];
  }

  async one<R>(text: string, params: unknown[] = []): Promise<R | undefined> {
    return (await this.rows<R>(text, params))[0];
  }

  /** How many rows a write touched. */
  async count(text: string, params: unknown[] = []): Promise<number> {
    return (await this.run(text, params)).rowCount ?? 0;
  }

  /**
   * Runs `fn` in one transaction holding the advisory lock `key`, so writers on every instance
   * take turns (the ledger's hash chain links each entry to the one written before it). Inside
   * a store transaction it joins that transaction.
   */
  async locked<T>(key: string, fn: (db: PgDb) => Promise<T>): Promise<T> {
    await this.ready;
    if (!(this.q instanceof pg.Pool)) {
      await this.run('SELECT pg_advisory_xact_lock($1)', [key]);
      return fn(this);
    }
    const client = await this.q.connect().catch((e: unknown) => {
      throw unavailable(e, this.where) ?? e;
    });
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [key]);
      const result = await fn(new PgDb(client as Queryable, this.ready, this.where));
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw unavailable(e, this.where) ?? e;
    } finally {
      client.release();
    }
  }

  private async run(text: string, params: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }> {
    await this.ready;
    try {
      return await this.q.query(text, params);
    } catch (e) {
      throw unavailable(e, this.where) ?? e;
    }
  }
}

/** StoreUnavailableError for a failure to reach the database; undefined for anything else. */
export function unavailable(e: unknown, where: string): StoreUnavailableError | undefined {
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string' || !(UNREACHABLE.has(code) || UNAVAILABLE_STATE.test(code))) return undefined;
  return new StoreUnavailableError('STORE_UNAVAILABLE', `PostgreSQL at ${where}: ${(e as Error).message}`, {
    hint: 'Check the database is running and the --store / SLUICE_STORE URL (host, port, database, user).',
    cause: e,
  });
}

/** The URL with its password replaced, fit for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'an unparseable PostgreSQL URL';
  }
}

const INT8 = 20;

/**
 * A pool whose BIGINT ids come back as numbers, like SQLite's: ids stay far below 2^53, and
 * records keep one shape whichever store wrote them.
 */
export function createPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === INT8
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection the server closed is dropped and replaced by the pool; without a
  // listener the error would end the process.
  pool.on('error', () => undefined);
  return pool;
}
