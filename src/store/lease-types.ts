/**
 * Leases on app × environment scopes, for several controllers sharing one store: the holder of
 * a scope's lease is the one controller that syncs it. Each change of holder raises the lease's
 * token, and writes of a sync's result carry the token they were started under (a fence): a
 * controller that lost the lease while it worked finds its write refused.
 */
export interface LeaseScope {
  project: string;
  app: string;
  env: string;
}

export interface Lease extends LeaseScope {
  holder: string;
  /** The fencing token: raised each time the lease changes holder, never otherwise. */
  token: number;
  expiresAt: string;
}

/** What a fenced write proves: who holds the scope, under which token. */
export interface Fence {
  holder: string;
  token: number;
}

/** Lease persistence; part of every Store as `store.leases`. */
export interface LeaseStore {
  /**
   * Claims the scope for `holder` for `ttlMs`, or renews it when `holder` has it. Undefined when
   * another holder has it and it has not expired. A lease whose time is up may be claimed by
   * anyone; its token then rises.
   */
  claim(scope: LeaseScope, holder: string, ttlMs: number): Promise<Lease | undefined>;
  /**
   * Claims, in one round trip, every one of these scopes `claim` would grant `holder`, and
   * returns the leases granted; the rest (held by another, not run out) are left out.
   */
  claimAll(
    project: string,
    scopes: readonly { app: string; env: string }[],
    holder: string,
    ttlMs: number,
  ): Promise<Lease[]>;
  /**
   * Renews, in one round trip, the leases of these scopes that `holder` still has (run out or
   * not, as `claim` would), and returns them; a scope another holder took is left out. What a
   * controller holds is renewed in one statement, however many scopes it is.
   */
  renewAll(
    project: string,
    apps: readonly { app: string; env: string }[],
    holder: string,
    ttlMs: number,
  ): Promise<Lease[]>;
  /** Gives the scope up at once (on a clean stop), if `holder` has it. */
  release(scope: LeaseScope, holder: string): Promise<void>;
  list(project: string): Promise<Lease[]>;
}
