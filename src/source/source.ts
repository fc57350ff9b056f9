import { resolve as resolvePath } from 'node:path';
import { SourceError, isSluiceError } from '../errors/index.js';
import { normalizePath, type MemoryFs } from '../vfs/index.js';
import { CatFileBatch } from './cat-file.js';
import { parseCommit, type CommitInfo } from './commit.js';
import { createScrubber, DEFAULT_TOKEN_ENV, httpCredentials, redactUrl } from './credentials.js';
import { allPaths, changedPaths } from './diff.js';
import { followCheckedOutBranch } from './checked-out.js';
import { checkRefName, gitText, runGit, type GitContext } from './git.js';
import { locateLocalRepo, localHeadBranch } from './local.js';
import { Lru } from './lru.js';
import { deleteRemoteBranch, pushBranch, remoteDefaultBranch } from './push.js';
import { cacheDir, checkUrl, ensureCache, fetchInto, isRemoteUrl } from './remote.js';
import { revertCommit, type RevertOptions } from './revert.js';
import { TreeCache } from './tree-cache.js';
import type {
  FetchResult,
  LogQuery,
  RevisionListener,
  SourceErrorListener,
  SourceLog,
  SourceOptions,
  SourceSpec,
  SourceState,
} from './types.js';
import { FetchState } from './fetch-state.js';
import { refDirs } from './watch.js';
import { SourceWatcher } from './watcher.js';
import { keySetId, verifyCommitSignature, type CommitVerdict, type TrustedKey } from './verify-commit.js';
import { branchTip, commitFiles, type CommitOptions, type CommitResult, type FileChange } from './write.js';

const quiet: SourceLog = { debug() {}, info() {}, warn() {} };

type Where = { kind: 'local'; path: string; gitDir: string; commonDir: string } | { kind: 'remote'; url: string };

/**
 * One config repository as Sluice sees it: revisions of a branch, trees at a revision, the
 * paths that changed between two, and small commits written without a work tree.
 */
export class Source {
  private readonly fetches: FetchState;
  private inFlight: Promise<FetchResult> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly batch: CatFileBatch;
  private readonly trees: TreeCache;
  /** The one fetch loop of this source, running while anyone subscribes. */
  private driver: SourceWatcher | undefined;
  private readonly subscribers = new Set<{
    onRevision: RevisionListener;
    onError: SourceErrorListener | undefined;
    seen?: string;
  }>();
  private readonly unpushed = new Map<string, string>();
  private readonly verdicts = new Map<string, CommitVerdict>();
  /** rev-list answers by commit and paths: they never change, and every succeeded sync asks one. */
  private readonly histories = new Lru<string, Promise<string[]>>(4096);

  private constructor(
    private readonly ctx: GitContext,
    private readonly where: Where,
    private branchName: string | undefined,
    private readonly spec: SourceSpec,
    private readonly options: SourceOptions,
    readonly logger: SourceLog,
  ) {
    this.fetches = new FetchState(options.backoff);
    this.batch = new CatFileBatch(ctx);
    this.trees = new TreeCache(ctx, this.batch, options.treeCacheSize ?? 8, logger, options.maxBlobSize);
  }

  /** Prepares a source; nothing is fetched yet. Throws SourceError for a bad spec or a non-repository path. */
  static async open(spec: SourceSpec, options: SourceOptions): Promise<Source> {
    const tokenEnv = spec.tokenEnv ?? DEFAULT_TOKEN_ENV;
    const log = options.log ?? quiet;
    if (spec.branch !== undefined) checkRefName(spec.branch);
    const location = spec.url ?? spec.path;
    if (!location || (spec.url && spec.path)) {
      throw new SourceError('SOURCE_INVALID', 'a source needs exactly one of url or path', {
        hint: 'Give a repository URL (https://, ssh://, file://) or a local path.',
      });
    }
    const creds = httpCredentials(spec.url ?? '', { tokenEnv, username: spec.username, env: options.env });
    const base: GitContext = {
      binary: options.git ?? 'git',
      gitDir: '',
      env: {},
      tokenEnv,
      scrub: createScrubber(creds.secrets),
    };
    if (spec.url && isRemoteUrl(spec.url)) {
      checkUrl(spec.url, tokenEnv);
      const ctx = { ...base, gitDir: cacheDir(options.dataDir, spec.url) };
      await ensureCache(ctx);
      return new Source(ctx, { kind: 'remote', url: spec.url }, spec.branch, spec, options, log);
    }
    const path = resolvePath(location);
    const repo = await locateLocalRepo(base, path);
    const ctx = { ...base, gitDir: repo.gitDir };
    const branch = spec.branch ?? (await localHeadBranch(ctx, path));
    return new Source(ctx, { kind: 'local', path, ...repo }, branch, spec, options, log);
  }

  get kind(): 'local' | 'remote' {
    return this.where.kind;
  }

