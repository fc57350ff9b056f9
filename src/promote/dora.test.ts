import { describe, expect, it } from 'vitest';
import type { ArtifactRecord, ChangeRecord, VerificationRecord } from '../store/ledger-types.js';
import type { SyncRecord } from '../store/types.js';
import { doraMetrics } from './dora.js';
import { buildLedger } from './ledger.js';

const A: ArtifactRecord = {
  kind: 'image',
  name: 'web',
  ref: 'ghcr.io/acme/web',
  tag: '1',
  digest: `sha256:${'a'.repeat(64)}`,
};
const B: ArtifactRecord = { ...A, tag: '2', digest: `sha256:${'b'.repeat(64)}` };
const C: ArtifactRecord = { ...A, tag: '3', digest: `sha256:${'c'.repeat(64)}` };
const at = (hhmm: string) => `2026-05-01T${hhmm}:00.000Z`;

let id = 0;
const change = (
  env: string,
  rev: string,
  action: ChangeRecord['action'],
  committed: string,
  extra: Partial<ChangeRecord> = {},
): ChangeRecord => ({
  id: ++id,
  project: 'shop',
  app: 'web',
  env,
  revision: rev,
  action,
  subject: rev,
  author: 'ci',
  committedAt: at(committed),
  artifacts: [],
  recordedAt: at(committed),
  ...extra,
});
const sync = (
  sid: number,
  env: string,
  rev: string,
  started: string,
  finished: string,
  result: SyncRecord['result'] = 'Succeeded',
): SyncRecord => ({
  id: sid,
  project: 'shop',
  app: 'web',
  env,
  revision: rev,
  trigger: 'revision',
  reason: '',
  dryRun: false,
  result,
  startedAt: at(started),
  finishedAt: at(finished),
  timings: {},
});

/**
 * A hand-made day in prod (times UTC):
 *   c1 set-image B, source commit 09:00, committed 10:00, healthy 10:05         lead 65m
 *   c2 promote C (C first appeared in dev at 11:00), healthy 12:10, verification failed   lead 70m, failed
 *   c3 rollback of c2, healthy 12:20                                              restores c2 after 10m
 *   c4 plain commit 13:00, first sync failed, retry healthy 13:30                 lead 30m
 *   c5 set-image A, source commit 13:50, healthy 14:05                            lead 15m, failed (rolled back)
 *   c6 rollback of c5, healthy 15:02                                              restores c5 after 57m
 * Four deployments and two restorations (rollbacks are not deployments); two failed (c2, c5):
 * rate 2/4. Lead median (15, 30, 65, 70) = 47.5m, mean 45m.
 * Restore median = mean = (10 + 57) / 2 = 33.5m. A dry run and the failed sync deploy nothing.
 */
function fixture() {
  id = 0;
  const changes = [
    change('dev', 'd1', 'set-image', '11:00', { artifacts: [C] }),
    change('prod', 'c1', 'set-image', '10:00', { artifacts: [B], sourceTime: at('09:00') }),
    change('prod', 'c2', 'promote', '12:00', { artifacts: [C], fromEnv: 'staging' }),
    change('prod', 'c3', 'rollback', '12:15', { artifacts: [B], rollbackOf: 'c2' }),
    change('prod', 'c4', 'commit', '13:00'),
    change('prod', 'c5', 'set-image', '14:00', { artifacts: [A], sourceTime: at('13:50') }),
    change('prod', 'c6', 'rollback', '15:00', { artifacts: [B], rollbackOf: 'c5' }),
  ];
  const syncs = [
    sync(1, 'prod', 'c1', '10:01', '10:05'),
    sync(2, 'prod', 'c2', '12:01', '12:10'),
    sync(3, 'prod', 'c3', '12:16', '12:20'),
    sync(4, 'prod', 'c4', '13:01', '13:05', 'Failed'),
    sync(5, 'prod', 'c4', '13:20', '13:30'),
    { ...sync(6, 'prod', 'c4', '13:40', '13:41'), dryRun: true },
    sync(7, 'prod', 'c5', '14:01', '14:05'),
    sync(8, 'prod', 'c6', '15:01', '15:02'),
    sync(9, 'dev', 'd1', '11:01', '11:02'),
  ];
  const verifications: VerificationRecord[] = [
    {
      id: 1,
      syncId: 2,
      project: 'shop',
      app: 'web',
      env: 'prod',
      revision: 'c2',
      result: 'Failed',
      checks: [],
      startedAt: at('12:10'),
      finishedAt: at('12:11'),
    },
  ];
  return buildLedger({ changes, syncs, applied: [], verifications, promotions: [] });
}

