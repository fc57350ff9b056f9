import type { FileChange } from '../source/index.js';
import type { ApprovalRecord, ArtifactRecord, PromotionRecord } from '../store/ledger-types.js';

/** What Sluice tells the outside world about (webhooks, chat); the notify part delivers them. */
export type NotificationType =
  | 'sync.failed'
  | 'drift.detected'
  | 'promotion.awaiting-approval'
  | 'promoted'
  | 'rolled-back'
  | 'promotion.rejected'
  | 'verification.failed'
  | 'change.unapproved'
  | 'digest.held';

export interface NotificationEvent {
  type: NotificationType;
  project: string;
  app?: string;
  env?: string;
  message: string;
  time: string;
  promotionId?: number;
  revision?: string;
  artifacts?: ArtifactRecord[];
  actor?: string;
  /** The sync the event is about (sync.failed, promoted, verification.failed). */
  syncId?: number;
  /** The verification the event is about (promoted, verification.failed, digest.held). */
  verificationId?: number;
  /** The environment the artifacts came from (promoted, promotion.awaiting-approval). */
  fromEnv?: string;
  /** Where the promotion request lives when it is hosted (a pull/merge request). */
  requestUrl?: string;
  /** Facts particular to the event type (failed checks, the rule broken, the reason of a hold). */
  details?: Record<string, unknown>;
  /** What started that sync: a new revision, drift, a retry… */
  trigger?: string;
  /** The typed error of a failed sync: code, message, hint and where (file, line, resource). */
  error?: { code: string; message: string; hint?: string; file?: string; line?: number; resource?: string };
}

/** Injected delivery; must not throw for a failed delivery (the notifier retries on its own). */
export type Notify = (event: NotificationEvent) => Promise<void> | void;

/** A review recorded where the request lives (a hosted pull/merge request, or nowhere else for local). */
export type ExternalReview = Omit<ApprovalRecord, 'id' | 'promotionId'>;

/**
 * Where a promotion request lives. `local` keeps it in the store only; a hosted backend
 * (GitHub pull request, GitLab merge request) mirrors it so reviews can happen there. Sluice
 * itself merges: once every gate passes it commits onto the followed branch and closes the
 * hosted request.
 */
export interface RequestBackend {
  readonly name: string;
  /** Publishes a new request; returns its id and URL where it lives, or undefined for local. */
  open(request: {
    promotion: PromotionRecord;
    title: string;
    body: string;
    changes: FileChange[];
    baseRevision: string;
  }): Promise<{ id: string; url?: string } | undefined>;
  /** Reviews given where the request lives, counted together with `sluice approve`. */
  reviews(promotion: PromotionRecord): Promise<ExternalReview[]>;
  /**
   * The commits the host reports the request merged as (its merge commit and its head), once
   * it says the request merged; empty while it is open or when it lives in Sluice.
   */
  mergedAs?(promotion: PromotionRecord): Promise<string[]>;
  /** The request ended: merged by Sluice (with the config commit), rejected or failed. */
  close(promotion: PromotionRecord, outcome: 'merged' | 'rejected' | 'failed', revision?: string): Promise<void>;
}

/** The default: requests live in Sluice's store and are reviewed with `sluice approve|reject`. */
export const localRequests: RequestBackend = {
  name: 'local',
  open: async () => undefined,
  reviews: async () => [],
  close: async () => undefined,
};
