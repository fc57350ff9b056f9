import type { Fence, LeaseStore } from '../store/lease-types.js';
import type { LeaseTiming } from './lease-timing.js';

/**
 * The leader lease: one row in the scope lease table under a scope no app can have (an empty
 * app and environment name), so it expires, changes holder and raises its token like any other.
 * Work that must run once per project (settling promotion requests, recording config commits
 * in the ledger) runs only on the controller that holds it.
 */
export const LEADER_SCOPE = { app: '', env: '' } as const;

export interface Leadership {
  /** Whether this controller runs the project's singleton work now. */
  isLeader(): boolean;
  /** The leader's fence while this controller leads. */
  fence(): Fence | undefined;
  /** Claims or renews the leader lease; returns whether this controller leads. */
  renew(project: string): Promise<boolean>;
  release(project: string): Promise<void>;
}

/** A controller alone on its store always leads. */
export const soleLeadership: Leadership = {
  isLeader: () => true,
  fence: () => undefined,
  renew: async () => true,
  release: async () => undefined,
};

export class LeaderLease implements Leadership {
  private token: number | undefined;
  private renewedAt = 0;
  /** What onChange was last told. */
  private told = false;
  private readonly now: () => number;

  constructor(
    private readonly o: {
      leases: LeaseStore;
      holder: string;
      timing: LeaseTiming;
      now?: () => number;
      /** Told when this controller starts or stops leading. */
      onChange?: (leader: boolean) => void;
    },
  ) {
    this.now = o.now ?? Date.now;
  }

  isLeader(): boolean {
    // Not renewed within the trust window: another may take over soon, stop now.
    return this.token !== undefined && this.now() < this.renewedAt + this.o.timing.trustMs;
  }

  fence(): Fence | undefined {
    return this.isLeader() ? { holder: this.o.holder, token: this.token! } : undefined;
  }

  async renew(project: string): Promise<boolean> {
    const started = this.now();
    const lease = await this.o.leases.claim({ project, ...LEADER_SCOPE }, this.o.holder, this.o.timing.ttlMs);
    this.token = lease?.token;
    if (lease) this.renewedAt = started;
    if (this.told !== !!lease) {
      this.told = !!lease;
      this.o.onChange?.(this.told);
    }
    return !!lease;
  }

  async release(project: string): Promise<void> {
    if (this.token === undefined) return;
    this.token = undefined;
    await this.o.leases.release({ project, ...LEADER_SCOPE }, this.o.holder);
  }
}
