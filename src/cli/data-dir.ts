import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Sluice's data directory: --data-dir, SLUICE_DATA_DIR, or the user's XDG data home. Apart from
 * the rest of the command context so `sluice --help` and `sluice kustomize build` load nothing
 * of credentials or the server.
 */
export function defaultDataDir(): string {
  if (process.env.SLUICE_DATA_DIR) return resolve(process.env.SLUICE_DATA_DIR);
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'sluice');
}
