import type {
  ApprovalRecord,
  ArtifactRecord,
  ChangeRecord,
  PromotionRecord,
  VerificationRecord,
} from '../store/ledger-types.js';
import type { HoldRecord } from '../store/hold-types.js';
import type { SyncRecord } from '../store/types.js';

/** One sync of a change, with what it applied. */
export interface LedgerSync {
  id: number;
  revision: string;
  trigger: string;
  result: string;
  health?: string;
  startedAt: string;
  finishedAt?: string;
  error?: string;
  artifacts?: ArtifactRecord[];
}

export type EntryStatus = 'pending' | 'deployed' | 'failed' | 'rolled-back' | 'superseded';

/**
 * One linked record per change: source commit → artifacts → promotion request → approvals →
 * config commit → syncs → health and verification → rollback.
 */
export interface LedgerEntry {
  change: ChangeRecord;
  promotion?: PromotionRecord & { approvals: ApprovalRecord[] };
  syncs: LedgerSync[];
  verifications: VerificationRecord[];
  /** When the first successful sync of the change finished: the change was live and healthy. */
  deployedAt?: string;
  /** The rollback change that undid this one. */
  rolledBackBy?: string;
  /** The sync of this change failed verification. */
  verificationFailed: boolean;
  /** Digests held in the environment because this change's verification failed (lifted ones too). */
  holds?: HoldRecord[];
  status: EntryStatus;
}

export interface LedgerInput {
  changes: readonly ChangeRecord[];
  syncs: readonly SyncRecord[];
  applied: readonly { syncId: number; artifacts: ArtifactRecord[] }[];
  verifications: readonly VerificationRecord[];
  promotions: readonly (PromotionRecord & { approvals: ApprovalRecord[] })[];
  holds?: readonly HoldRecord[];
}

const time = (iso: string | undefined) => (iso ? Date.parse(iso) : NaN);

/**
 * Links records into entries, oldest first, per app × environment. A sync belongs to the change
 * with its exact revision, else to the newest change committed before it started (a sync of a
 * later revision that did not touch this overlay still applies this change).
 */
export function buildLedger(input: LedgerInput): LedgerEntry[] {
  const applied = new Map(input.applied.map((a) => [a.syncId, a.artifacts]));
  const promotions = new Map(input.promotions.map((p) => [p.id, p]));
  const byScope = new Map<string, ChangeRecord[]>();
  for (const c of input.changes) {
    const key = `${c.app}@${c.env}`;
    byScope.set(key, [...(byScope.get(key) ?? []), c]);
  }
  const entries = new Map<ChangeRecord, LedgerEntry>();
  for (const list of byScope.values()) {
    list.sort((a, b) => time(a.committedAt) - time(b.committedAt) || a.id - b.id);
    for (const c of list) {
      const p = c.promotionId !== undefined ? promotions.get(c.promotionId) : undefined;
      entries.set(c, {
        change: c,
        ...(p ? { promotion: p } : {}),
        syncs: [],
        verifications: [],
        verificationFailed: false,
        status: 'pending',
      });
    }
  }
  const owner = (s: { app: string; env: string; revision: string; startedAt: string }): LedgerEntry | undefined => {
    const list = byScope.get(`${s.app}@${s.env}`);
    if (!list) return undefined;
    const exact = list.find((c) => c.revision === s.revision);
    if (exact) return entries.get(exact);
    let best: ChangeRecord | undefined;
    for (const c of list) if (time(c.committedAt) <= time(s.startedAt)) best = c;
    return best && entries.get(best);
  };
  const syncOwner = new Map<number, LedgerEntry>();
  for (const s of [...input.syncs].sort((a, b) => a.id - b.id)) {
    if (s.dryRun) continue;
    const e = owner(s);
    if (!e) continue;
    syncOwner.set(s.id, e);
    const artifacts = applied.get(s.id);
    e.syncs.push({
      id: s.id,
      revision: s.revision,
      trigger: s.trigger,
      result: s.result,
      startedAt: s.startedAt,
      ...(s.health ? { health: s.health } : {}),
      ...(s.finishedAt ? { finishedAt: s.finishedAt } : {}),
      ...(s.error ? { error: s.error.message } : {}),
      ...(artifacts ? { artifacts } : {}),
    });
    if (!e.deployedAt && s.result === 'Succeeded' && s.finishedAt) e.deployedAt = s.finishedAt;
  }
  for (const v of input.verifications) {
    const e = syncOwner.get(v.syncId);
    if (!e) continue;
    e.verifications.push(v);
    if (v.result === 'Failed') e.verificationFailed = true;
    const held = (input.holds ?? []).filter((h) => h.verificationId === v.id);
    if (held.length) e.holds = [...(e.holds ?? []), ...held];
  }
  const all = [...entries.values()];
  for (const e of all) {
    if (e.change.action !== 'rollback' || !e.change.rollbackOf) continue;
    const undone = all.find(
      (x) =>
        x.change.revision === e.change.rollbackOf && x.change.app === e.change.app && x.change.env === e.change.env,
    );
    if (undone) undone.rolledBackBy = e.change.revision;
  }
  for (const list of byScope.values()) {
    list.forEach((c, i) => {
      const e = entries.get(c)!;
      const later = list.slice(i + 1).some((n) => entries.get(n)!.deployedAt);
      const syncFailed = e.syncs.some((s) => s.result === 'Failed');
      e.status = e.rolledBackBy
        ? 'rolled-back'
        : e.verificationFailed
          ? 'failed'
          : e.deployedAt
            ? 'deployed'
            : syncFailed && !later
              ? 'failed'
              : later
                ? 'superseded'
                : 'pending';
    });
  }
  return [...byScope.values()]
    .flat()
    .map((c) => entries.get(c)!)
    .sort((a, b) => time(a.change.committedAt) - time(b.change.committedAt) || a.change.id - b.change.id);
}
