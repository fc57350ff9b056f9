import type { Store, SyncRecord } from '../store/types.js';
import type { Leadership } from './leader.js';
import { OthersView } from './others-view.js';
import { periodic } from './periodic.js';
import type { OwnedScope, ScopeOwnership } from './scope-leases.js';

/** Scopes taken over at once in a lease round. */
const TAKE_OVER_BATCH = 16;

/** The revision in force as a lease round sees it; `current` is compared by identity. */
export interface InForce<C> {
  current: C;
  project: string;
  scopes: readonly OwnedScope[];
}

/** What the lease rounds ask of the controller they run for. */
export interface LeaseRoundsHost<C> {
  inForce(): InForce<C> | undefined;
  /** The lease on a scope went to another replica: the scope's work here stops. */
  lost(key: string, project: string): Promise<void>;
  /** This replica gained the lease on a scope while `current` was in force. */
  gained(key: string, current: C, project: string): Promise<void>;
  /** Leases were renewed with `current` still in force: work held back for scopes now `ready` may go. */
  renewed(current: C, ready: (key: string) => boolean): void;
  /** The newest sync other replicas recorded since the last round, by scope key. */
  othersRecorded(changes: Map<string, SyncRecord>): void;
}

export interface LeaseRoundsOptions<C> {
  ownership: ScopeOwnership;
  leadership: Leadership;
  store: Store;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  renewMs: number;
  now: () => number;
  host: LeaseRoundsHost<C>;
}

/**
 * A replica's lease rounds on a shared store: each renews what it holds, claims its share and
 * gives up the rest, then hands the controller what changed. Takeovers and the read of the
 * other replicas' syncs run beside the rounds, so thousands of scopes gained at once (a
 * replica starting, another dying) never hold the next renewal back until the leases run out.
 */
export class LeaseRounds<C> {
  private readonly takingOver = new Set<string>();
  private takeovers: Promise<void> = Promise.resolve();
  private othersView: OthersView | undefined;
  private readingOthers: Promise<void> | undefined;
  private loop: ReturnType<typeof periodic> | undefined;
  /** An extra round, at the moment another replica's lease runs out. */
  private wake: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly o: LeaseRoundsOptions<C>) {}

  /** Runs the first round and every one after it. */
  async start(): Promise<void> {
    this.loop = periodic(
      this.o.renewMs,
      () => this.round(),
      (e) => this.o.log.error({ err: e }, 'renewing leases failed'),
    );
    await this.loop.now();
  }

  /** Waits for the takeovers under way. */
  async settled(): Promise<void> {
    await this.takeovers;
  }

  /** Runs no more rounds and waits for the work beside them. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.loop?.stop();
    clearTimeout(this.wake);
    await this.takeovers;
    await this.readingOthers;
  }

  private async round(): Promise<void> {
    const view = this.o.host.inForce();
    if (!view || this.stopped) return;
    const { current, project } = view;
    const { gained, lost, expiresAt } = await this.o.ownership.renew(project, view.scopes);
    if (expiresAt !== undefined && !this.stopped) {
      clearTimeout(this.wake);
      // A round that started before the expiry would find nothing to claim: a fresh one.
      this.wake = setTimeout(() => this.loop?.fresh(), Math.max(0, expiresAt - this.o.now()) + 10);
      this.wake.unref?.();
    }
    await this.o.leadership.renew(project);
    for (const key of lost) await this.o.host.lost(key, project);
    if (gained.length) {
      for (const key of gained) this.takingOver.add(key);
      this.takeovers = this.takeovers
        .then(async () => {
          for (let i = 0; i < gained.length && !this.stopped; i += TAKE_OVER_BATCH)
            await Promise.all(
              gained.slice(i, i + TAKE_OVER_BATCH).map((key) => this.o.host.gained(key, current, project)),
            );
        })
        .catch((e: unknown) => this.o.log.error({ err: e }, 'taking scopes over failed'))
        .finally(() => gained.forEach((key) => this.takingOver.delete(key)));
    }
    if (this.o.host.inForce()?.current !== current) return;
    this.o.host.renewed(current, (key) => this.o.ownership.holds(key) && !this.takingOver.has(key));
    // Beside the rounds too: it reads the store's busy pool, which must not hold a renewal back.
    this.readingOthers ??= this.readOthers(project)
      .catch((e: unknown) => this.o.log.warn({ err: e }, "reading the other replicas' syncs failed"))
      .finally(() => (this.readingOthers = undefined));
  }

  private async readOthers(project: string): Promise<void> {
    this.othersView ??= new OthersView(this.o.store);
    this.o.host.othersRecorded(await this.othersView.changes(project, (k) => this.o.ownership.holds(k)));
  }
}