const MIN = 60_000;

describe('DORA from the ledger', () => {
  it('matches the hand-computed day', () => {
    const r = doraMetrics(
      fixture(),
      { since: new Date(at('00:00')), until: new Date('2026-05-02T00:00:00.000Z') },
      'prod',
    );
    expect(r.deployments).toBe(4);
    expect(r.deploymentsPerDay).toBe(4);
    expect(r.restorations).toBe(2);
    expect(r.failedDeployments).toBe(2);
    expect(r.changeFailureRate).toBe(0.5);
    expect(r.leadTime).toEqual({ count: 4, medianMs: 47.5 * MIN, meanMs: 45 * MIN });
    expect(r.timeToRestore).toEqual({ count: 2, medianMs: 33.5 * MIN, meanMs: 33.5 * MIN, unrestored: 0 });
    expect(r.details.map((d) => [d.revision, d.failed, d.failure ?? null])).toEqual([
      ['c1', false, null],
      ['c2', true, 'verification'],
      ['c3', false, null],
      ['c4', false, null],
      ['c5', true, 'rollback'],
      ['c6', false, null],
    ]);
  });

  it('counts only deployments inside the window, and reports an open failure as unrestored', () => {
    const r = doraMetrics(fixture(), { since: new Date(at('12:00')), until: new Date(at('14:30')) }, 'prod');
    expect(r.details.map((d) => d.revision)).toEqual(['c2', 'c3', 'c4', 'c5']);
    expect(r.timeToRestore.count).toBe(2);
    const open = fixture().filter((e) => e.change.revision !== 'c6');
    expect(
      doraMetrics(open, { since: new Date(at('00:00')), until: new Date(at('23:00')) }, 'prod').timeToRestore
        .unrestored,
    ).toBe(1);
  });

  it('links syncs to changes and derives each status', () => {
    const byRev = new Map(fixture().map((e) => [e.change.revision, e]));
    expect(byRev.get('c4')!.syncs.map((s) => s.id)).toEqual([4, 5]);
    expect(byRev.get('c4')!.deployedAt).toBe(at('13:30'));
    expect(byRev.get('c2')!.status).toBe('rolled-back');
    expect(byRev.get('c2')!.rolledBackBy).toBe('c3');
    expect(byRev.get('c1')!.status).toBe('deployed');
  });
});

