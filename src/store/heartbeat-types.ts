/**
 * Heartbeats of the controllers sharing one store: each replica renews its row with its scope
 * leases, and the replicas whose row has not expired are the live ones a fair share counts.
 */
export interface HeartbeatStore {
  /** Records `instance` as alive in `project` for `ttlMs` from now. */
  beat(project: string, instance: string, ttlMs: number): Promise<void>;
  /** The instances whose heartbeat has not expired, sorted. */
  live(project: string): Promise<string[]>;
  /** Removes the heartbeat at once (on a clean stop), so the others count one replica fewer. */
  leave(project: string, instance: string): Promise<void>;
}
