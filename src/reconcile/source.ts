import type { CommitVerdict, TrustedKey } from '../source/index.js';
import type { ReadonlyFs } from '../vfs/index.js';
import type { StatusError } from './status.js';

/**
 * What the controller needs from a config repo. The source part implements it with Git;
 * keeping it this narrow lets the controller be tested against any revision history.
 */
export interface RevisionSource {
  /** Where the desired state comes from, for status and messages. */
  readonly url: string;
  readonly branch: string;
  /** Fetches (for remotes) and resolves the branch to a revision. Throws a SourceError when unreachable. */
  fetch(): Promise<string>;
  /** The file tree at a revision. */
  tree(revision: string): Promise<ReadonlyFs>;
  /** The revision fetched last time, read without the network (a restart while the remote is down). */
  lastKnown?(): Promise<string | undefined>;
  /** Whether `descendant` has `ancestor` in its history: false when the branch was force-pushed. */
  contains?(ancestor: string, descendant: string): Promise<boolean>;
  /** Whether a revision is signed by one of the keys (absent: signatures cannot be checked). */
  verifyCommit?(revision: string, keys: readonly TrustedKey[]): Promise<CommitVerdict>;
  /** Paths changed between two revisions. */
  changedPaths(from: string, to: string): Promise<string[]>;
  /** Calls back with each new revision of the branch (one feed shared by every part); returns the unsubscribe function. */
  watch(onRevision: (revision: string) => void): () => void;
  /** Last fetch error and when the next retry is due, while the remote is unreachable. */
  health(): { lastError?: StatusError; nextRetryAt?: string; lastFetchAt?: string };
  close(): Promise<void>;
}
