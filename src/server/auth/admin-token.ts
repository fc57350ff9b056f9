import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateToken } from './tokens.js';

export const ADMIN_TOKEN_FILE = 'admin-token';

/** Whether a listen address only takes connections from this machine. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::ffff:127.0.0.1';
}

/**
 * A fresh admin token written into the data dir (mode 0600) for a server on loopback: whoever
 * may read Sluice's data dir may already do anything Sluice does, so this adds no access, and
 * `npm start` then the CLI work without a setup step. A new one each start; the old one stops working.
 */
export function writeAdminToken(dataDir: string): string {
  const token = generateToken();
  const file = join(dataDir, ADMIN_TOKEN_FILE);
  rmSync(file, { force: true });
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return token;
}

/** A server not on loopback writes none, and leaves no older one behind to be found. */
export function removeAdminToken(dataDir: string): void {
  rmSync(join(dataDir, ADMIN_TOKEN_FILE), { force: true });
}
