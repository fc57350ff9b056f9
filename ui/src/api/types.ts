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
