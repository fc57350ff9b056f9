import { afterEach, describe, expect, inject, it } from 'vitest';
import type { ProviderEvent } from '../../../src/providers/types.js';
import { eventually } from '../../support/sluice.js';
import { applyOptions, docker, harness, IMAGE, service } from './helpers.js';

const skip = inject('dockerSkip');

describe.skipIf(!!skip)('docker provider: drift from the Engine event stream', () => {
  let h: ReturnType<typeof harness>;
  afterEach(async () => h?.cleanup());

  async function started() {
    h = harness();
    const events: ProviderEvent[] = [];
    await h.provider.start();
    h.provider.onEvent((e) => events.push(e));
    const desired = [service('web', { restart: 'no' })];
    await h.provider.apply(h.scope, desired, applyOptions());
    return { events, desired, name: `${h.project}-web-1` };
  }

  const driftNaming = (events: ProviderEvent[], text: string) =>
    eventually(
      () => events.find((e) => e.type === 'drift' && e.message.includes(text)),
      30_000,
      `a drift event naming ${text}`,
    );

  it('names a container stopped by hand, plans to start it, and heals it', async () => {
    const { events, desired, name } = await started();
    // Sluice's own changes are not drift.
    expect(events).toEqual([]);
    docker('kill', name);
    const e = await driftNaming(events, name);
    expect(e.message).toMatch(/stopped outside Sluice \(exit code 137\)/);
    expect(e.scope).toEqual(h.scope);
    expect(e.key).toBe('Service.compose.sluice.dev/web');
    const plan = await h.provider.plan(h.scope, desired, { prune: true });
    expect(plan.changes.find((c) => c.name === 'web')).toMatchObject({
      action: 'update',
      reason: `container ${name} is exited`,
    });
    expect((await h.provider.health(h.scope))[0]?.status).toBe('Degraded');
    await h.provider.apply(h.scope, desired, applyOptions({ reason: e.message }));
    expect(docker('inspect', '--format', '{{.State.Running}}', name)).toBe('true');
  });

  it('names a container removed by hand and recreates it', async () => {
    const { events, desired, name } = await started();
    docker('rm', '-f', name);
    await driftNaming(events, `${name} was removed`);
    const plan = await h.provider.plan(h.scope, desired, { prune: true });
    expect(plan.changes.find((c) => c.name === 'web')?.action).toBe('create');
    await h.provider.apply(h.scope, desired, applyOptions());
    expect([...h.containers().keys()]).toEqual([name]);
  });

  it('names a container recreated by hand with other settings', async () => {
    const { events, desired, name } = await started();
    const labels = JSON.parse(docker('inspect', '--format', '{{json .Config.Labels}}', name)) as Record<string, string>;
    docker('rm', '-f', name);
    // Same labels (so the config hash claims nothing changed), other settings.
    docker(
      'run',
      '-d',
      '--name',
      name,
      '--network',
      `${h.project}_default`,
      ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
      '-e',
      'EXTRA=1',
      IMAGE,
      '/bin/busybox',
      'sleep',
      '600',
    );
    await driftNaming(events, `${name} was created outside Sluice`);
    // Its labels claim the applied spec; what the Engine runs says otherwise.
    const plan = await h.provider.plan(h.scope, desired, { prune: true });
    const change = plan.changes.find((c) => c.name === 'web')!;
    expect(change.action).toBe('update');
    expect(change.reason).toContain('changed outside Sluice: environment.EXTRA: (secret) → (unset)');
    expect(change.reason).toContain('changed outside Sluice: command: ["/bin/busybox","sleep","600"]');
    await h.provider.apply(h.scope, desired, applyOptions());
    expect(docker('inspect', '--format', '{{json .Config.Env}}', name)).not.toContain('EXTRA');
    const again = await h.provider.plan(h.scope, desired, { prune: true });
    expect(again.summary.update).toBe(0);
  });
});
