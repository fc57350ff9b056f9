import type { EventRecord, LatestSyncs, SyncRecord } from './types.js';

/*
 * Rows as both stores return them (the same column names and encodings: times as ISO text,
 * JSON as text), and the records they become.
 */

export interface SyncRow {
  id: number;
  project: string;
  app: string;
  env: string;
  revision: string;
  trigger: SyncRecord['trigger'];
  reason: string;
  actor: string | null;
  /** 0/1 in SQLite, a boolean in PostgreSQL. */
  dry_run: number | boolean;
  result: SyncRecord['result'];
  plan: string | null;
  health: string | null;
  error: string | null;
  started_at: string;
  finished_at: string | null;
  timings: string;
  owner: string | null;
}

export interface EventRow {
  id: number;
  time: string;
  project: string;
  app: string | null;
  env: string | null;
  type: string;
  severity: EventRecord['severity'];
  message: string;
  sync_id: number | null;
  data: string | null;
}

export function rowToSync(r: SyncRow): SyncRecord {
  const rec: SyncRecord = {
    id: r.id,
    project: r.project,
    app: r.app,
    env: r.env,
    revision: r.revision,
    trigger: r.trigger,
    reason: r.reason,
    dryRun: r.dry_run === 1 || r.dry_run === true,
    result: r.result,
    startedAt: r.started_at,
    timings: JSON.parse(r.timings) as Record<string, number>,
  };
  if (r.actor !== null) rec.actor = r.actor;
  if (r.plan !== null) rec.plan = JSON.parse(r.plan) as SyncRecord['plan'];
  if (r.health !== null) rec.health = r.health;
  if (r.error !== null) rec.error = JSON.parse(r.error) as SyncRecord['error'];
  if (r.finished_at !== null) rec.finishedAt = r.finished_at;
  if (r.owner !== null && r.owner !== undefined) rec.owner = r.owner;
  return rec;
}

export function rowToEvent(r: EventRow): EventRecord {
  const rec: EventRecord = {
    id: r.id,
    time: r.time,
    project: r.project,
    type: r.type,
    severity: r.severity,
    message: r.message,
  };
  if (r.app !== null) rec.app = r.app;
  if (r.env !== null) rec.env = r.env;
  if (r.sync_id !== null) rec.syncId = r.sync_id;
  if (r.data !== null) rec.data = JSON.parse(r.data) as Record<string, unknown>;
  return rec;
}

/** Per scope, the newest of `syncs` and the newest of them that succeeded; duplicates are harmless. */
export function latestOf(syncs: readonly SyncRecord[]): LatestSyncs[] {
  const byScope = new Map<string, LatestSyncs>();
  for (const s of syncs) {
    const key = JSON.stringify([s.app, s.env]);
    const latest = byScope.get(key) ?? { lastSync: s };
    if (s.id > latest.lastSync.id) latest.lastSync = s;
    if (s.result === 'Succeeded' && (!latest.lastSucceeded || s.id > latest.lastSucceeded.id)) latest.lastSucceeded = s;
    byScope.set(key, latest);
  }
  return [...byScope.values()];
}
