import { afterEach, describe, expect, inject, it } from 'vitest';
import { ProviderError } from '../../../src/errors/index.js';
import type { Scope } from '../../../src/providers/types.js';
import { applyOptions, docker, harness, service } from './helpers.js';

const skip = inject('dockerSkip');

// The Compose project name is `<app>-<env>`, as a team that ran `docker compose -p` would have
// it. Two scopes can meet on one name: app "a-b" in "c" and app "a" in "b-c", or one app and
// environment in two Sluice projects sharing a host. The second must be refused by name, and
// must not touch what the first runs.
describe.skipIf(!!skip)('docker provider: two scopes, one Compose project name', () => {
  let h: ReturnType<typeof harness>;
  afterEach(async () => h?.cleanup());

  it('refuses the second scope naming the first, and leaves its containers alone', async () => {
    h = harness();
    await h.provider.apply(h.scope, [service('web', {})], applyOptions());
    const before = h.containers();
    expect(before.size).toBe(1);

    const other: Scope = { ...h.scope, project: 'another-config-repo' };
    const err = await h.provider.apply(other, [service('web', {})], applyOptions()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe('DOCKER_PROJECT_TAKEN');
    expect((err as ProviderError).retry).toBe(false);
    expect((err as ProviderError).message).toContain(`${h.scope.project}/${h.scope.env}/${h.scope.app}`);
    expect((err as ProviderError).hint).toMatch(/project name/);

    // A dry run says the same before anyone applies.
    const dry = await h.provider
      .apply(other, [service('web', {})], applyOptions({ dryRun: true }))
      .catch((e: unknown) => e);
    expect((dry as ProviderError).code).toBe('DOCKER_PROJECT_TAKEN');

    expect(h.containers()).toEqual(before);
    expect(docker('inspect', '--format', '{{.State.Running}}', [...before.keys()][0]!)).toBe('true');
  });
});
