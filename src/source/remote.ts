import { createHash } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SourceError } from '../errors/index.js';
import { redactUrl } from './credentials.js';
import { GitCommandError, runGit, type GitContext } from './git.js';

/** Where the bare cache of a remote lives: `<dataDir>/git/<hash-of-url>.git`. */
export function cacheDir(dataDir: string, url: string): string {
  const key = createHash('sha256').update(url.replace(/\/+$/, '')).digest('hex').slice(0, 24);
  return join(dataDir, 'git', `${key}.git`);
}

/** True for anything git should treat as a remote rather than a path on this machine. */
export function isRemoteUrl(location: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location) || /^[^/\\:]+@[^/\\:]+:/.test(location);
}

/** A token in the URL would end up in argv and on disk; it belongs in the environment instead. */
export function checkUrl(url: string, tokenEnv: string): void {
  let password = '';
  try {
    password = new URL(url).password;
  } catch {
    return; // scp-like ssh addresses (git@host:path) are not URLs and carry no password
  }
  if (password) {
    throw new SourceError(
      'SOURCE_CREDENTIALS_IN_URL',
      `the repository URL ${redactUrl(url)} contains a password or token`,
      {
        hint: `Remove it from the URL and put the token in the ${tokenEnv} environment variable.`,
      },
    );
  }
}

/** Creates the bare cache repository if it is not there yet. */
export async function ensureCache(ctx: GitContext): Promise<void> {
  if (await stat(join(ctx.gitDir, 'HEAD')).catch(() => undefined)) return;
  await mkdir(ctx.gitDir, { recursive: true });
  await runGit(ctx, ['init', '--bare', '--quiet', ctx.gitDir], { bare: true });
}

const REFSPECS = ['+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'];

/**
 * Mirrors the remote's branches and tags into the cache. The URL is passed on each fetch
 * rather than stored, so the cache on disk names no credentials.
 */
export async function fetchInto(ctx: GitContext, url: string, timeoutMs: number): Promise<void> {
  try {
    await runGit(ctx, ['fetch', '--prune', '--no-tags', '--quiet', '--no-write-fetch-head', url, ...REFSPECS], {
      timeoutMs,
    });
  } catch (e) {
    throw e instanceof GitCommandError ? fetchError(url, e, ctx.scrub) : e;
  }
}

/** Turns a failed fetch or push into an error that names the remote and says what to check. */
export function fetchError(url: string, e: GitCommandError, scrub: (s: string) => string): SourceError {
  const where = scrub(redactUrl(url));
  const detail = firstMeaningfulLine(e.stderr);
  if (
    /authentication failed|could not read (username|password)|returned error: (401|403)|permission denied \(publickey|access denied|terminal prompts disabled/i.test(
      e.stderr,
    )
  ) {
    return new SourceError('SOURCE_AUTH_FAILED', `cannot authenticate to ${where}: ${detail}`, {
      hint: 'For https set a token in SLUICE_GIT_TOKEN (or the configured variable); for ssh check the key and known_hosts.',
      cause: e,
    });
  }
  return new SourceError('SOURCE_UNREACHABLE', `cannot fetch from ${where}: ${detail}`, {
    hint: 'Check the URL, the network and that the repository exists; Sluice keeps serving the last good revision and retries.',
    cause: e,
  });
}

function firstMeaningfulLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.replace(/^(fatal|error):\s*/, '').trim())
    .filter(Boolean);
  return lines[0] ?? 'git fetch failed';
}
