import { parseProject, PROJECT_FILE, type Environment, type Project, type Target } from '../config/index.js';
import { ConflictError, NotFoundError, SourceError, isTransient } from '../errors/index.js';
import type { Plan } from '../plan/types.js';
import type { LiveWorkload, Provider, ProviderEvent, ProviderLog, Scope } from '../providers/types.js';
import type { Store, SyncRecord } from '../store/types.js';
import type { ReadonlyFs } from '../vfs/index.js';
import type { TargetTimeouts } from './deadline.js';
import { DesiredStates } from '../desired/index.js';
import { abandonLeftovers } from './leftovers.js';
import { Breather } from '../model/breather.js';
import { mergeJobs, type Job } from './job.js';
import { OwedWork } from './owed-work.js';
import { periodic } from './periodic.js';
import { soleLeadership, type Leadership } from './leader.js';
import { LeaseRounds, type InForce } from './lease-rounds.js';
import { SoleOwnership, type ScopeOwnership } from './scope-leases.js';
import type { VerificationFailedHook } from './post-sync.js';
import { ProviderPool } from './provider-pool.js';
import { LivePasses } from './live-passes.js';
import { RetryTimers } from './retry-timers.js';
import { pruneUndeclared, removedScopes } from './prune.js';
import { scopesChangedBy, type RevisionInForce } from './revision.js';
import { WorkQueue } from './queue.js';
import { StatusFeed } from './status-feed.js';
import { initialState, transition, type Effect, type ScopeEvent } from './scope-machine.js';
import type { RevisionSource } from './source.js';
import { toStatusError, viewOf, type ScopeEntry } from './state.js';
import type { AppEnvDetail, ProjectStatus, StatusError } from './status.js';
import { commitSignatureCheck, type CommitCheck } from './commit-check.js';
import { planOptions, runJob, short } from './sync-runner.js';
import { affectsApp, scopeKey, type ScopeRef } from './targets.js';

export interface ControllerOptions {
  source: RevisionSource;
  store: Store;
  /** Creates the provider for a target; called once per target connection. */
  createProvider: (target: Target) => Provider;
  log: ProviderLog;
  /**
   * Prepares a revision's tree before anything renders from it (a tree that decrypts SOPS
   * files in memory as renders read them). A failure here refuses the whole revision.
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
  /** Deadlines on calls to targets (defaults: 30 s per call, 60 s to start). */
  targetTimeouts?: TargetTimeouts;
  /**
   * Which scopes this controller syncs. Alone on its store it holds them all (the default);
   * sharing one it holds those whose leases it has (ScopeLeases).
   */
  ownership?: ScopeOwnership;
  /** Whether this controller leads the project's singleton work; alone, it always does. */
  leadership?: Leadership;
  /** How often leases are renewed when shared (default 5 s). */
  leaseRenewMs?: number;
  /** The clock and the jitter source; tests pass their own. */
  now?: () => number;
  random?: () => number;
}

/** An error of a whole revision, held once and shown on every scope until a revision fixes it. */
interface RevisionError {
  error: StatusError;
  revision: string;
  reason: string;
}

/**
 * The reconciler: the only writer to targets. It follows the config repo's branch and keeps
 * one state machine per app × environment (scope-machine.ts); everything it learns (a new
 * revision, a sync's result, health, drift, a retry timer) is an event to that machine, and
 * the effects the machine asks for (a sync, a retry, a superseded health wait) are carried out here.
 */
export class Controller {
  private readonly entries = new Map<string, ScopeEntry>();
  /** Every scope's status view, updated as its machine moves: what the API and the event stream read. */
  readonly statusFeed = new StatusFeed();
  private readonly providers: ProviderPool;
  private readonly queue: WorkQueue<Job>;
  private readonly retries: RetryTimers;
  private readonly owed = new OwedWork();
  /** The lease rounds, when several controllers share the store. */
  private readonly leaseRounds: LeaseRounds<RevisionInForce> | undefined;
  /** The drift and health passes over live state. */
  private readonly passes: LivePasses;
  /** Per running sync: aborting it ends its health wait as superseded. */
  private readonly running = new Map<string, AbortController>();
  private current: RevisionInForce | undefined;
  /** The newest revision the controller looked at, good or not. */
  private seen: string | undefined;
  private projectError: StatusError | undefined;
  private revisionError: RevisionError | undefined;
  /** Set when the newest revision could not be read (a damaged cache, a vanished commit). */
  private readError: StatusError | undefined;
  /** Set while the branch no longer contains the revision in force. */
  private rewritten: StatusError | undefined;
  private lastFetchAt: Date | undefined;
  private fetching: Promise<void> | undefined;
  private refetch = false;
  /** A revision the source's feed announced, taken instead of fetching again. */
  private known: string | undefined;
  private loops: { stop(): void; now(): Promise<void> }[] = [];
  private readonly stopping = new AbortController();
  private unwatch: (() => void) | undefined;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly ownership: ScopeOwnership;
  private readonly leadership: Leadership;

