/**
 * The deployment ledger: one linked record per change to an environment. A change is a config
 * commit (set-image, promotion, rollback, or a plain commit) carrying artifacts; promotion
 * requests and their approvals lead to it, syncs apply it, verifications judge it.
 */

/** An immutable thing an app runs: an image by digest, or a file by sha256. */
export interface ArtifactRecord {
  kind: 'image' | 'file';
  /**
   * What the overlay calls it: the image name for Kustomize `images:` (repository without tag),
   * the service for Compose, the Process name for Process artifacts.
   */
  name: string;
  /** Image reference without tag and digest, or the file path / file:// URL. */
  ref: string;
  /** `sha256:<hex>`. */
  digest?: string;
  /** Image tag, or the version label of a file artifact. */
  tag?: string;
  /** `Kind/name` of the resource that runs it, when known (recorded at sync time). */
  resource?: string;
}

export type ChangeAction = 'set-image' | 'promote' | 'rollback' | 'commit';

/** A config commit that changed one app's overlay in one environment. */
export interface ChangeRecord {
  id: number;
  project: string;
  app: string;
  env: string;
  /** The config commit. */
  revision: string;
  action: ChangeAction;
  subject: string;
  /** Who asked for it (the request author or the commit author). */
  author: string;
  /** Config commit time. */
  committedAt: string;
  artifacts: ArtifactRecord[];
  /** Commit in the app's source repository the artifacts were built from. */
  sourceCommit?: string;
  /** When that source commit was made; the start of lead time. */
  sourceTime?: string;
  ciRun?: string;
  promotionId?: number;
  fromEnv?: string;
  /** For rollbacks: the config commit whose effect was undone. */
  rollbackOf?: string;
  /**
   * For rollbacks: why the change undone was not a failure (a deliberate step back, say to
   * retry a migration); DORA then does not count it as failed.
   */
  notAFailure?: string;
  /** Set when the change bypassed the environment's rules (e.g. a direct commit to a protected overlay). */
  flagged?: string;
  /**
   * The gates a change Sluice committed directly passed (metric gates with their query and
   * value). A change merged from a request keeps them on the request; a commit made elsewhere has none.
   */
  gates?: GateResult[];
  recordedAt: string;
}

export type NewChange = Omit<ChangeRecord, 'id' | 'recordedAt'>;

export type PromotionKind = 'set-image' | 'promote' | 'rollback';
export type PromotionState = 'open' | 'merged' | 'rejected' | 'failed';

/** One gate's verdict at the last evaluation. */
export interface GateResult {
  gate: 'source-healthy' | 'soak' | 'policy' | 'approvals' | 'manual' | 'render' | 'held' | 'metric';
  passed: boolean;
  message: string;
  /** A metric gate's name in sluice.yaml, its query as sent and the value it was judged by. */
  name?: string;
  query?: string;
  value?: number;
}

/** A proposed change to a protected (or approval-gated) environment, merged by Sluice once every gate passes. */
export interface PromotionRecord {
  id: number;
  project: string;
  app: string;
  kind: PromotionKind;
  fromEnv?: string;
  env: string;
  state: PromotionState;
  artifacts: ArtifactRecord[];
  author: string;
  createdAt: string;
  updatedAt: string;
  /** Branch tip the request was computed from. */
  baseRevision: string;
  /**
   * The merged config commit. While the request is open, the commit a controller is about to
   * push as its merge: a controller killed before recording the merge leaves it here, so the
   * one that settles the request next knows the commit on the branch for its own.
   */
  revision?: string;
  sourceCommit?: string;
  sourceTime?: string;
  ciRun?: string;
  /** Where the request lives when a hosted backend (pull/merge request) holds it. */
  external?: { backend: string; id: string; url?: string };
  gates: GateResult[];
  /** Why it failed or was rejected, in words. */
  message?: string;
}

export type NewPromotion = Omit<PromotionRecord, 'id' | 'updatedAt' | 'state' | 'gates'> & {
  state?: PromotionState;
  gates?: GateResult[];
};

export interface ApprovalRecord {
  id: number;
  promotionId: number;
  actor: string;
  decision: 'approve' | 'reject';
  comment?: string;
  at: string;
}

/** What one sync applied. */
export interface AppliedRecord {
  syncId: number;
  project: string;
  app: string;
  env: string;
  revision: string;
  artifacts: ArtifactRecord[];
}

export interface CheckResult {
  name: string;
  /** What was asked: the checked URL, or the Prometheus of a metric check. */
  url: string;
  passed: boolean;
  message: string;
  /** A metric check's query as sent and the value it was judged by. */
  query?: string;
  value?: number;
}

export interface VerificationRecord {
  id: number;
  syncId: number;
  project: string;
  app: string;
  env: string;
  revision: string;
  result: 'Passed' | 'Failed';
  checks: CheckResult[];
  startedAt: string;
  finishedAt: string;
  /** The rollback commit written because of this failure. */
  rollbackRevision?: string;
}

export type NewVerification = Omit<VerificationRecord, 'id'>;

export interface LedgerQuery {
  project?: string;
  app?: string;
  env?: string;
  limit?: number;
}

export interface PromotionQuery extends LedgerQuery {
  state?: PromotionState;
}

/** Ledger persistence; part of every Store as `store.ledger`. */
export interface LedgerStore {
  /** Idempotent per project × app × env × revision: recording a change twice returns the first record. */
  recordChange(change: NewChange): Promise<ChangeRecord>;
  /** Oldest first. */
  listChanges(query?: LedgerQuery): Promise<ChangeRecord[]>;
  isObserved(project: string, revision: string): Promise<boolean>;
  markObserved(project: string, revision: string): Promise<void>;
  createPromotion(p: NewPromotion): Promise<PromotionRecord>;
  getPromotion(id: number): Promise<PromotionRecord | undefined>;
  /**
   * With `expected`, the update happens only if the request is still in that state; otherwise
   * it throws StoreConflictError (another controller moved it first) and changes nothing.
   */
  updatePromotion(
    id: number,
    patch: Partial<Pick<PromotionRecord, 'state' | 'revision' | 'gates' | 'message' | 'external'>>,
    expected?: { state: PromotionState },
  ): Promise<PromotionRecord>;
  /** Newest first. */
  listPromotions(query?: PromotionQuery): Promise<PromotionRecord[]>;
  addApproval(a: Omit<ApprovalRecord, 'id'>): Promise<ApprovalRecord>;
  listApprovals(promotionId: number): Promise<ApprovalRecord[]>;
  recordApplied(a: AppliedRecord): Promise<void>;
  /** Oldest first. */
  listApplied(query?: LedgerQuery): Promise<AppliedRecord[]>;
  recordVerification(v: NewVerification): Promise<VerificationRecord>;
  setRollbackRevision(verificationId: number, revision: string): Promise<void>;
  /** Oldest first. */
  listVerifications(query?: LedgerQuery): Promise<VerificationRecord[]>;
}
