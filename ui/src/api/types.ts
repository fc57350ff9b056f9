// The server's response shapes, shared with the Node code as types only so nothing from src/ is bundled.
export type {
  AppEnvDetail,
  AppEnvStatus,
  ProjectStatus,
  SourceStatus,
  StatusError,
  SyncStatus,
} from '../../../src/reconcile/status.ts';
export type { Change, ChangeAction, HealthStatus, Plan, PlanSummary, ResourceHealth } from '../../../src/plan/types.ts';
export type { EventRecord, SyncRecord, SyncResult, SyncTrigger } from '../../../src/store/types.ts';

import type { ProjectStatus } from '../../../src/reconcile/status.ts';

export type Environment = ProjectStatus['environments'][number];

// The deployment ledger, promotion requests and DORA metrics (docs/promotion.md, docs/dora.md).
export type {
  ApprovalRecord,
  ArtifactRecord,
  ChangeAction as LedgerAction,
  ChangeRecord,
  CheckResult,
  GateResult,
  PromotionRecord,
  PromotionState,
  VerificationRecord,
} from '../../../src/store/ledger-types.ts';
export type { EntryStatus, LedgerEntry, LedgerSync } from '../../../src/promote/ledger.ts';
export type { DoraReport, DurationStats } from '../../../src/promote/dora.ts';

import type { DoraReport } from '../../../src/promote/dora.ts';
import type { ApprovalRecord, PromotionRecord } from '../../../src/store/ledger-types.ts';

/** A request as the promotions API returns it: with every review given so far. */
export type Promotion = PromotionRecord & { approvals: ApprovalRecord[] };

/** One deployment a DORA report counted. */
export type DoraDeployment = DoraReport['details'][number];

// What runs where, holds and what the signed-in identity may do (docs/promotion.md).
export type { WhatRan } from '../../../src/promote/what-ran.ts';
export type { HoldRecord } from '../../../src/store/hold-types.ts';

/** The signed-in identity and the environments where it may act (`GET /api/v1/me`). */
export interface Me {
  identity: { subject: string; name: string; via: 'token' | 'oidc' | 'admin-token' };
  can: { sync: string[]; deploy: string[]; approve: string[]; admin: boolean; audit?: boolean };
}

/** One mutating API call. */
export interface AuditRecord {
  id: number;
  at: string;
  subject: string;
  actor: string;
  method: string;
  route: string;
  app?: string;
  env?: string;
  status: number;
}