  /** Refuses unsigned or untrusted commits in environments that require signatures. */
  private readonly commitCheck: CommitCheck | undefined;

  constructor(private readonly options: ControllerOptions) {
    const verify = options.source.verifyCommit?.bind(options.source);
    this.commitCheck = verify
      ? commitSignatureCheck({ tree: (r) => options.source.tree(r), verifyCommit: verify })
      : undefined;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.ownership = options.ownership ?? new SoleOwnership('local');
    this.retries = new RetryTimers(this.now, (key) => this.dispatch(key, { type: 'retry-due' }));
    this.leadership = options.leadership ?? soleLeadership;
    this.providers = new ProviderPool(
      options.createProvider,
      (e) => void this.onProviderEvent(e),
      this.now,
      this.random,
      options.targetTimeouts,
    );
    this.leaseRounds = this.ownership.shared
      ? new LeaseRounds<RevisionInForce>({
          ownership: this.ownership,
          leadership: this.leadership,
          store: options.store,
          log: options.log,
          renewMs: options.leaseRenewMs ?? 5000,
          now: this.now,
          host: {
            inForce: () => this.inForce(),
            lost: (key, project) => this.leaseLost(key, project),
            gained: (key, cur, project) => this.takeOver(key, cur, project),
            renewed: (cur, ready) => this.leasesRenewed(cur, ready),
            othersRecorded: (changes) => this.othersRecorded(changes),
          },
        })
      : undefined;
    this.passes = new LivePasses({
      inForce: () => this.current,
      entries: this.entries,
      busy: (key) => this.queue.isBusy(key),
      holds: (key) => this.ownership.holds(key),
      provider: (project, target) => this.providers.get(project, target),
      dispatch: (key, event) => this.dispatch(key, event),
      statusError: (e) => this.statusError(e),
      log: options.log,
    });
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
    await abandonLeftovers(this.options.store, this.options.log, this.stopping.signal, this.random);
    await this.refresh('startup');
    // The source's one feed hands over each revision it fetched: no second fetch here.
    this.unwatch = this.options.source.watch((revision) => {
      if (revision !== this.seen) void this.refresh('revision', revision);
    });
    const onError = (e: unknown) => this.options.log.error({ err: e }, 'periodic check failed');
    this.loops = [
      // A revision that could not be taken (the store was locked, the cache damaged) is tried
      // again on a timer: a local repo's watch only fires when a ref moves.
      periodic(
        this.options.healthIntervalMs ?? 2000,
        () => (this.readError ? this.refresh() : Promise.resolve()),
        onError,
      ),
      periodic(this.options.driftIntervalMs ?? 5000, () => this.passes.drift(), onError),
      periodic(this.options.healthIntervalMs ?? 2000, () => this.passes.health(), onError),
    ];
    void this.loops[1]!.now();
    await this.leaseRounds?.start();
  }

  /** This replica among those sharing the store: its name, whether it leads, how many scopes it holds. */
  replica(): { instance: string; leader: boolean; scopesHeld: number } {
    return {
      instance: this.ownership.holder,
      leader: this.leadership.isLeader(),
      scopesHeld: this.ownership.shared ? this.ownership.count() : this.entries.size,
    };
  }

  /** What a lease round works on: the revision in force, its project and scopes. */
  private inForce(): InForce<RevisionInForce> | undefined {
    const cur = this.current;
    if (!cur) return undefined;
    const scopes = cur.scopes.map((s) => ({ key: scopeKey(s.app.name, s.env.name), app: s.app.name, env: s.env.name }));
    return { current: cur, project: cur.project.name, scopes };
  }

