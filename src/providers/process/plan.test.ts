import { describe, expect, it } from 'vitest';
import type { LiveProcessView } from './plan.js';
import { planProcesses } from './plan.js';
import { Sealer } from './sealing.js';
import { parseProcess } from './spec.js';
import { redactSpec, specHash } from './spec-hash.js';
import { processResource } from './test-support/harness.js';

const sealer = Sealer.fromKey(Buffer.alloc(32, 7));

function desired(name: string, spec: Record<string, unknown>) {
  const redacted = redactSpec(parseProcess(processResource(name, { command: 'node', ...spec })).spec, sealer);
  return { name, spec: redacted, specHash: specHash(redacted) };
}

function live(
  name: string,
  spec: Record<string, unknown>,
  indices: number[],
  extra: Partial<LiveProcessView> = {},
): LiveProcessView {
  const d = desired(name, spec);
  return {
    name,
    appliedReplicas: d.spec.replicas,
    restartPolicy: d.spec.restartPolicy,
    terminationGracePeriodSeconds: d.spec.terminationGracePeriodSeconds,
    replicas: indices.map((index) => ({ index, running: true, specHash: d.specHash, spec: d.spec, pid: 100 + index })),
    ...extra,
  };
}

const prune = { prune: true };

describe('planProcesses', () => {
  it('creates what does not run', () => {
    const plan = planProcesses([desired('hello', { replicas: 2 })], [], prune);
    expect(plan.changes[0]).toMatchObject({
      action: 'create',
      key: 'Process.sluice.dev/hello',
      reason: 'not running (2 replicas to start)',
    });
    expect(plan.summary.create).toBe(1);
  });

  it('leaves a matching process unchanged', () => {
    const spec = { replicas: 2, env: { GREETING: 'hi' } };
    const plan = planProcesses([desired('hello', spec)], [live('hello', spec, [0, 1])], prune);
    expect(plan.changes[0]!.action).toBe('unchanged');
  });

  it('changes a service address in place, and sees one that stopped listening', () => {
    const spec = { port: 8001, service: { port: 8000 } };
    const listening = { service: { port: 8000, address: '127.0.0.1' } };
    expect(
      planProcesses([desired('hello', spec)], [live('hello', spec, [0], listening)], prune).changes[0]!.action,
    ).toBe('unchanged');
    const moved = planProcesses(
      [desired('hello', { ...spec, service: { port: 7999 } })],
      [live('hello', spec, [0], listening)],
      prune,
    ).changes[0]!;
    expect(moved).toMatchObject({ action: 'update', reason: 'service 127.0.0.1:8000 → 127.0.0.1:7999' });
    const gone = planProcesses([desired('hello', spec)], [live('hello', spec, [0])], prune).changes[0]!;
    expect(gone).toMatchObject({ action: 'update', reason: 'service none → 127.0.0.1:8000' });
  });

  it('names a changed env var without its value', () => {
    const plan = planProcesses(
      [desired('hello', { env: { GREETING: 'secret-new' } })],
      [live('hello', { env: { GREETING: 'secret-old' } }, [0])],
      prune,
    );
    const c = plan.changes[0]!;
    expect(c).toMatchObject({ action: 'update', reason: 'env.GREETING changed' });
    expect(c.diff).toContain('spec.env.GREETING');
    expect(c.diff).not.toContain('secret');
  });

  it('reports a scale change', () => {
    const plan = planProcesses([desired('hello', { replicas: 3 })], [live('hello', { replicas: 2 }, [0, 1])], prune);
    expect(plan.changes[0]).toMatchObject({ action: 'update', reason: 'replicas 2 → 3' });
  });

  it('reports a replica that stopped running and an extra one', () => {
    const spec = { replicas: 2 };
    const l = live('hello', spec, [0, 1, 3]);
    l.replicas[1]!.running = false;
    const plan = planProcesses([desired('hello', spec)], [l], prune);
    expect(plan.changes[0]!.reason).toBe('replica hello-1 not running; extra replica hello-3');
  });

  it('reports several field changes', () => {
    const plan = planProcesses(
      [desired('hello', { args: ['b'], port: 9000, restartPolicy: 'Never' })],
      [live('hello', { args: ['a'], port: 8000 }, [0])],
      prune,
    );
    expect(plan.changes[0]!.reason).toBe('args changed; port 8000 → 9000; restartPolicy Always → Never');
  });

  it('deletes what Git no longer has only when pruning', () => {
    const lives = [live('old', {}, [0])];
    expect(planProcesses([], lives, prune).changes[0]).toMatchObject({
      action: 'delete',
      name: 'old',
      reason: 'not in Git any more',
    });
    expect(planProcesses([], lives, { prune: false }).changes).toHaveLength(0);
  });

  it('treats an applied process with no replicas as an update, not a create', () => {
    const plan = planProcesses([desired('hello', {})], [live('hello', {}, [])], prune);
    expect(plan.changes[0]).toMatchObject({ action: 'update', reason: 'replica hello-0 not running' });
  });
});