  /** The branch followed; for a remote without one named, known after the first fetch. */
  get branch(): string {
    return this.branchName ?? '';
  }

  get location(): string {
    return this.where.kind === 'local' ? this.where.path : this.ctx.scrub(redactUrl(this.where.url));
  }

  state(): SourceState {
    return { kind: this.where.kind, location: this.location, branch: this.branch, ...this.fetches.snapshot() };
  }

  /**
   * Brings the followed branch up to date (a network fetch for remotes, a ref read for local
   * repositories) and returns its revision. On failure the last good revision stays usable,
   * the failure is recorded in `state()` and the error is thrown.
   */
  fetch(): Promise<FetchResult> {
    this.inFlight ??= this.serial(() => this.fetchOnce())
      .then((r) => (this.announce(r.revision), r))
      .finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Tells each subscriber of a revision it has not heard yet, whichever fetch found it. */
  private announce(revision: string): void {
    for (const s of [...this.subscribers]) {
      if (s.seen === revision || !this.subscribers.has(s)) continue;
      const previous = s.seen;
      s.seen = revision;
      try {
        s.onRevision(revision, previous);
      } catch (e) {
        this.logger.warn({ source: this.location, error: String(e) }, 'a subscriber of the source failed');
      }
    }
  }

  private async fetchOnce(): Promise<FetchResult> {
    const previous = this.fetches.lastGood;
    try {
      if (this.where.kind === 'remote') {
        const net = this.networkCtx();
        const timeout = this.options.networkTimeoutMs ?? 120_000;
        if (!this.branchName) {
          this.branchName = await remoteDefaultBranch(net, this.where.url, timeout);
          // Remembered in the cache, so a restart while the remote is down still knows what it followed.
          await runGit(this.ctx, ['symbolic-ref', 'HEAD', `refs/heads/${this.branchName}`], { allowFail: true });
        }
        await fetchInto(net, this.where.url, timeout);
      }
      const revision = await this.branchRevision();
      this.fetches.succeeded(revision);
      if (revision !== previous) this.logger.info({ source: this.location, revision, previous }, 'new revision');
      return { revision, previous, changed: revision !== previous };
    } catch (e) {
      const err = isSluiceError(e) ? e : new SourceError('SOURCE_GIT_FAILED', this.ctx.scrub(String(e)), { cause: e });
      this.fetches.failed(err);
      this.logger.warn({ source: this.location, code: err.code, ...this.fetches.snapshot() }, err.message);
      throw err;
    }
  }

  private async branchRevision(): Promise<string> {
    const branch = this.branch;
    const tip = await branchTip(this.ctx, `refs/heads/${branch}`);
    if (tip) return tip;
    const known = (await gitText(this.ctx, ['for-each-ref', '--count=10', '--format=%(refname:short)', 'refs/heads/']))
      .split('\n')
      .filter(Boolean);
    throw new SourceError('SOURCE_BRANCH_NOT_FOUND', `branch ${branch} not found in ${this.location}`, {
      hint:
        known.length > 0
          ? `Existing branches: ${known.join(', ')}.`
          : 'The repository has no branches yet; push a first commit.',
    });
  }

  /**
   * The branch's revision as the last fetch left it in the cache, without asking the remote:
   * what a restart serves while the remote is unreachable.
   */
  async cachedRevision(): Promise<string | undefined> {
    if (!this.branchName && this.where.kind === 'remote') {
      const head = await runGit(this.ctx, ['symbolic-ref', '--quiet', 'HEAD'], { allowFail: true });
      const ref = head.code === 0 ? head.stdout.toString('utf8').trim() : '';
      if (ref.startsWith('refs/heads/') && (await branchTip(this.ctx, ref)))
        this.branchName = ref.slice('refs/heads/'.length);
    }
    return this.branchName ? branchTip(this.ctx, `refs/heads/${this.branchName}`) : undefined;
  }

  /** Whether `descendant` contains `ancestor` in its history (false after a force push dropped it). */
  async contains(ancestor: string, descendant: string): Promise<boolean> {
    const r = await runGit(this.ctx, ['merge-base', '--is-ancestor', ancestor, descendant], { allowFail: true });
    if (r.code === 0 || r.code === 1) return r.code === 0;
    throw new SourceError(
      'SOURCE_GIT_FAILED',
      `cannot compare ${ancestor.slice(0, 7)} with ${descendant.slice(0, 7)} in ${this.location}`,
      {
        hint: 'A commit may be missing from the cache; it is fetched again at the next poll.',
      },
    );
  }

  /** Full commit SHA of a branch, tag, HEAD or (abbreviated) SHA. */
  async resolve(ref: string): Promise<string> {
    checkRefName(ref);
    if (/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(ref)) {
      // A full SHA names an immutable object: checking it through the running object reader
      // saves a process on the hot path (every tree and file read).
      const obj = await this.batch.read(`${ref}^{commit}`);
      if (obj) return obj.sha;
    } else {
      const r = await runGit(this.ctx, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { allowFail: true });
      if (r.code === 0) return r.stdout.toString('utf8').trim();
    }
    if (/^[0-9a-f]{7,64}$/i.test(ref)) {
      throw new SourceError('SOURCE_COMMIT_MISSING', `commit ${ref} not found in ${this.location}`, {
        hint:
          this.kind === 'remote'
            ? 'Fetch first; the commit may be newer than the cache, or was removed by a force push.'
            : 'Check the SHA; it may have been removed by a rebase.',
      });
    }
    throw new SourceError('SOURCE_UNKNOWN_REF', `no branch, tag or commit named ${ref} in ${this.location}`, {
      hint: 'Check the spelling; for a remote, fetch first.',
    });
  }

  /** The tree at a revision (or only the part below `prefix`), paths relative to the repository root. */
  async tree(revision: string, prefix?: string): Promise<MemoryFs> {
    return this.trees.get(await this.resolve(revision), prefix);
  }

  /** Bytes of one file at a revision; a symlink yields its target, not followed. */
  async readFile(revision: string, path: string): Promise<Uint8Array> {
    const sha = await this.resolve(revision);
    const rel = normalizePath(path);
    const obj = rel.startsWith('..') ? undefined : await this.batch.read(`${sha}:${rel}`);
    if (!obj || obj.type !== 'blob') {
      throw new SourceError('SOURCE_PATH_NOT_FOUND', `${path} is not a file at revision ${sha.slice(0, 12)}`, {
        file: path,
        hint: 'Check the path (relative to the repository root) and the revision.',
      });
    }
    return new Uint8Array(obj.data);
  }

  /** Paths that differ between two revisions (renames count on both sides); every path when `from` is undefined. */
  async changedPaths(from: string | undefined, to: string): Promise<string[]> {
    const b = await this.resolve(to);
    return from === undefined ? allPaths(this.ctx, b) : changedPaths(this.ctx, await this.resolve(from), b);
  }

  async commitInfo(revision: string): Promise<CommitInfo> {
    const obj = await this.batch.read(`${await this.resolve(revision)}^{commit}`);
    if (!obj) throw new SourceError('SOURCE_COMMIT_MISSING', `commit ${revision} not found`, { hint: 'Fetch again.' });
    return parseCommit(obj.sha, obj.data);
  }

  /** Newest first. */
  async log(query: LogQuery = {}): Promise<CommitInfo[]> {
    const start = await this.resolve(query.ref ?? `refs/heads/${this.branch}`);
    const max = query.max ?? 20;
    const args = [
      'rev-list',
      ...(max === Infinity ? [] : [`--max-count=${max}`]),
      ...(query.grep ? ['--regexp-ignore-case', '--extended-regexp', `--grep=${query.grep}`] : []),
      start,
      ...(query.not ? [`^${await this.resolve(query.not)}`] : []),
      '--',
      ...(query.paths ?? []),
    ];
    const key = args.join('\0');
    let shas = this.histories.get(key);
    if (!shas) {
      const listed = gitText(this.ctx, args).then((out) => out.split('\n').filter(Boolean));
      this.histories.set(key, listed);
      listed.catch(() => this.histories.delete(key));
      shas = listed;
    }
    return Promise.all((await shas).map((s) => this.commitInfo(s)));
  }

  /** Commits file changes onto a branch (the followed one by default) without a work tree. */
  commitFiles(
    changes: FileChange[],
    options: Omit<CommitOptions, 'branch'> & { branch?: string },
  ): Promise<CommitResult> {
    const branch = options.branch ?? this.branch;
    return this.serial(() => this.remember(branch, commitFiles(this.ctx, changes, { ...options, branch })));
  }

  /** Commits the inverse of `revision` onto a branch (the followed one by default). */
  revert(revision: string, options: Omit<RevertOptions, 'branch'> & { branch?: string }): Promise<CommitResult> {
    const branch = options.branch ?? this.branch;
    return this.serial(async () =>
      this.remember(branch, revertCommit(this.ctx, this.batch, await this.resolve(revision), { ...options, branch })),
    );
  }

  /**
   * A remote's cache branches follow the remote on every fetch, so a commit not yet pushed
   * is remembered by SHA: a fetch between commit and push then cannot lose it.
   */
  private async remember(branch: string, pending: Promise<CommitResult>): Promise<CommitResult> {
    const result = await pending;
    if (this.where.kind === 'remote' && result.changed) this.unpushed.set(branch, result.revision);
    if (this.where.kind === 'local' && result.changed && result.parent) {
      const update = await followCheckedOutBranch(this.ctx, this.where.path, branch, result.parent, result.revision);
      if (update?.state === 'updated') this.logger.info({ source: this.location }, update.message);
      else if (update) this.logger.warn({ source: this.location }, update.message);
    }
    return result;
  }

  /**
   * Publishes a branch: to the source URL for remotes (the last commit written through this
   * source, even if a fetch ran since), to a named remote (default `origin`) of a local
   * repository. Never forced: SOURCE_PUSH_REJECTED if the remote moved on.
   */
  push(options: { branch?: string; remote?: string } = {}): Promise<void> {
    const remote = this.where.kind === 'remote' ? this.where.url : (options.remote ?? 'origin');
    const branch = options.branch ?? this.branch;
    return this.serial(async () => {
      const revision = this.unpushed.get(branch);
      await pushBranch(this.networkCtx(), remote, branch, this.options.networkTimeoutMs ?? 120_000, revision);
      if (this.unpushed.get(branch) === revision) this.unpushed.delete(branch);
    });
  }

  /**
   * Deletes a branch that is not the followed one, on the remote (the source URL for remotes,
   * a named remote of a local repository) and in Sluice's cache. For change-request branches
   * whose request has ended.
   */
  deleteBranch(options: { branch: string; remote?: string }): Promise<void> {
    const { branch } = options;
    checkRefName(branch);
    if (branch === this.branch) {
      return Promise.reject(
        new SourceError('SOURCE_INVALID', `refusing to delete ${branch}: it is the branch Sluice follows`, {
          hint: 'Only change-request branches are deleted.',
        }),
      );
    }
    const remote = this.where.kind === 'remote' ? this.where.url : (options.remote ?? 'origin');
    return this.serial(async () => {
      await deleteRemoteBranch(this.networkCtx(), remote, branch, this.options.networkTimeoutMs ?? 120_000);
      this.unpushed.delete(branch);
      if (this.where.kind === 'remote')
        await runGit(this.ctx, ['update-ref', '-d', `refs/heads/${branch}`], { allowFail: true });
    });
  }

  /**
   * Calls `onRevision` with each new revision of the followed branch, including the first.
   * Local repositories are watched through their refs (about 50 ms latency, 1 s polling if
   * watching fails); remotes are fetched every `pollIntervalMs`, backing off after failures.
   * Every subscriber shares one fetch loop, and hears of a revision whichever fetch found it.
   */
  watch(onRevision: RevisionListener, onError?: SourceErrorListener): { close(): void } {
    const sub = { onRevision, onError };
    this.subscribers.add(sub);
    if (!this.driver) {
      this.driver = new SourceWatcher(this, {
        onError: (e) => [...this.subscribers].forEach((s) => s.onError?.(e)),
        dirs: this.where.kind === 'local' ? refDirs(this.where.gitDir, this.where.commonDir, this.branch) : undefined,
        pollIntervalMs: this.options.pollIntervalMs ?? 30_000,
        localPoll: this.options.localPoll,
        retryAt: () => this.fetches.nextRetryAt,
      });
    } else {
      this.driver.poke();
    }
    return {
      close: () => {
        this.subscribers.delete(sub);
        if (this.subscribers.size === 0) {
          this.driver?.close();
          this.driver = undefined;
        }
      },
    };
  }

  /**
   * Whether a commit is signed by one of `keys`, as git verifies it. Verdicts are remembered
   * per revision and key set: a commit's signature never changes.
   */
  async verifyCommit(revision: string, keys: readonly TrustedKey[]): Promise<CommitVerdict> {
    const key = `${revision}:${keySetId(keys)}`;
    const known = this.verdicts.get(key);
    if (known) return known;
    const verdict = await verifyCommitSignature(this.ctx, await this.resolve(revision), keys);
    this.verdicts.set(key, verdict);
    if (this.verdicts.size > 256) this.verdicts.delete(this.verdicts.keys().next().value!);
    return verdict;
  }

  /**
   * Fetches at once instead of at the next interval (a push webhook said the branch moved).
   * Subscribers hear of a new revision as from any fetch; without a watch it is one fetch.
   */
  fetchNow(): void {
    if (this.driver) this.driver.poke();
    else void this.fetch().catch(() => undefined);
  }

  /** Stops watchers and the object reader. */
  close(): void {
    this.driver?.close();
    this.driver = undefined;
    this.subscribers.clear();
    this.batch.close();
  }

  private networkCtx(): GitContext {
    if (this.where.kind !== 'remote') return this.ctx;
    // Read per operation so a rotated token is picked up without reopening the source.
    const creds = httpCredentials(this.where.url, {
      tokenEnv: this.ctx.tokenEnv,
      username: this.spec.username,
      env: this.options.env,
    });
    return { ...this.ctx, env: creds.env, scrub: createScrubber(creds.secrets) };
  }

  /** Cache-changing operations run one at a time so a fetch cannot land between a commit and its push. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