  /** Another replica holds the scope now: its work here stops. */
  private async leaseLost(key: string, project: string): Promise<void> {
    this.owed.forget(key);
    this.retries.cancel(key);
    this.running.get(key)?.abort('its lease was lost');
    const entry = this.entries.get(key);
    this.options.log.warn({ scope: key }, 'lease lost; another replica syncs this scope');
    if (entry)
      await this.options.store.addEvent({
        project,
        app: entry.ref.app.name,
        env: entry.ref.env.name,
        type: 'lease.lost',
        severity: 'warning',
        message: `${this.ownership.holder} no longer holds ${key}; another replica syncs it`,
      });
  }

  /** Work that came for scopes while their leases ran late or were being taken over. */
  private leasesRenewed(cur: RevisionInForce, ready: (key: string) => boolean): void {
    for (const [key, event] of this.owed.take(ready))
      this.dispatch(
        key,
        event.type === 'revision'
          ? { ...event, revision: cur.revision, reason: `${event.reason} (held back until its lease was renewed)` }
          : event,
      );
  }

  /** Brings the scopes other replicas hold up to what their holders recorded since the last round. */
  private othersRecorded(changes: Map<string, SyncRecord>): void {
    for (const [key, sync] of changes) {
      if (!this.entries.has(key) || this.ownership.holds(key)) continue;
      this.dispatch(key, {
        type: 'restored',
        lastSync: sync,
        ...(sync.result === 'Succeeded' ? { lastSucceeded: sync } : {}),
      });
    }
  }

  /** A scope this replica just took the lease on: from what the store says, synced at the revision in force. */
  private async takeOver(key: string, cur: RevisionInForce, project: string): Promise<void> {
    const entry = this.entries.get(key);
    this.owed.forget(key);
    // Not yet filed: the revision being read files and syncs it.
    if (!entry || this.current !== cur) return;
    const scope = { project, app: entry.ref.app.name, env: entry.ref.env.name };
    const abandoned = await this.options.store.abandonScopeSyncs(
      scope,
      `the lease moved to ${this.ownership.holder} while this sync ran`,
    );
    entry.state = initialState();
    delete entry.desired;
    await this.restore(project, [entry.ref]);
    await this.options.store.addEvent({
      ...scope,
      type: 'lease.taken',
      severity: 'info',
      message: `${this.ownership.holder} took the lease on ${key}${abandoned ? ` and marked ${abandoned} sync(s) left running by its previous holder as failed` : ''}`,
    });
    this.dispatch(key, {
      type: 'revision',
      revision: cur.revision,
      affected: true,
      reason: `lease taken at ${short(cur.revision)}`,
      trigger: 'startup',
    });
  }

  async stop(options: { stopWorkloads?: boolean } = {}): Promise<void> {
    this.unwatch?.();
    this.loops.forEach((l) => l.stop());
    this.retries.clear();
    this.stopping.abort();
    await this.leaseRounds?.stop();
    await this.queue.stop();
    // Given up at once so the other replicas take over now, not when the leases run out.
    if (this.ownership.shared && this.current)
      await Promise.all([
        this.ownership.release(this.current.project.name),
        this.leadership.release(this.current.project.name),
      ]).catch((e: unknown) => this.options.log.warn({ err: e }, 'giving up leases failed; they expire'));
    await this.providers.closeAll(options);
    await this.options.source.close();
  }

