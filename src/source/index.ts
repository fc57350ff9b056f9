/**
 * The `source` part: Git at Sluice's edge. Everything else reads a config repository
 * through a `Source`:
 *
 * ```ts
 * const source = await Source.open({ url: 'https://git.example.com/shop/config.git', branch: 'main' }, { dataDir, log });
 * const { revision, previous, changed } = await source.fetch(); // on failure: throws, state().lastGoodRevision stays
 * const fs = await source.tree(revision, 'apps/payments');     // MemoryFs, paths relative to the repo root
 * const paths = await source.changedPaths(previous, revision);  // every path when previous is undefined
 * const { all, apps } = affectedApps(paths, project.apps);      // pure: which apps to look at again
 * const watcher = source.watch((rev) => queue.add(rev), (err) => events.push(err));
 * const { revision: next } = await source.commitFiles(
 *   [{ path: 'apps/payments/overlays/prod/kustomization.yaml', content }],
 *   {
 *     message: { subject: 'Promote payments to prod', trailers: { 'Sluice-Promotion': 'staging->prod' } },
 *     author: { name: 'Sluice', email: 'sluice@example.com' },
 *     expectedRevision: revision, // SOURCE_CONFLICT if the branch moved meanwhile
 *   },
 * );
 * await source.push();
 * watcher.close(); source.close();
 * ```
 *
 * `Source` methods: `open(spec, options)` (static), `fetch()`, `resolve(ref)`,
 * `tree(revision, prefix?)`, `readFile(revision, path)`, `changedPaths(from, to)`,
 * `commitInfo(revision)`, `log({ ref, max, paths })`, `commitFiles(changes, options)`,
 * `revert(revision, options)`, `push({ branch, remote })`, `watch(onRevision, onError?)`,
 * `state()`, `close()`; properties `kind`, `branch`, `location`.
 *
 * Local paths are read in place through their git directory (no clone; work tree and index
 * untouched). Remotes are mirrored (branches and tags) into `<dataDir>/git/<hash>.git`. An
 * https token is read from SLUICE_GIT_TOKEN (or `spec.tokenEnv`) and reaches git only through
 * GIT_CONFIG_* environment entries; it is scrubbed from every message. Git always runs from an
 * argument vector, never a shell, with GIT_TERMINAL_PROMPT=0 and LC_ALL=C.
 *
 * Error codes (all SourceError, each with a hint): SOURCE_UNREACHABLE, SOURCE_AUTH_FAILED,
 * SOURCE_NOT_A_REPO, SOURCE_BRANCH_NOT_FOUND, SOURCE_UNKNOWN_REF, SOURCE_COMMIT_MISSING,
 * SOURCE_PATH_NOT_FOUND, SOURCE_CONFLICT, SOURCE_REVERT_CONFLICT, SOURCE_REVERT_UNSUPPORTED,
 * SOURCE_PUSH_REJECTED, SOURCE_CREDENTIALS_IN_URL, SOURCE_INVALID, SOURCE_BAD_PATH,
 * SOURCE_GIT_MISSING, SOURCE_GIT_FAILED, SOURCE_CLOSED.
 */
export { Source } from './source.js';
export type {
  SourceSpec,
  SourceOptions,
  SourceLog,
  SourceState,
  FetchResult,
  LogQuery,
  RevisionListener,
  SourceErrorListener,
} from './types.js';
export type { CommitInfo, Signature } from './commit.js';
export type { CommitOptions, CommitResult, CommitSigningKey, FileChange, Identity } from './write.js';
export type { RevertOptions } from './revert.js';
export { affectedApps } from './affected.js';
export type { AppLocation, AffectedApps } from './affected.js';
export { formatCommitMessage, parseCommitMessage } from './message.js';
export type { CommitMessage, Trailer } from './message.js';
export { Backoff } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { DEFAULT_TOKEN_ENV } from './credentials.js';
export type { CommitVerdict, TrustedKey } from './verify-commit.js';
export { signingPublicKey } from './verify-commit.js';
export { fastForwardWorkingCopy, type WorkingCopyUpdate } from './working-copy.js';
