import { parseProject, PROJECT_FILE, type Environment, type Project, type Target } from '../config/index.js';
import { NotFoundError, SourceError } from '../errors/index.js';
import type { Plan } from '../plan/types.js';
import type { Provider, ProviderEvent, ProviderLog, Scope } from '../providers/types.js';
import type { Store, SyncRecord } from '../store/types.js';
import type { ReadonlyFs } from '../vfs/index.js';
import { backoffDelay } from './backoff.js';
import { desiredState, type PolicyCheck, type ResourceFinalizer } from './desired.js';
import { mergeJobs, type Job } from './job.js';
import { WorkQueue } from './queue.js';
import type { RevisionSource } from './source.js';
import { StatusBoard, toStatusError } from './state.js';
import type { AppEnvDetail, ProjectStatus, StatusError } from './status.js';
import { describeChanges, runJob, short, type RunOutcome } from './sync-runner.js';
import { affectsApp, deployments, scopeKey, type ScopeRef } from './targets.js';
import { ProviderPool } from './provider-pool.js';
import type { VerificationFailedHook } from './post-sync.js';

export interface ControllerOptions {
  source: RevisionSource;
  store: Store;
  /** Creates the provider for a target; called once per target. */
  createProvider: (target: Target) => Provider;
  log: ProviderLog;
  checkPolicy?: PolicyCheck;
  /** Applied to every rendered resource before plan and apply. */
  finalize?: ResourceFinalizer;
  /**
   * Prepares a revision's tree before anything renders from it (decrypting SOPS files in
   * memory). A failure here fails every scope of the revision and applies nothing.
   */
  openTree?: (fs: ReadonlyFs) => Promise<ReadonlyFs>;
  /** Scrubs secret values from every message the controller stores or shows. */
  mask?: (text: string) => string;
  /** Syncs running at once across all scopes. */
  concurrency?: number;
  /** How often live state is compared with desired to find drift. */
  driftIntervalMs?: number;
  /** How often health is read for status. */
  healthIntervalMs?: number;
  onSyncFinished?: (record: SyncRecord) => void;
  /** Verification after a sync failed: the promote part rolls back where the environment enables it. */
  onVerificationFailed?: VerificationFailedHook;
}

interface Current {
  revision: string;
  fs: ReadonlyFs;
  project: Project;
  scopes: ScopeRef[];
}

/**
 * The reconciler: the only writer to targets. It follows the config repo's branch, keeps a
 * status for every app × environment, and runs one job at a time per scope through a queue.
 */
export class Controller {
  private readonly board = new StatusBoard();
  private readonly providers: ProviderPool;
  private readonly queue: WorkQueue<Job>;
  private readonly attempts = new Map<string, number>();
  private current: Current | undefined;
  private projectError: StatusError | undefined;
  /** Set when the newest revision could not be read (a damaged cache, a vanished commit). */
  private revisionError: StatusError | undefined;
  private lastFetchAt: Date | undefined;
  private fetching: Promise<void> | undefined;
  private refetch = false;
  private timers: NodeJS.Timeout[] = [];
  private readonly stopping = new AbortController();
  private unwatch: (() => void) | undefined;

  constructor(private readonly options: ControllerOptions) {
    this.providers = new ProviderPool(options.createProvider, (e) => void this.onProviderEvent(e));
    this.queue = new WorkQueue<Job>({
      concurrency: options.concurrency ?? 4,
      merge: mergeJobs,
      run: (key, job) => this.run(key, job),
      onError: (key, e) => options.log.error({ err: e, scope: key }, 'reconcile failed unexpectedly'),
    });
  }

  /** The project as of the newest good revision. */
  get project(): Project | undefined {
    return this.current?.project;
  }

  get projectName(): string {
    return this.current?.project.name ?? 'unknown';
  }