  /** Fetches the branch (unless the feed already did) and reacts to a new revision. Concurrent calls coalesce. */
  refresh(trigger: 'startup' | 'revision' = 'revision', known?: string): Promise<void> {
    if (known) this.known = known;
    if (this.fetching) {
      this.refetch = true;
      return this.fetching;
    }
    this.fetching = (async () => {
      do {
        this.refetch = false;
        const known = this.known;
        this.known = undefined;
        try {
          await this.fetchOnce(trigger, known);
        } catch (e) {
          // A revision that cannot be read must not stop the controller: keep the last good one.
          this.readError = toStatusError(e);
          this.options.log.error({ err: e }, 'cannot read the new revision; keeping the last good one');
        }
      } while (this.refetch);
    })().finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  private async fetchOnce(trigger: 'startup' | 'revision', known: string | undefined): Promise<void> {
    let revision: string;
    try {
      revision = known ?? (await this.options.source.fetch());
      this.lastFetchAt = new Date(this.now());
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      // Started while the remote is down: serve what the last fetch left in the cache, so what
      // runs is adopted and shown instead of an empty status until the remote is back.
      const cached = this.current ? undefined : await this.options.source.lastKnown?.().catch(() => undefined);
      if (!cached) {
        this.options.log.warn({ err: e.message }, 'config repo unreachable; keeping the last known good revision');
        return;
      }
      this.options.log.warn(
        { err: e.message, revision: cached },
        'config repo unreachable; starting from the revision fetched last',
      );
      revision = cached;
    }
    if (this.seen === revision && trigger !== 'startup' && !this.readError) return;
    this.seen = revision;
    const previous = this.current;
    if (previous && previous.revision !== revision && !(await this.fastForward(previous.revision, revision))) return;
    const rawFs = await this.options.source.tree(revision);
    this.readError = undefined;
    let fs: ReadonlyFs;
    let project: Project;
    try {
      fs = this.options.openTree ? await this.options.openTree(rawFs) : rawFs;
    } catch (e) {
      return this.refuse(revision, e, 'revision.invalid', (error) => error.message);
    }
    try {
      project = parseProject(new TextDecoder().decode(rawFs.readFile(PROJECT_FILE)), PROJECT_FILE);
    } catch (e) {
      return this.refuse(revision, e, 'project.invalid', () => 'sluice.yaml is invalid');
    }
    this.projectError = undefined;
    this.revisionError = undefined;
    const desired = new DesiredStates(fs, project);
    const scopes = desired.scopes;
    this.current = { revision, fs, tree: rawFs, project, scopes, desired };
    const changed = previous ? await this.options.source.changedPaths(previous.revision, revision) : undefined;
    const affectedScopes = changed ? await scopesChangedBy(previous!, this.current, changed) : undefined;
    const breather = new Breather();
    const before = new Set(previous?.scopes.map((s) => scopeKey(s.app.name, s.env.name)));
    await this.file(project, scopes);
    for (const ref of scopes) {
      await breather.breathe();
      const key = scopeKey(ref.app.name, ref.env.name);
      const entry = this.entries.get(key);
      if (!entry) continue;
      entry.ref = ref;
      entry.provider = this.providers.kindOf(project, ref.env.target);
      const isNew = !before.has(key);
      const affected = !affectedScopes || isNew || affectedScopes.has(key);
      // Rendered inputs changed: drift checks must not compare against the old desired state.
      if (affected) delete entry.desired;
      const files = changed?.filter((p) => affectsApp([p], ref.app.path)).slice(0, 3) ?? [];
      const reason =
        trigger === 'startup'
          ? `controller started at ${short(revision)}`
          : `new revision ${short(revision)}${files.length ? ` changed ${files.join(', ')}` : ''}`;
      this.dispatch(key, { type: 'revision', revision, affected, reason, trigger });
    }
    await this.prune(previous);
    await this.republish();
  }

  /**
   * A branch whose history was rewritten (a force push that dropped the revision in force) is
   * not followed: what it no longer has would be pruned. The last known good revision stays,
   * with an event and a source error, until the branch again contains it.
   */
  private async fastForward(from: string, to: string): Promise<boolean> {
    const contains = await this.options.source.contains?.(from, to);
    if (contains !== false) {
      this.rewritten = undefined;
      return true;
    }
    const message = `${this.options.source.branch} was rewritten: ${short(to)} does not contain ${short(from)}, the revision in force; Sluice keeps ${short(from)} and prunes nothing`;
    this.rewritten = {
      code: 'SOURCE_REWRITTEN',
      message,
      hint: `Push a commit that builds on ${short(from)} (or restore it) and Sluice follows again; restarting Sluice follows the rewritten branch as it is.`,
    };
    await this.options.store.addEvent({
      project: this.projectName,
      type: 'source.rewritten',
      severity: 'error',
      message,
    });
    return false;
  }

  /** Holds a whole revision's error once; every scope shows it until a newer revision fixes it. */
  private async refuse(
    revision: string,
    e: unknown,
    type: string,
    reason: (error: StatusError) => string,
  ): Promise<void> {
    const error = this.statusError(e);
    const held = { ...error, message: `${short(revision)}: ${error.message}` };
    if (type === 'project.invalid') this.projectError = held;
    this.revisionError = { error: held, revision, reason: reason(error) };
    await this.republish();
    await this.options.store.addEvent({ project: this.projectName, type, severity: 'error', message: held.message });
  }

  /** A revision-wide error shows on every scope: their views change all at once. */
  private async republish(): Promise<void> {
    // At 10,000 scopes one unbroken loop would hold every API request for a fifth of a second.
    const breather = new Breather();
    for (const [key, entry] of this.entries) {
      await breather.breathe();
      this.statusFeed.set(key, viewOf(entry, this.revisionError));
    }
  }

  /**
   * Files the scopes of a revision not filed yet, their states rebuilt from the history in the
   * store: one read for them all, however many (10,000 at a start).
   */
  private async file(project: Project, scopes: readonly ScopeRef[]): Promise<void> {
    const filed = scopes.filter((ref) => !this.entries.has(scopeKey(ref.app.name, ref.env.name)));
    // Every provider kind first: a target that cannot be named files none of them.
    const entries = filed.map((ref) => ({
      ref,
      provider: this.providers.kindOf(project, ref.env.target),
      state: initialState(),
    }));
    for (const entry of entries) this.entries.set(scopeKey(entry.ref.app.name, entry.ref.env.name), entry);
    try {
      await this.restore(project.name, filed);
    } catch (e) {
      // Without their history the scopes would show "never synced": take the revision again later.
      for (const ref of filed) {
        this.entries.delete(scopeKey(ref.app.name, ref.env.name));
        this.statusFeed.delete(scopeKey(ref.app.name, ref.env.name));
      }
      throw e;
    }
  }

  /** Rebuilds scopes' states from the store, so a restart shows what was true before it: one read for them all. */
  private async restore(project: string, refs: readonly ScopeRef[]): Promise<void> {
    if (!refs.length) return;
    const latest = await this.options.store.latestSyncs(
      project,
      refs.map((ref) => ({ app: ref.app.name, env: ref.env.name })),
    );
    const byKey = new Map(latest.map((l) => [scopeKey(l.lastSync.app, l.lastSync.env), l]));
    for (const ref of refs) {
      const key = scopeKey(ref.app.name, ref.env.name);
      const { lastSync, lastSucceeded } = byKey.get(key) ?? {};
      this.dispatch(key, {
        type: 'restored',
        ...(lastSync ? { lastSync } : {}),
        ...(lastSucceeded ? { lastSucceeded } : {}),
      });
    }
  }

  /** Removes scopes Git no longer declares: those the last revision had, and any a target still runs. */
  private async prune(previous: RevisionInForce | undefined): Promise<void> {
    const cur = this.current!;
    const removed = previous ? removedScopes(previous, cur) : [];
    for (const r of removed) {
      this.entries.delete(scopeKey(r.app, r.env));
      this.statusFeed.delete(scopeKey(r.app, r.env));
    }
    await pruneUndeclared({
      current: cur,
      previous,
      removed,
      provider: (project, target) => this.providers.get(project, target),
      declaredElsewhere: async (project, target, scope) => {
        const t = project.targets.get(target);
        return t ? cur.desired.declaredElsewhere(t, scope.app, scope.env) : undefined;
      },
      addEvent: (e) => this.options.store.addEvent(e),
      log: this.options.log,
    });
  }

  /** Runs one event through a scope's machine and carries out the effects it asks for. */
  private dispatch(key: string, event: ScopeEvent): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    // Another replica syncs the scope: only its history is kept here, for status. Or the lease
    // is held but not trusted this moment: the work waits for the next lease round.
    if (event.type !== 'restored' && !this.ownership.holds(key)) return this.owed.note(key, event);
    // Anything but what a pass found moves the scope on: the next pass looks again.
    if (event.type !== 'health' && event.type !== 'no-drift') delete entry.quiet;
    const rules = { autoSync: entry.ref.env.sync === 'auto', selfHeal: entry.ref.env.selfHeal };
    const { state, effects } = transition(entry.state, event, { now: this.now(), rules, random: this.random() });
    entry.state = state;
    this.statusFeed.set(key, viewOf(entry, this.revisionError));
    for (const effect of effects) this.carryOut(key, entry, effect);
  }