describe('DORA: the cases the definitions are for', () => {
  const day = { since: new Date(at('00:00')), until: new Date('2026-05-02T00:00:00.000Z') };
  const secs = (s: number) => `2026-05-01T12:00:${String(s).padStart(2, '0')}.000Z`;

  it('times a config-only change from its own config commit, not from when its artifact first appeared', () => {
    id = 0;
    // B was set in dev at 09:00 and promoted to prod at 10:00; at 12:00 a hand commit only
    // changed an environment variable in prod and was healthy 4 s later.
    const changes = [
      change('dev', 'd1', 'set-image', '09:00', { artifacts: [B] }),
      change('prod', 'p1', 'promote', '10:00', { artifacts: [B], fromEnv: 'dev' }),
      { ...change('prod', 'p2', 'commit', '12:00'), committedAt: secs(0) },
    ];
    const syncs = [
      sync(1, 'dev', 'd1', '09:01', '09:02'),
      sync(2, 'prod', 'p1', '10:01', '10:02'),
      { ...sync(3, 'prod', 'p2', '12:00', '12:00'), startedAt: secs(1), finishedAt: secs(4) },
    ];
    const applied = [
      { syncId: 1, artifacts: [B] },
      { syncId: 2, artifacts: [B] },
      { syncId: 3, artifacts: [B] },
    ];
    const entries = buildLedger({ changes, syncs, applied, verifications: [], promotions: [] });
    const r = doraMetrics(entries, day, 'prod');
    expect(r.details.map((d) => [d.revision, d.leadTimeMs, d.leadTimeFrom])).toEqual([
      ['p1', 62 * MIN, 'artifacts'],
      ['p2', 4_000, 'config'],
    ]);
  });

  it('counts rollbacks as restorations: every change failing and rolled back is a rate of 100%', () => {
    id = 0;
    const changes = [
      change('prod', 'c1', 'set-image', '10:00', { artifacts: [A] }),
      change('prod', 'c2', 'rollback', '10:30', { artifacts: [C], rollbackOf: 'c1' }),
      change('prod', 'c3', 'set-image', '11:00', { artifacts: [B] }),
      change('prod', 'c4', 'rollback', '11:30', { artifacts: [C], rollbackOf: 'c3' }),
    ];
    const syncs = [
      sync(1, 'prod', 'c1', '10:01', '10:05'),
      sync(2, 'prod', 'c2', '10:31', '10:35'),
      sync(3, 'prod', 'c3', '11:01', '11:05'),
      sync(4, 'prod', 'c4', '11:31', '11:35'),
    ];
    const r = doraMetrics(buildLedger({ changes, syncs, applied: [], verifications: [], promotions: [] }), day, 'prod');
    expect(r.deployments).toBe(2);
    expect(r.restorations).toBe(2);
    expect(r.failedDeployments).toBe(2);
    expect(r.changeFailureRate).toBe(1);
    expect(r.deploymentsPerDay).toBe(2);
    expect(r.timeToRestore).toEqual({ count: 2, medianMs: 30 * MIN, meanMs: 30 * MIN, unrestored: 0 });
  });

  it('does not count a change undone by a deliberate rollback as failed', () => {
    id = 0;
    const changes = [
      change('prod', 'c1', 'set-image', '10:00', { artifacts: [A] }),
      change('prod', 'c2', 'set-image', '11:00', { artifacts: [B] }),
      change('prod', 'c3', 'rollback', '11:30', {
        artifacts: [A],
        rollbackOf: 'c2',
        notAFailure: 'step back to re-run the migration',
      }),
    ];
    const syncs = [
      sync(1, 'prod', 'c1', '10:01', '10:05'),
      sync(2, 'prod', 'c2', '11:01', '11:05'),
      sync(3, 'prod', 'c3', '11:31', '11:35'),
    ];
    const r = doraMetrics(buildLedger({ changes, syncs, applied: [], verifications: [], promotions: [] }), day, 'prod');
    expect(r.deployments).toBe(2);
    expect(r.failedDeployments).toBe(0);
    expect(r.changeFailureRate).toBe(0);
    expect(r.timeToRestore).toEqual({ count: 0, medianMs: null, meanMs: null, unrestored: 0 });
    expect(r.details.find((d) => d.revision === 'c2')).toMatchObject({
      failed: false,
      notAFailure: 'step back to re-run the migration',
    });
  });
});

describe('DORA: a rollout that never turned healthy', () => {
  it('is a failed deployment from when its verification failed, restored by the rollback that undid it', () => {
    id = 0;
    // c2 reached prod at 12:01 but its rollout never turned healthy: the health wait failed
    // verification at 12:06 and rollback c3 was healthy at 12:09. c4 never applied at all.
    const changes = [
      change('prod', 'c1', 'set-image', '10:00', { artifacts: [A] }),
      change('prod', 'c2', 'set-image', '12:00', { artifacts: [B] }),
      change('prod', 'c3', 'rollback', '12:07', { artifacts: [A], rollbackOf: 'c2' }),
      change('prod', 'c4', 'commit', '13:00'),
    ];
    const syncs = [
      sync(1, 'prod', 'c1', '10:01', '10:05'),
      sync(2, 'prod', 'c2', '12:01', '12:06', 'Failed'),
      sync(3, 'prod', 'c3', '12:08', '12:09'),
      sync(4, 'prod', 'c4', '13:01', '13:01', 'Failed'),
    ];
    const verifications: VerificationRecord[] = [
      {
        id: 1,
        syncId: 2,
        project: 'shop',
        app: 'web',
        env: 'prod',
        revision: 'c2',
        result: 'Failed',
        checks: [{ name: 'health', url: '', passed: false, message: 'not healthy after 300s' }],
        startedAt: at('12:01'),
        finishedAt: at('12:06'),
      },
    ];
    const entries = buildLedger({ changes, syncs, applied: [], verifications, promotions: [] });
    const r = doraMetrics(
      entries,
      { since: new Date(at('00:00')), until: new Date('2026-05-02T00:00:00.000Z') },
      'prod',
    );
    expect(r.details.map((d) => [d.revision, d.deployedAt, d.failure ?? null, d.restoredAt ?? null])).toEqual([
      ['c1', at('10:05'), null, null],
      ['c2', at('12:06'), 'verification', at('12:09')],
      ['c3', at('12:09'), null, null],
    ]);
    expect(r).toMatchObject({ deployments: 2, failedDeployments: 1, restorations: 1, changeFailureRate: 0.5 });
    expect(r.timeToRestore).toEqual({ count: 1, medianMs: 3 * MIN, meanMs: 3 * MIN, unrestored: 0 });
  });
});
