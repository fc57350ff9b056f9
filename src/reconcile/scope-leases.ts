import { LeaseLostError } from '../store/errors.js';
import type { HeartbeatStore } from '../store/heartbeat-types.js';
import type { Fence, LeaseStore } from '../store/lease-types.js';
import { decideShare } from './lease-share.js';
import type { LeaseTiming } from './lease-timing.js';

/** One app × environment, by the key the controller files it under. */
export interface OwnedScope {
  key: string;
  app: string;
  env: string;
}

/** What changed in one renewal round. */
export interface OwnershipChange {
  gained: string[];
  lost: string[];
  /**
   * When the first lease another controller holds runs out, if that is before the next round
   * would look: a controller that died is taken over when its leases expire, not up to a
   * renewal interval later.
   */
  expiresAt?: number;
}

/** Which scopes this controller may sync, and the fence its writes for them carry. */
export interface ScopeOwnership {
  /** This controller's name in leases and sync records. */
  readonly holder: string;
  /** Whether leases are in play at all (several controllers may share the store). */
  readonly shared: boolean;
  holds(key: string): boolean;
  /** The fence of the scope's lease; undefined where no leases are used. */
  fence(key: string): Fence | undefined;
  /**
   * Renews the scope's lease right before an apply and returns its fence; LeaseLostError when
   * another controller has it now (or its token changed), so nothing is applied.
   */
  confirm(key: string): Promise<Fence | undefined>;
  /** Beats the heartbeat, renews what is held, claims this controller's share, gives up the rest. */
  renew(project: string, scopes: readonly OwnedScope[]): Promise<OwnershipChange>;
  /** How many scopes are held now. */
  count(): number;
  /** Gives every lease and the heartbeat up (a clean stop), so the others take over at once. */
  release(project: string): Promise<void>;
}

/** One controller alone on its store (SQLite): it holds every scope, and nothing is stored. */
export class SoleOwnership implements ScopeOwnership {
  readonly shared = false;
  private scopes = 0;
  constructor(readonly holder: string) {}
  holds(): boolean {
    return true;
  }
  fence(): undefined {
    return undefined;
  }
  async confirm(): Promise<undefined> {
    return undefined;
  }
  async renew(_project: string, scopes: readonly OwnedScope[]): Promise<OwnershipChange> {
    this.scopes = scopes.length;
    return { gained: [], lost: [] };
  }
  count(): number {
    return this.scopes;
  }
  async release(): Promise<void> {}
}

/** Claims in one round: the first, and again for what others took first. */
const MAX_CLAIMS_A_ROUND = 3;

/** Scopes claimed in one round at most; the rest wait for the next rounds. */
export const CLAIMS_PER_ROUND = 2000;

interface Held {
  scope: OwnedScope;
  token: number;
  /** This process's clock when the lease was last renewed. */
  renewedAt: number;
}

export interface ScopeLeasesOptions {
  store: { leases: LeaseStore; heartbeats: HeartbeatStore };
  holder: string;
  /** How long leases and the heartbeat last, how often they are renewed, how long they are trusted. */
  timing: LeaseTiming;
  now?: () => number;
}

/**
 * Scope leases of one controller among several on a shared store. Each renewal round beats
 * this controller's heartbeat, renews its leases, claims unheld or expired scopes up to its
 * fair share (ceil(scopes / live controllers) plus slack) and gives up what is above it.
 * A scope whose renewal has not succeeded within the trust window (`LeaseTiming`) is no
 * longer treated as held, so a controller cut off from the store stops applying before
 * another can take the scope.
 */
export class ScopeLeases implements ScopeOwnership {
  readonly shared = true;
  readonly holder: string;
  /** Held scopes, oldest claim first (Map keeps insertion order). */
  private readonly held = new Map<string, Held>();
  private project = '';
  private readonly now: () => number;

  constructor(private readonly o: ScopeLeasesOptions) {
    this.holder = o.holder;
    this.now = o.now ?? Date.now;
  }

  holds(key: string): boolean {
    const h = this.held.get(key);
    return !!h && this.now() < h.renewedAt + this.o.timing.trustMs;
  }

  fence(key: string): Fence | undefined {
    const h = this.held.get(key);
    return h ? { holder: this.holder, token: h.token } : undefined;
  }

  count(): number {
    return [...this.held.keys()].filter((k) => this.holds(k)).length;
  }

  async confirm(key: string): Promise<Fence> {
    const h = this.held.get(key);
    const lease = h
      ? await this.o.store.leases.claim(this.leaseScope(h.scope), this.holder, this.o.timing.ttlMs)
      : undefined;
    if (!h || !lease || lease.token !== h.token) {
      this.held.delete(key);
      throw new LeaseLostError(
        'LEASE_LOST',
        `${this.holder} no longer holds the lease on ${key}${lease ? ` (token ${h?.token} became ${lease.token})` : ''}: the sync stops before applying`,
        { hint: 'Another controller took the scope over and syncs it; nothing to do.' },
      );
    }
    h.renewedAt = this.now();
    return { holder: this.holder, token: h.token };
  }