  private carryOut(key: string, entry: ScopeEntry, effect: Effect): void {
    switch (effect.type) {
      case 'sync':
        this.queue.add(key, {
          trigger: effect.trigger,
          reason: effect.reason,
          dryRun: false,
          force: false,
          waiters: [],
        });
        break;
      case 'retry-at':
        this.retries.at(key, effect.at);
        break;
      case 'cancel-retry':
        this.retries.cancel(key);
        break;
      case 'supersede':
        this.running.get(key)?.abort(effect.by);
        break;
      case 'event': {
        const project = this.projectName;
        void this.options.store
          .addEvent({
            project,
            app: entry.ref.app.name,
            env: entry.ref.env.name,
            type: effect.event,
            severity: effect.severity,
            message: effect.message,
          })
          .catch((e: unknown) => this.options.log.error({ err: e }, 'recording an event failed'));
        break;
      }
    }
  }

  /** Queues a sync and resolves with its record once it finished (undefined if nothing needed doing). */
  sync(app: string, env: string, options: { dryRun?: boolean; actor?: string } = {}): Promise<SyncRecord | undefined> {
    const ref = this.findScope(app, env);
    return new Promise((resolve, reject) => {
      this.queue.add(scopeKey(ref.app.name, ref.env.name), {
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
    const desired = await cur.desired.of(ref.app, ref.env);
    const plan = await provider.plan(
      this.scopeOf(cur.project, ref),
      desired.resources,
      await planOptions(cur.project, cur.desired, ref),
    );
    const entry = this.entries.get(scopeKey(app, env));
    if (entry) entry.plan = plan;
    return plan;
  }

  /** What runs in the scope now, as its target reports it; undefined when the target cannot tell. */
  async workloads(app: string, env: string): Promise<LiveWorkload[] | undefined> {
    const ref = this.findScope(app, env);
    const cur = this.current!;
    const provider = await this.providers.get(cur.project, ref.env.target);
    return provider.workloads ? provider.workloads(this.scopeOf(cur.project, ref)) : undefined;
  }

  status(): ProjectStatus {
    return { ...this.statusHeader(), apps: this.statusFeed.all() };
  }

  /**
   * The status of the scopes this replica reconciles. Of the others it knows what their holders
   * recorded up to its last lease round, which a decision (a promotion gate) must not rest on:
   * the store's newest sync says more.
   */
  liveStatus(): ProjectStatus {
    const full = this.status();
    if (!this.ownership.shared) return full;
    return { ...full, apps: full.apps.filter((a) => this.ownership.holds(scopeKey(a.app, a.env))) };
  }

  /** The project, its source and environments: status without the scopes, for streamed changes. */
  statusHeader(): Omit<ProjectStatus, 'apps'> {
    const cur = this.current;
    const health = this.options.source.health();
    const source: ProjectStatus['source'] = { url: this.options.source.url, branch: this.options.source.branch };
    if (cur) source.revision = cur.revision;
    if (this.lastFetchAt) source.lastFetchAt = this.lastFetchAt.toISOString();
    if (health.lastError) source.error = health.lastError;
    else if (this.readError) source.error = this.readError;
    else if (this.rewritten) source.error = this.rewritten;
    if (health.nextRetryAt) source.nextRetryAt = health.nextRetryAt;
    const out: Omit<ProjectStatus, 'apps'> = {
      project: cur?.project.name ?? 'unknown',
      source,
      environments: (cur?.project.environments ?? []).map((e) => ({
        name: e.name,
        target: e.target,
        provider: cur!.project.targets.get(e.target)!.provider,
        protected: e.protected,
      })),
    };
    if (this.projectError) out.projectError = this.projectError;
    return out;
  }

  async detail(app: string, env: string): Promise<AppEnvDetail> {
    const entry = this.entries.get(scopeKey(app, env));
    if (!entry) throw notFound(app, env, this.current);
    const syncs = await this.options.store.listSyncs({ project: this.projectName, app, env, limit: 20 });
    const status = viewOf(entry, this.revisionError);
    return entry.plan ? { status, plan: entry.plan, syncs } : { status, syncs };
  }

  /** Waits until no job is queued or running (tests, one-shot commands). */
  async idle(): Promise<void> {
    await this.leaseRounds?.settled();
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
    const entry = this.entries.get(key);
    const ref = cur?.scopes.find((s) => scopeKey(s.app.name, s.env.name) === key);
    if (!cur || !ref || !entry) {
      job.waiters.forEach((w) => w(undefined, new NotFoundError('SCOPE_GONE', `${key} is no longer deployed`)));
      return;
    }
    if (!this.ownership.holds(key)) {
      if (!job.dryRun)
        this.owed.note(key, {
          type: 'revision',
          revision: cur.revision,
          affected: true,
          reason: job.reason,
          trigger: 'revision',
        });
      // Only someone waiting (an API call) is told who holds it: listing every lease for each of
      // thousands of queued jobs a replica no longer holds kept its event loop busy for minutes.
      if (!job.waiters.length) return;
      const lease = (await this.options.store.leases.list(cur.project.name)).find(
        (l) => l.app === ref.app.name && l.env === ref.env.name,
      );
      job.waiters.forEach((w) =>
        w(
          undefined,
          new ConflictError(
            'SCOPE_NOT_HELD',
            `${key} is synced by ${lease?.holder ?? 'another replica'}, not by ${this.ownership.holder}`,
            {
              hint: 'Ask the replica that holds the scope, or try again: leases move when a replica stops.',
              retry: true,
            },
          ),
        ),
      );
      return;
    }
    if (job.trigger === 'manual' && !job.dryRun) this.dispatch(key, { type: 'manual-sync' });
    let provider: Provider;
    try {
      provider = await this.providers.get(cur.project, ref.env.target);
    } catch (e) {
      // No sync can start while the target is down; the scope says so and retries.
      const error = this.statusError(e);
      if (!job.dryRun)
        this.dispatch(key, { type: 'sync-finished', outcome: { kind: 'failed', error, transient: isTransient(e) } });
      job.waiters.forEach((w) => w(undefined, e));
      return;
    }
    const phase = entry.state.phase;
    const supersede = new AbortController();
    this.running.set(key, supersede);
    let record: SyncRecord | undefined;
    try {
      record = await runJob(
        {
          store: this.options.store,
          log: this.options.log,
          signal: this.stopping.signal,
          ...(this.options.mask ? { mask: this.options.mask } : {}),
          ...(this.options.onSyncFinished ? { onSyncFinished: this.options.onSyncFinished } : {}),
          ...(this.options.onVerificationFailed ? { onVerificationFailed: this.options.onVerificationFailed } : {}),
          ...(this.commitCheck ? { checkCommit: this.commitCheck } : {}),
          onEvent: async (e) =>
            void (await this.options.store.addEvent({
              project: e.scope.project,
              app: e.scope.app,
              env: e.scope.env,
              type: e.type,
              severity: e.severity,
              message: e.message,
              ...(e.syncId ? { syncId: e.syncId } : {}),
            })),
        },
        {
          project: cur.project,
          desired: cur.desired,
          revision: cur.revision,
          ref,
          provider,
          scope: this.scopeOf(cur.project, ref),
          ...(entry.state.syncedRevision ? { trustedRevision: entry.state.syncedRevision } : {}),
          ...(this.ownership.shared
            ? { lease: { fence: () => this.ownership.fence(key), confirm: () => this.ownership.confirm(key) } }
            : {}),
          recovering: phase === 'Failed' || phase === 'Stalled' || entry.state.lastSync?.result === 'Failed',
          supersede: supersede.signal,
          report: (event) => this.dispatch(key, event),
          onPlan: (plan, desired) => {
            entry.plan = plan;
            if (desired) entry.desired = desired;
          },
        },
        job,
      );
    } catch (e) {
      // The store or the runner itself failed (a locked database, a full disk): the scope must
      // not stay Syncing; a transient failure is retried like any other.
      if (!job.dryRun)
        this.dispatch(key, {
          type: 'sync-finished',
          outcome: { kind: 'failed', error: this.statusError(e), transient: isTransient(e) },
        });
      job.waiters.forEach((w) => w(undefined, e));
      throw e;
    } finally {
      this.running.delete(key);
    }
    job.waiters.forEach((w) => w(record));
  }

  private async onProviderEvent(e: ProviderEvent): Promise<void> {
    const severity = e.type === 'exited' || e.type === 'unhealthy' || e.type === 'drift' ? 'warning' : 'info';
    await this.options.store.addEvent({
      project: e.scope.project,
      app: e.scope.app,
      env: e.scope.env,
      type: `${e.type === 'drift' ? 'drift' : 'workload'}.${e.type}`,
      severity,
      message: e.message,
      time: e.time.toISOString(),
    });
    if (e.type === 'drift' || e.type === 'exited')
      await this.passes.driftOf(scopeKey(e.scope.app, e.scope.env), e.message);
  }
}

function notFound(app: string, env: string, cur: RevisionInForce | undefined): NotFoundError {
  const known = cur?.scopes.map((s) => `${s.app.name} --env ${s.env.name}`).join(', ') ?? 'none yet';
  return new NotFoundError('SCOPE_NOT_FOUND', `app "${app}" is not deployed to environment "${env}"`, {
    hint: `Known: ${known}.`,
  });
}

export type { Environment };
