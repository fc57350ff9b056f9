/**
 * The `source` part: Git at Sluice's edge. Everything else reads a config repository
 * through a `Source`:
 *
 * ```ts
 * const source = await Source.open({ url: 'https://git.example.com/shop/config.git', branch: 'main' }, { dataDir, log });
 * const { revision, changed } = await source.fetch();      // SOURCE_UNREACHABLE keeps state().lastGoodRevision
 * const fs = await source.tree(revision, 'apps/payments'); // MemoryFs, paths relative to the repo root
 * const paths = await source.changedPaths(previous, revision);
 * const { apps } = affectedApps(paths, project.apps);      // pure: which apps to sync again
 * const stop = source.watch((rev) => queue.add(rev));      // ref watch (local) or polling (remote)
 * await source.commitFiles([{ path: 'apps/payments/overlays/prod/kustomization.yaml', content }], {
 *   message: { subject: 'Promote payments to prod', trailers: { 'Sluice-Promotion': 'staging->prod' } },
 *   author: { name: 'Sluice', email: 'sluice@example.com' },
 *   expectedRevision: revision,                            // SOURCE_CONFLICT if the branch moved
 * });
 * await source.push();
 * ```
 *
 * Local paths are read in place through their git directory (no clone, work tree and index
 * untouched). Remotes are mirrored into `<dataDir>/git/<hash>.git`. An https token is taken
 * from SLUICE_GIT_TOKEN (or `tokenEnv`) and handed to git through the environment only.
 * Git is always run with an argument vector, never through a shell.
 *
 * Error codes (all SourceError): SOURCE_UNREACHABLE, SOURCE_AUTH_FAILED, SOURCE_NOT_A_REPO,
 * SOURCE_BRANCH_NOT_FOUND, SOURCE_UNKNOWN_REF, SOURCE_COMMIT_MISSING, SOURCE_PATH_NOT_FOUND,
 * SOURCE_CONFLICT, SOURCE_REVERT_CONFLICT, SOURCE_REVERT_UNSUPPORTED, SOURCE_PUSH_REJECTED,
 * SOURCE_CREDENTIALS_IN_URL, SOURCE_INVALID, SOURCE_BAD_PATH, SOURCE_GIT_MISSING, SOURCE_GIT_FAILED.
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
export type { CommitOptions, CommitResult, FileChange, Identity } from './write.js';
export type { RevertOptions } from './revert.js';
export { affectedApps } from './affected.js';
export type { AppLocation, AffectedApps } from './affected.js';
export { formatCommitMessage, parseCommitMessage } from './message.js';
export type { CommitMessage, Trailer } from './message.js';
export { Backoff } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { DEFAULT_TOKEN_ENV } from './credentials.js';