  async renew(project: string, scopes: readonly OwnedScope[]): Promise<OwnershipChange> {
    this.project = project;
    const lost: string[] = [];
    const gained: string[] = [];
    const byKey = new Map(scopes.map((s) => [s.key, s]));
    const started = this.now();
    const { leases, heartbeats } = this.o.store;
    await heartbeats.beat(project, this.holder, this.o.timing.ttlMs);
    const live = new Set(await heartbeats.live(project));
    live.add(this.holder);
    const listed = await leases.list(project);

    // Scopes the project no longer declares are given up; the rest renewed, in one round trip.
    for (const [key, h] of [...this.held]) {
      if (byKey.has(key)) continue;
      this.held.delete(key);
      await leases.release(this.leaseScope(h.scope), this.holder);
    }
    const renewed = await leases.renewAll(
      project,
      [...this.held.values()].map((h) => h.scope),
      this.holder,
      this.o.timing.ttlMs,
    );
    const tokens = new Map(renewed.map((l) => [`${l.app}\u0000${l.env}`, l.token]));
    for (const [key, h] of [...this.held]) {
      if (tokens.get(`${h.scope.app}\u0000${h.scope.env}`) !== h.token) {
        this.held.delete(key);
        lost.push(key);
      } else h.renewedAt = started;
    }

    const heldByOthers = new Set<string>();
    const keys = new Map(scopes.map((s) => [`${s.app}\u0000${s.env}`, s.key]));
    let expiresAt: number | undefined;
    /** Scopes last held by a controller that is gone (its heartbeat ran out). */
    const orphans = new Set<string>();
    for (const l of listed) {
      const key = keys.get(`${l.app}\u0000${l.env}`);
      if (!key) continue;
      const expiry = Date.parse(l.expiresAt);
      if (l.holder !== this.holder && expiry > started) expiresAt = Math.min(expiresAt ?? expiry, expiry);
      // A lease of a controller whose heartbeat ran out is claimable as soon as it expires.
      if (l.holder !== this.holder && live.has(l.holder) && expiry > started) heldByOthers.add(key);
      if (l.holder !== this.holder && !live.has(l.holder)) orphans.add(key);
      // Ours from before a restart under the same name: renewing keeps its token.
      if (l.holder === this.holder && !this.held.has(key)) heldByOthers.delete(key);
    }
    const decision = decideShare({
      me: this.holder,
      scopes: scopes.map((s) => s.key),
      held: [...this.held.keys()],
      heldByOthers,
      live: live.size,
    });
    for (const key of decision.release) {
      const h = this.held.get(key)!;
      this.held.delete(key);
      lost.push(key);
      await leases.release(this.leaseScope(h.scope), this.holder);
    }
    // In one round trip, and bounded, so the first replica up leaves the others free scopes
    // to join for. A dead replica's scopes are not bounded so: its leases ran out and nobody
    // else syncs them, so they are all claimed as soon as they expire.
    let room = Math.max(0, decision.limit - this.held.size);
    const orphaned = decision.claim.filter((key) => orphans.has(key));
    const free = decision.claim.filter((key) => !orphans.has(key)).slice(0, CLAIMS_PER_ROUND);
    let candidates = [...orphaned, ...free];
    // Survivors claim a dead replica's scopes at the same moment, each in its own order: what
    // one loses to another is made up from the next candidates in the same round, not the next
    // round, or a takeover would last a renewal interval longer than the lease.
    for (let attempt = 0; attempt < MAX_CLAIMS_A_ROUND && room > 0 && candidates.length > 0; attempt++) {
      const wanted = candidates.slice(0, room);
      candidates = candidates.slice(room);
      const granted = await leases.claimAll(
        project,
        wanted.map((key) => byKey.get(key)!),
        this.holder,
        this.o.timing.ttlMs,
      );
      for (const lease of granted) {
        const key = keys.get(`${lease.app}\u0000${lease.env}`)!;
        this.held.set(key, { scope: byKey.get(key)!, token: lease.token, renewedAt: started });
        gained.push(key);
      }
      room -= granted.length;
      if (granted.length === wanted.length) break;
    }
    const soon = expiresAt !== undefined && expiresAt < this.now() + this.o.timing.renewMs;
    return { gained, lost, ...(soon ? { expiresAt } : {}) };
  }

  async release(project: string): Promise<void> {
    const { leases, heartbeats } = this.o.store;
    for (const h of this.held.values()) await leases.release(this.leaseScope(h.scope), this.holder);
    this.held.clear();
    await heartbeats.leave(project || this.project, this.holder);
  }

  private leaseScope(s: OwnedScope) {
    return { project: this.project, app: s.app, env: s.env };
  }
}
