import { describe, expect, it } from 'vitest';
import type { SyncRecord } from '../store/types.js';
import { initialState, RETRY_MAX_MS, transition, type ScopeEvent, type ScopeState } from './scope-machine.js';

const ctx = { now: 1_000_000, rules: { autoSync: true, selfHeal: true }, random: 0.5 };

function record(over: Partial<SyncRecord> = {}): SyncRecord {
  return {
    id: 1,
    project: 'p',
    app: 'a',
    env: 'dev',
    revision: 'r1',
    trigger: 'revision',
    reason: 'x',
    dryRun: false,
    result: 'Succeeded',
    startedAt: '',
    timings: {},
    ...over,
  };
}

function run(events: ScopeEvent[], from: ScopeState = initialState()) {
  let state = from;
  const effects = [];
  for (const e of events) {
    const out = transition(state, e, ctx);
    state = out.state;
    effects.push(...out.effects);
  }
  return { state, effects };
}

const revision = (rev: string, affected = true): ScopeEvent => ({
  type: 'revision',
  revision: rev,
  affected,
  reason: `new revision ${rev}`,
  trigger: 'revision',
});
const failed = (transient: boolean): ScopeEvent => ({
  type: 'sync-finished',
  outcome: { kind: 'failed', record: record({ result: 'Failed' }), error: { code: 'E', message: 'boom' }, transient },
});

describe('scope machine', () => {
  it('does not mutate the state it is given', () => {
    const s = initialState();
    const frozen = Object.freeze({ ...s, resources: Object.freeze([]) as never });
    expect(() => transition(frozen, revision('r1'), ctx)).not.toThrow();
    expect(frozen.phase).toBe('Unknown');
  });

  it('a revision that does not touch a synced scope moves its revision without a sync', () => {
    const synced = run([{ type: 'sync-finished', outcome: { kind: 'in-sync', revision: 'r1' } }]).state;
    const { state, effects } = run([revision('r2', false)], synced);
    expect(state).toMatchObject({ phase: 'Synced', syncedRevision: 'r2', desiredRevision: 'r2' });
    expect(effects).toEqual([]);
  });

  it('a failed or stalled scope is synced again at any new revision, whatever it touched', () => {
    for (const transient of [true, false]) {
      const broken = run([revision('r1'), failed(transient)]).state;
      const { effects } = run([revision('r2', false)], broken);
      expect(effects).toContainEqual({ type: 'sync', trigger: 'revision', reason: 'new revision r2' });
    }
  });

  it('transient failures back off, capped at five minutes, and never give up', () => {
    let state = run([revision('r1')]).state;
    let last = 0;
    for (let i = 1; i <= 20; i++) {
      const out = transition(state, failed(true), ctx);
      state = out.state;
      const at = out.effects.find((e) => e.type === 'retry-at');
      expect(at).toBeDefined();
      last = (at as { at: number }).at - ctx.now;
      expect(last).toBeLessThanOrEqual(RETRY_MAX_MS);
      expect(transition(state, { type: 'retry-due' }, ctx).effects).toContainEqual(
        expect.objectContaining({ type: 'sync', trigger: 'retry' }),
      );
    }
    expect(state).toMatchObject({ phase: 'Failed', attempts: 20 });
    expect(last).toBeGreaterThan(RETRY_MAX_MS / 2 - 1);
  });

  it('a terminal failure stalls: no retry, and a retry timer that fires anyway does nothing', () => {
    const { state, effects } = run([revision('r1'), failed(false)]);
    expect(state.phase).toBe('Stalled');
    expect(effects.some((e) => e.type === 'retry-at')).toBe(false);
    expect(transition(state, { type: 'retry-due' }, ctx).effects).toEqual([]);
  });

  it('a newer revision supersedes an apply under way', () => {
    const { effects } = run([revision('r1'), { type: 'apply-started', revision: 'r1', reason: 'x' }, revision('r2')]);
    expect(effects).toContainEqual({ type: 'supersede', by: 'r2' });
  });

  it('health never changes while syncing, and a target that does not answer is Unknown with the reason', () => {
    const syncing = run([revision('r1'), { type: 'apply-started', revision: 'r1', reason: 'x' }]).state;
    expect(
      run([{ type: 'health', resources: [{ key: 'k', kind: 'Process', name: 'a', status: 'Healthy' }] }], syncing).state
        .health,
    ).toBe('Unknown');
    const s = run([{ type: 'health-unknown', reason: 'did not answer within 30s' }]).state;
    expect(s).toMatchObject({ health: 'Unknown', healthReason: 'did not answer within 30s' });
  });

  it('while syncing, the rollout the sync waits for is what health shows', () => {
    const syncing = run([revision('r1'), { type: 'apply-started', revision: 'r1', reason: 'x' }]).state;
    const rolling = run(
      [
        {
          type: 'rollout',
          resources: [
            { key: 'k', kind: 'Deployment', name: 'web', status: 'Progressing', message: '1 of 2 available' },
          ],
        },
      ],
      syncing,
    ).state;
    expect(rolling).toMatchObject({ phase: 'Syncing', health: 'Progressing' });
    expect(rolling.resources[0]?.message).toBe('1 of 2 available');
    // The periodic reader still does not interleave its own reading with the sync's.
    const read = run(
      [{ type: 'health', resources: [{ key: 'k', kind: 'Deployment', name: 'web', status: 'Healthy' }] }],
      rolling,
    );
    expect(read.state.health).toBe('Progressing');
    // Outside a sync the rollout report means nothing: the periodic reader owns health then.
    expect(
      run([{ type: 'rollout', resources: [{ key: 'k', kind: 'Deployment', name: 'web', status: 'Degraded' }] }]).state
        .health,
    ).toBe('Unknown');
  });

  it('is restored from the store: last sync, and the revision of the last success', () => {
    const { state } = run([
      {
        type: 'restored',
        lastSync: record({ id: 7, revision: 'r3', result: 'Failed', error: { code: 'E', message: 'boom' } }),
        lastSucceeded: record({ id: 5, revision: 'r2' }),
      },
    ]);
    expect(state).toMatchObject({
      phase: 'Failed',
      syncedRevision: 'r2',
      lastSync: { id: 7 },
      error: { message: 'boom' },
    });
  });

  it('drift heals where selfHeal is on, and is shown where it is off', () => {
    const synced = run([{ type: 'sync-finished', outcome: { kind: 'in-sync', revision: 'r1' } }]).state;
    const drift: ScopeEvent = { type: 'drift', causes: ['Process/a: exited'], summary: 'Process/a exited' };
    expect(run([drift], synced).effects).toContainEqual({
      type: 'sync',
      trigger: 'drift',
      reason: 'drift: Process/a exited',
    });
    const off = transition(synced, drift, { ...ctx, rules: { autoSync: true, selfHeal: false } });
    expect(off.state).toMatchObject({ phase: 'OutOfSync', reason: 'drift: Process/a exited' });
    expect(transition(off.state, { type: 'no-drift' }, ctx).state.phase).toBe('Synced');
  });
});
