/**
 * How one lease period is spent among replicas sharing a store. The period is what the user is
 * promised: a replica that dies has its scopes synced by the others within it. So what is written
 * to the store (scope and leader leases, heartbeats) lasts the period less one renewal interval,
 * and that last interval is left for the survivors to claim and sync. The holder trusts a lease
 * one renewal interval less than the store keeps it, so it stops starting work before anyone else
 * may claim the scope, and one late renewal loses nothing.
 */
export interface LeaseTiming {
  /** The lease duration the user chose: a dead replica's scopes are synced elsewhere within it. */
  periodMs: number;
  /** How often leases and the heartbeat are renewed. */
  renewMs: number;
  /** How long the store keeps a lease or heartbeat that is not renewed. */
  ttlMs: number;
  /** How long after its last renewal the holder still treats a lease as its own. */
  trustMs: number;
}

/** Renewed every quarter of the period, kept three quarters, trusted for half. */
export function leaseTiming(periodMs: number): LeaseTiming {
  const renewMs = periodMs / 4;
  return { periodMs, renewMs, ttlMs: periodMs - renewMs, trustMs: periodMs - 2 * renewMs };
}