  async start(): Promise<void> {
    const abandoned = await this.options.store.abandonRunningSyncs('the controller stopped while this sync ran');
    if (abandoned) this.options.log.warn({ abandoned }, 'marked syncs left running by a previous controller as failed');
    await this.refresh('startup');
    this.unwatch = this.options.source.watch(() => void this.refresh('revision'));
    const every = (ms: number, fn: () => Promise<void>) => {
      const t = setInterval(() => void fn().catch((e: unknown) => this.options.log.error({ err: e }, 'periodic check failed')), ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.options.driftIntervalMs ?? 5000, () => this.checkDrift());
    every(this.options.healthIntervalMs ?? 2000, () => this.readHealth());
  }

  async stop(options: { stopWorkloads?: boolean } = {}): Promise<void> {
    this.unwatch?.();
    this.timers.forEach(clearInterval);
    this.stopping.abort();
    await this.queue.stop();
    await this.providers.closeAll(options);
    await this.options.source.close();
  }

  /** Fetches the branch and reacts to a new revision. Concurrent calls coalesce. */
  refresh(trigger: 'startup' | 'revision' = 'revision'): Promise<void> {
    if (this.fetching) {
      this.refetch = true;
      return this.fetching;
    }
    this.fetching = (async () => {
      do {
        this.refetch = false;
        try {
          await this.fetchOnce(trigger);
        } catch (e) {
          // A revision that cannot be read must not stop the controller: keep the last good one.
          this.revisionError = toStatusError(e);
          this.options.log.error({ err: e }, 'cannot read the new revision; keeping the last good one');
        }
      } while (this.refetch);
    })().finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  private async fetchOnce(trigger: 'startup' | 'revision'): Promise<void> {
    let revision: string;
    try {
      revision = await this.options.source.fetch();
      this.lastFetchAt = new Date();
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      this.options.log.warn({ err: e.message }, 'config repo unreachable; keeping the last known good revision');
      return;
    }
    const previous = this.current;
    if (previous?.revision === revision && trigger !== 'startup') return;
    const rawFs = await this.options.source.tree(revision);
    this.revisionError = undefined;
    let fs: ReadonlyFs;
    try {
      fs = this.options.openTree ? await this.options.openTree(rawFs) : rawFs;
    } catch (e) {
      // A wrong key or a tampered secret: the whole revision is refused, nothing is applied.
      const error = this.statusError(e);
      await this.options.store.addEvent({ project: previous?.project.name ?? 'unknown', type: 'revision.invalid', severity: 'error', message: `${short(revision)}: ${error.message}` });
      for (const s of this.board.all()) Object.assign(s, { sync: 'Failed', error, reason: error.message, desiredRevision: revision });
      this.revisionError = error;
      return;
    }
    let project: Project;
    try {
      project = parseProject(new TextDecoder().decode(fs.readFile(PROJECT_FILE)), PROJECT_FILE);
      this.projectError = undefined;
    } catch (e) {
      const error = this.statusError(e);
      this.projectError = { ...error, message: `${short(revision)}: ${error.message}` };
      await this.options.store.addEvent({ project: previous?.project.name ?? 'unknown', type: 'project.invalid', severity: 'error', message: this.projectError.message });
      for (const s of this.board.all()) Object.assign(s, { sync: 'Failed', error: this.projectError, reason: 'sluice.yaml is invalid', desiredRevision: revision });
      return;
    }
    const scopes = deployments(project, fs);
    this.current = { revision, fs, project, scopes };
    const changed = previous ? await this.options.source.changedPaths(previous.revision, revision) : undefined;
    for (const ref of scopes) {
      const provider = this.providers.forTarget(project, ref.env.target);
      this.board.ensure(ref, provider.kind);
      const isNew = !previous?.scopes.some((s) => s.app.name === ref.app.name && s.env.name === ref.env.name);
      if (!changed || isNew || affectsApp(changed, ref.app.path)) {
        const files = changed?.filter((p) => affectsApp([p], ref.app.path)).slice(0, 3) ?? [];
        const reason = trigger === 'startup' ? `controller started at ${short(revision)}` : `new revision ${short(revision)}${files.length ? ` changed ${files.join(', ')}` : ''}`;
        this.enqueue(ref, { trigger, reason, dryRun: false, force: false, waiters: [] });
      } else {
        const s = this.board.get(ref.app.name, ref.env.name);
        if (s && s.sync === 'Synced') s.syncedRevision = revision;
        if (s) s.desiredRevision = revision;
      }
    }
    if (previous) await this.pruneRemoved(previous, scopes);
  }

  private async pruneRemoved(previous: Current, scopes: ScopeRef[]): Promise<void> {
    for (const old of previous.scopes) {
      if (scopes.some((s) => s.app.name === old.app.name && s.env.name === old.env.name)) continue;
      this.board.remove(old.app.name, old.env.name);
      if (!old.env.prune) continue;
      const provider = await this.providers.get(previous.project, old.env.target);
      await provider.destroy(this.scopeOf(previous.project, old));
      await this.options.store.addEvent({ project: previous.project.name, app: old.app.name, env: old.env.name, type: 'app.removed', severity: 'info', message: `removed: ${old.app.name} is no longer deployed to ${old.env.name} in Git` });
    }
  }

  private enqueue(ref: ScopeRef, job: Job): void {
    this.queue.add(scopeKey(ref.app.name, ref.env.name), job);
  }

  /** Queues a sync and resolves with its record once it finished (undefined if nothing needed doing). */
  sync(app: string, env: string, options: { dryRun?: boolean; actor?: string } = {}): Promise<SyncRecord | undefined> {
    const ref = this.findScope(app, env);
    return new Promise((resolve, reject) => {
      this.enqueue(ref, {
        trigger: 'manual',
        reason: options.dryRun ? 'dry run requested' : `sync requested${options.actor ? ` by ${options.actor}` : ''}`,
        ...(options.actor ? { actor: options.actor } : {}),
        dryRun: options.dryRun ?? false,
        force: true,
        waiters: [(r, e) => (e ? reject(e) : resolve(r))],
      });
    });
  }

  /** Renders the newest revision and compares it with live, changing nothing. */
  async plan(app: string, env: string): Promise<Plan> {
    const ref = this.findScope(app, env);
    const cur = this.current!;
    const provider = await this.providers.get(cur.project, ref.env.target);
    const desired = desiredState(cur.fs, cur.project, ref.app, ref.env, provider, this.options.checkPolicy, this.options.finalize);
    const plan = await provider.plan(this.scopeOf(cur.project, ref), desired.resources, { prune: ref.env.prune });
    this.board.setPlan(app, env, plan);
    return plan;
  }

  status(): ProjectStatus {
    const cur = this.current;
    const health = this.options.source.health();
    const source: ProjectStatus['source'] = { url: this.options.source.url, branch: this.options.source.branch };
    if (cur) source.revision = cur.revision;
    if (this.lastFetchAt) source.lastFetchAt = this.lastFetchAt.toISOString();
    if (health.lastError) source.error = health.lastError;
    else if (this.revisionError) source.error = this.revisionError;
    if (health.nextRetryAt) source.nextRetryAt = health.nextRetryAt;
    const out: ProjectStatus = {
      project: cur?.project.name ?? 'unknown',
      source,
      environments: (cur?.project.environments ?? []).map((e) => ({ name: e.name, target: e.target, provider: cur!.project.targets.get(e.target)!.provider, protected: e.protected })),
      apps: this.board.all(),
    };
    if (this.projectError) out.projectError = this.projectError;
    return out;
  }

  async detail(app: string, env: string): Promise<AppEnvDetail> {
    const status = this.board.get(app, env);
    if (!status) throw notFound(app, env, this.current);
    const syncs = await this.options.store.listSyncs({ project: this.projectName, app, env, limit: 20 });
    const plan = this.board.plan(app, env);
    return plan ? { status, plan, syncs } : { status, syncs };
  }

  /** Waits until no job is queued or running (tests, one-shot commands). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private statusError(e: unknown): StatusError {
    const error = toStatusError(e);
    const mask = this.options.mask;
    if (!mask) return error;
    error.message = mask(error.message);
    if (error.hint) error.hint = mask(error.hint);
    return error;
  }

  private findScope(app: string, env: string): ScopeRef {
    const ref = this.current?.scopes.find((s) => s.app.name === app && s.env.name === env);
    if (!ref) throw notFound(app, env, this.current);
    return ref;
  }

  private scopeOf(project: Project, ref: ScopeRef): Scope {
    return { project: project.name, app: ref.app.name, env: ref.env.name };
  }

  private async run(key: string, job: Job): Promise<void> {
    const cur = this.current;
    const ref = cur?.scopes.find((s) => scopeKey(s.app.name, s.env.name) === key);
    if (!cur || !ref) {
      job.waiters.forEach((w) => w(undefined, new NotFoundError('SCOPE_GONE', `${key} is no longer deployed`)));
      return;
    }
    let outcome: RunOutcome | undefined;
    try {
      const provider = await this.providers.get(cur.project, ref.env.target);
      outcome = await runJob(
        {
          store: this.options.store,
          board: this.board,
          log: this.options.log,
          signal: this.stopping.signal,
          ...(this.options.checkPolicy ? { checkPolicy: this.options.checkPolicy } : {}),
          ...(this.options.finalize ? { finalize: this.options.finalize } : {}),
          ...(this.options.mask ? { mask: this.options.mask } : {}),
          ...(this.options.onSyncFinished ? { onSyncFinished: this.options.onSyncFinished } : {}),
          ...(this.options.onVerificationFailed ? { onVerificationFailed: this.options.onVerificationFailed } : {}),
          onEvent: async (e) => void (await this.options.store.addEvent({ project: e.scope.project, app: e.scope.app, env: e.scope.env, type: e.type, severity: e.severity, message: e.message, ...(e.syncId ? { syncId: e.syncId } : {}) })),
        },
        { project: cur.project, fs: cur.fs, revision: cur.revision, ref, provider, scope: this.scopeOf(cur.project, ref) },
        job,
      );
    } catch (e) {
      job.waiters.forEach((w) => w(undefined, e));
      throw e;
    }
    this.afterRun(key, job, outcome);
    job.waiters.forEach((w) => w(outcome.kind === 'synced' ? outcome.record : undefined));
  }

  private afterRun(key: string, job: Job, outcome: RunOutcome): void {
    if (outcome.kind === 'synced' && outcome.record.result === 'Failed' && outcome.retryable && !job.dryRun) {
      const attempt = (this.attempts.get(key) ?? 0) + 1;
      this.attempts.set(key, attempt);
      if (attempt <= 5) {
        const delay = backoffDelay(attempt, 5000, 300_000);
        this.queue.addAfter(key, { trigger: 'retry', reason: `retry ${attempt}/5 after: ${outcome.record.error?.message ?? 'failure'}`, dryRun: false, force: false, waiters: [] }, delay);
      }
    } else if (outcome.kind !== 'synced' || outcome.record.result === 'Succeeded') {
      this.attempts.delete(key);
      this.queue.cancelDelayed(key);
    }
  }

  private async onProviderEvent(e: ProviderEvent): Promise<void> {
    const severity = e.type === 'exited' || e.type === 'unhealthy' || e.type === 'drift' ? 'warning' : 'info';
    await this.options.store.addEvent({ project: e.scope.project, app: e.scope.app, env: e.scope.env, type: `${e.type === 'drift' ? 'drift' : 'workload'}.${e.type}`, severity, message: e.message, time: e.time.toISOString() });
    if (e.type === 'drift' || e.type === 'exited') await this.checkDriftOf(e.scope.app, e.scope.env, e.message);
  }

  /** Compares live with the revision last applied; drift heals with selfHeal, else shows as OutOfSync. */
  private async checkDrift(): Promise<void> {
    for (const s of this.board.all()) {
      if (s.sync !== 'Synced' && s.sync !== 'OutOfSync') continue;
      await this.checkDriftOf(s.app, s.env);
    }
  }

  private async checkDriftOf(app: string, env: string, cause?: string): Promise<void> {
    const cur = this.current;
    const status = this.board.get(app, env);
    const ref = cur?.scopes.find((s) => s.app.name === app && s.env.name === env);
    if (!cur || !ref || !status || this.queue.isBusy(scopeKey(app, env))) return;
    if (status.syncedRevision !== cur.revision || status.sync === 'Failed') return;
    let plan: Plan;
    try {
      plan = await this.plan(app, env);
    } catch {
      return;
    }
    const changes = describeChanges(plan);
    if (!changes) {
      if (status.drift) {
        delete status.drift;
        status.sync = 'Synced';
        delete status.reason;
      }
      return;
    }
    const causes = plan.changes.filter((c) => c.action !== 'unchanged').map((c) => `${c.kind}/${c.name}: ${c.reason ?? c.action}`);
    if (!status.drift) {
      status.drift = { since: new Date().toISOString(), causes };
      await this.options.store.addEvent({ project: cur.project.name, app, env, type: 'drift.detected', severity: 'warning', message: `drift: ${changes}${cause ? ` (after: ${cause})` : ''}` });
    } else {
      status.drift.causes = causes;
    }
    if (ref.env.selfHeal && ref.env.sync === 'auto') {
      this.enqueue(ref, { trigger: 'drift', reason: `drift: ${changes}`, dryRun: false, force: false, waiters: [] });
    } else {
      status.sync = 'OutOfSync';
      status.reason = `drift: ${changes}`;
    }
  }

  private async readHealth(): Promise<void> {
    const cur = this.current;
    if (!cur) return;
    for (const ref of cur.scopes) {
      const status = this.board.get(ref.app.name, ref.env.name);
      if (!status || status.sync === 'Syncing') continue;
      try {
        const provider = await this.providers.get(cur.project, ref.env.target);
        const resources = await provider.health(this.scopeOf(cur.project, ref));
        status.resources = resources;
        status.health = resources.length === 0 ? (status.syncedRevision ? 'Healthy' : 'Missing') : worst(resources);
      } catch (e) {
        this.options.log.warn({ err: (e as Error).message, app: ref.app.name, env: ref.env.name }, 'health check failed');
        status.health = 'Unknown';
      }
    }
  }
}

function worst(resources: { status: ProjectStatus['apps'][number]['health'] }[]): ProjectStatus['apps'][number]['health'] {
  const rank = ['Degraded', 'Missing', 'Progressing', 'Unknown', 'Suspended', 'Healthy'] as const;
  let w = rank.length - 1;
  for (const r of resources) w = Math.min(w, rank.indexOf(r.status));
  return rank[w]!;
}

function notFound(app: string, env: string, cur: Current | undefined): NotFoundError {
  const known = cur?.scopes.map((s) => `${s.app.name} --env ${s.env.name}`).join(', ') ?? 'none yet';
  return new NotFoundError('SCOPE_NOT_FOUND', `app "${app}" is not deployed to environment "${env}"`, { hint: `Known: ${known}.` });
}

export type { Environment };
