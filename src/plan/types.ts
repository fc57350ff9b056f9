import type { Resource } from '../model/resource.js';

/** What a sync will do to one resource. */
export type ChangeAction = 'create' | 'update' | 'delete' | 'unchanged';

export interface Change {
  action: ChangeAction;
  /** resourceKey() of the resource. */
  key: string;
  kind: string;
  name: string;
  namespace?: string;
  /** Why, in a few words: "spec.env changed", "not in Git any more", "replica 2 not running". */
  reason?: string;
  /** Unified diff of live → desired (secret values masked). Absent for unchanged. */
  diff?: string;
}

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  unchanged: number;
}

/** Desired vs live for one app × environment at one revision. */
export interface Plan {
  changes: Change[];
  summary: PlanSummary;
}

export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Missing' | 'Suspended' | 'Unknown';

export interface ResourceHealth {
  key: string;
  kind: string;
  name: string;
  status: HealthStatus;
  message?: string;
}

/** A resource as a provider sees it live, in the same shape as desired so the two can be compared. */
export interface LiveResource {
  key: string;
  object: Resource;
}

export function summarize(changes: readonly Change[]): PlanSummary {
  const s: PlanSummary = { create: 0, update: 0, delete: 0, unchanged: 0 };
  for (const c of changes) s[c.action]++;
  return s;
}

/** The worst health of a set: Degraded > Missing > Progressing > Unknown > Suspended > Healthy. */
export function aggregateHealth(items: readonly Pick<ResourceHealth, 'status'>[]): HealthStatus {
  const rank: HealthStatus[] = ['Degraded', 'Missing', 'Progressing', 'Unknown', 'Suspended', 'Healthy'];
  let worst = rank.length - 1;
  for (const it of items) worst = Math.min(worst, rank.indexOf(it.status));
  return rank[worst]!;
}

export function isChanging(plan: Plan): boolean {
  return plan.summary.create + plan.summary.update + plan.summary.delete > 0;
}

/** One running unit of a scope as the target reports it: a container, a replica, a pod. */
export interface LiveWorkload {
  name: string;
  /** The service (Compose), process or workload it belongs to. */
  service: string;
  /** As the target says it: running, exited, restarting, created, paused… */
  state: string;
  /** Where the target runs a health check of its own. */
  health?: 'starting' | 'healthy' | 'unhealthy';
  /** Host ports people reach it on, and the port inside each answers on. */
  ports: { published: number; target: number; protocol: string }[];
  /** What it runs, as configured: an image reference, or an artifact. */
  image: string;
  /** The image or artifact by content (`sha256:…`), where the target tells. */
  digest?: string;
  /** Restarts the target made of it, where it counts them. */
  restarts?: number;
}
