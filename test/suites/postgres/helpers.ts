import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export { query } from './cluster.js';

/** Why the suite is skipped ('' when a cluster runs). */
export const skip = inject('pgSkip');

/** A connection URL to `database` on the suite's private cluster, over its Unix socket. */
export function urlOf(database: string): string {
  return `postgres://sluice@${encodeURIComponent(inject('pgSocketDir'))}/${database}`;
}

/** A new empty database on the suite's cluster; its URL. */
export async function createDatabase(): Promise<string> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: urlOf('postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return urlOf(name);
}
