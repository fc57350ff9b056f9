/**
 * How many app × environment scopes one controller should hold, and which to claim or give up,
 * when several controllers share a project. Pure: the lease keeper (scope-leases.ts) feeds it
 * what the store says and carries out what it decides.
 */
export interface ShareInput {
  /** This controller. */
  me: string;
  /** Every scope the project declares (keys). */
  scopes: readonly string[];
  /** The scopes this controller holds, oldest claim first. */
  held: readonly string[];
  /** Scopes another live controller holds under a lease that has not run out. */
  heldByOthers: ReadonlySet<string>;
  /** Controllers alive (heartbeats), this one included. */
  live: number;
}

export interface ShareDecision {
  /** ceil(scopes / live replicas). */
  share: number;
  /** The most this controller holds: its share plus a small slack. */
  limit: number;
  /** Scopes to try to claim, best first; claiming stops once `limit` is reached. */
  claim: string[];
  /** Scopes to give up so the others can take their share (newest claims first). */
  release: string[];
}

/**
 * A quarter of the share as slack: claims that race, and a replica count that changes by one,
 * do not make scopes move back and forth, while a replica never settles above 1.25× its share.
 */
export function limitFor(share: number): number {
  return share + Math.floor(share / 4);
}

export function decideShare(i: ShareInput): ShareDecision {
  const share = Math.ceil(i.scopes.length / Math.max(1, i.live));
  const limit = limitFor(share);
  const declared = new Set(i.scopes);
  const held = i.held.filter((k) => declared.has(k));
  const mine = new Set(held);
  const release = held.length > limit ? held.slice(limit).reverse() : [];
  const claim =
    held.length < limit
      ? i.scopes
          .filter((k) => !mine.has(k) && !i.heldByOthers.has(k))
          // Each replica prefers a different order, so replicas starting together rarely race
          // for the same scope.
          .sort((a, b) => preference(i.me, a) - preference(i.me, b) || (a < b ? -1 : a > b ? 1 : 0))
      : [];
  return { share, limit, claim, release };
}

/** A stable pseudo-random rank of `key` for `me` (FNV-1a). */
function preference(me: string, key: string): number {
  let h = 0x811c9dc5;
  for (const c of `${me}\u0000${key}`) {
    h ^= c.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
