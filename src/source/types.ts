import type { SourceError } from '../errors/index.js';
import type { BackoffOptions } from './backoff.js';

/** Which repository to follow: a path on this machine or a remote URL, and a branch. */
export interface SourceSpec {
  /** Remote URL: file://, https://, ssh:// or scp-like `git@host:org/repo.git`. */
  url?: string;
  /** A repository on this machine, read in place (never cloned, work tree never touched). */
  path?: string;
  /** Branch to follow; defaults to the repository's HEAD branch. */
  branch?: string;
  /** Environment variable holding an https token; defaults to SLUICE_GIT_TOKEN. */
  tokenEnv?: string;
  /** User name sent with the token; defaults to `x-access-token`. */
  username?: string;
}

/** The subset of a structured logger (pino-compatible) that a source writes to. */
export interface SourceLog {
  debug(data: object, msg: string): void;
  info(data: object, msg: string): void;
  warn(data: object, msg: string): void;
}

export interface SourceOptions {
  /** Sluice's data directory; remote caches live in `<dataDir>/git/`. */
  dataDir: string;
  log?: SourceLog;
  /** The git executable; defaults to `git` on PATH. */
  git?: string;
  /** How often `watch` fetches a remote; default 30 s. */
  pollIntervalMs?: number;
  /**
   * Polling behind the ref watch of a local repository: `pollMs` when the platform cannot
   * watch (default 1 s), `safetyPollMs` alongside a working watch (default 10 s).
   */
  localPoll?: { pollMs?: number; safetyPollMs?: number };
  /** Limit for one network operation (fetch, push); default 120 s. */
  networkTimeoutMs?: number;
  /** Retry schedule after a failed fetch. */
  backoff?: BackoffOptions;
  /** How many trees to keep in memory; default 8. */
  treeCacheSize?: number;
  /**
   * Blobs larger than this (bytes) are not loaded into a tree: they are listed with their
   * size and refused when read. Default 256 MiB, well above any render's spec.limits.
   */
  maxBlobSize?: number;
  /** Environment to read the token from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface FetchResult {
  revision: string;
  /** The revision before this fetch, undefined on the first one. */
  previous: string | undefined;
  changed: boolean;
}

/** What the status API shows about a source. */
export interface SourceState {
  kind: 'local' | 'remote';
  /** Path or URL, with any credentials removed. */
  location: string;
  branch: string;
  /** The newest revision successfully fetched; trees keep being served from it when fetching fails. */
  lastGoodRevision: string | undefined;
  lastFetchAt: string | undefined;
  lastError: { code: string; message: string; hint?: string; at: string } | undefined;
  /** Consecutive failed fetches. */
  failures: number;
  /** When the watcher will try again after a failure. */
  nextRetryAt: string | undefined;
}

export interface LogQuery {
  /** Where to start; defaults to the followed branch. */
  ref?: string;
  /** At most this many commits; default 20, `Infinity` for every one. */
  max?: number;
  /** Only commits touching these paths. */
  paths?: string[];
  /** Only commits whose message matches this extended regular expression, in any case. */
  grep?: string;
  /** Leaves out the commits this revision reaches (`git rev-list ref ^not`). */
  not?: string;
}

export type RevisionListener = (revision: string, previous: string | undefined) => void;

/** Told about each failed fetch while watching; `state()` has the retry schedule. */
export type SourceErrorListener = (error: SourceError) => void;
