/**
 * Holds: a digest whose verification failed in an environment is held there, so set-image and
 * promote refuse to bring it back until someone lifts the hold.
 */
export interface HoldRecord {
  id: number;
  project: string;
  env: string;
  /** `sha256:<hex>`: what is held, whichever app runs it. */
  digest: string;
  /** The app whose verification failed with it. */
  app: string;
  /** The artifact as that app named it, for people: `name`, `ref`, `tag`. */
  artifact: { name: string; ref: string; tag?: string };
  reason: string;
  heldAt: string;
  heldBy: string;
  /** The verification and sync that failed. */
  verificationId?: number;
  syncId?: number;
  revision?: string;
  liftedAt?: string;
  liftedBy?: string;
  liftReason?: string;
}

export type NewHold = Omit<HoldRecord, 'id' | 'liftedAt' | 'liftedBy' | 'liftReason'>;

export interface HoldQuery {
  project?: string;
  env?: string;
  app?: string;
  digest?: string;
  /** Only holds not lifted (the default), or every hold ever placed. */
  active?: boolean;
}

/** Hold persistence; part of every Store as `store.holds`. */
export interface HoldStore {
  /** Idempotent per project × env × digest while held: placing it again returns the hold in force. */
  placeHold(h: NewHold): Promise<HoldRecord>;
  /** Newest first. */
  listHolds(query?: HoldQuery): Promise<HoldRecord[]>;
  /** Lifts the hold in force; undefined when the digest is not held there. */
  liftHold(lift: {
    project: string;
    env: string;
    digest: string;
    by: string;
    reason: string;
    at: string;
  }): Promise<HoldRecord | undefined>;
}
