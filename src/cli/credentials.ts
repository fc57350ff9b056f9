import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '../errors/index.js';
import { ADMIN_TOKEN_FILE, isLoopback } from '../server/auth/admin-token.js';

/** `$XDG_CONFIG_HOME/sluice/token`, or `~/.config/sluice/token`. */
export function tokenFilePath(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'sluice', 'token');
}

function readTokenFile(file: string): string | undefined {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    return undefined;
  }
  if ((mode & 0o077) !== 0)
    throw new ValidationError(
      'TOKEN_FILE_OPEN',
      `${file} can be read by other users (mode ${(mode & 0o777).toString(8)})`,
      {
        file,
        hint: `Run \`chmod 600 ${file}\`; a token there acts as you.`,
      },
    );
  return readFileSync(file, 'utf8').trim() || undefined;
}

/**
 * The token the CLI sends: SLUICE_TOKEN, else the token file in the user's config dir, else —
 * only for a server on loopback that writes into this same data dir — the admin token it wrote.
 */
export function cliToken(o: { serverUrl: string; dataDir: string }): string | undefined {
  if (process.env.SLUICE_TOKEN) return process.env.SLUICE_TOKEN.trim();
  const fromFile = readTokenFile(tokenFilePath());
  if (fromFile) return fromFile;
  try {
    const info = JSON.parse(readFileSync(join(o.dataDir, 'server.json'), 'utf8')) as { url?: string };
    if (info.url !== o.serverUrl || !isLoopback(new URL(o.serverUrl).hostname)) return undefined;
    return readFileSync(join(o.dataDir, ADMIN_TOKEN_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
