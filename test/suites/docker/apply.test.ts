import { afterEach, describe, expect, inject, it } from 'vitest';
import { ProviderError } from '../../../src/errors/index.js';
import { applyOptions, docker, harness, IMAGE, IMAGE_2, service, volume } from './helpers.js';

const skip = inject('dockerSkip');

describe.skipIf(!!skip)('docker provider: apply against a real dockerd', () => {
  let h: ReturnType<typeof harness>;
  afterEach(async () => h?.cleanup());

  it('runs services as a Compose project docker sees with every compose label', async () => {
    h = harness();
    const desired = [service('web', { deploy: { replicas: 2 } }), volume('data')];
    const plan = await h.provider.apply(h.scope, desired, applyOptions());
    expect(
      plan.changes
        .filter((c) => c.action === 'create')
        .map((c) => `${c.kind}/${c.name}`)
        .sort(),
    ).toEqual(['Network/default', 'Service/web', 'Volume/data']);
    expect([...h.containers().keys()].sort()).toEqual([`${h.project}-web-1`, `${h.project}-web-2`]);
    const labels = JSON.parse(docker('inspect', '--format', '{{json .Config.Labels}}', `${h.project}-web-2`)) as Record<
      string,
      string
    >;
    expect(labels).toMatchObject({
      'com.docker.compose.project': h.project,
      'com.docker.compose.service': 'web',
      'com.docker.compose.container-number': '2',
      'com.docker.compose.oneoff': 'False',
    });
    expect(labels['com.docker.compose.config-hash']).toMatch(/^[0-9a-f]{64}$/);
    expect(labels['com.docker.compose.version']).toBeTruthy();
    expect(
      docker(
        'network',
        'inspect',
        '--format',
        '{{index .Labels "com.docker.compose.network"}}',
        `${h.project}_default`,
      ),
    ).toBe('default');
    expect(
      docker('volume', 'inspect', '--format', '{{index .Labels "com.docker.compose.volume"}}', `${h.project}_data`),
    ).toBe('data');
    // The service answers by its name on the project network, as under Compose.
    expect(docker('exec', `${h.project}-web-1`, 'wget', '-q', '-O', '-', 'http://web:8080/')).toBe('ok');
    const health = await h.provider.health(h.scope);
    expect(health).toEqual([expect.objectContaining({ name: 'web', status: 'Healthy' })]);
  });

  it('recreates nothing in 100 applies without a change, whatever the key order', async () => {
    h = harness();
    const spec = {
      environment: { A: '1', B: 'two' },
      command: ['/bin/busybox', 'httpd', '-f', '-p', '8080', '-h', '/www'],
      labels: { team: 'shop', tier: 'web' },
      restart: 'unless-stopped',
    };
    await h.provider.apply(h.scope, [service('web', spec)], applyOptions());
    const before = h.containers();
    expect(before.size).toBe(1);
    // The same spec with every map's keys reversed, and a fresh provider half-way (a Sluice restart).
    const reordered = {
      restart: spec.restart,
      labels: { tier: 'web', team: 'shop' },
      command: spec.command,
      environment: { B: 'two', A: '1' },
    };
    let provider = h.provider;
    for (let i = 0; i < 100; i++) {
      if (i === 50) {
        await provider.close();
        provider = h.open();
      }
      const plan = await provider.apply(
        h.scope,
        [service('web', i % 2 ? reordered : spec)],
        applyOptions({ revision: `r${i}` }),
      );
      expect(plan.summary, `pass ${i}`).toMatchObject({ create: 0, update: 0, delete: 0 });
    }
    expect(h.containers()).toEqual(before);
  });

  it('recreates a changed service and says which field changed, old and new, secrets masked', async () => {
    h = harness();
    await h.provider.apply(h.scope, [service('web', { environment: { TOKEN: 's3cret-1' } })], applyOptions());
    const before = h.containers();
    const progress: string[] = [];
    const plan = await h.provider.apply(
      h.scope,
      [service('web', { image: IMAGE_2, environment: { TOKEN: 's3cret-2' } })],
      applyOptions({ onProgress: (m) => progress.push(m) }),
    );
    const change = plan.changes.find((c) => c.name === 'web')!;
    expect(change.action).toBe('update');
    expect(change.reason).toContain(`image: "${IMAGE}" → "${IMAGE_2}"`);
    expect(change.reason).toContain('environment.TOKEN: (secret) → (secret)');
    expect(JSON.stringify(plan)).not.toContain('s3cret');
    expect(progress.join('\n')).toContain(`image: "${IMAGE}" → "${IMAGE_2}"`);
    const after = h.containers();
    expect([...after.keys()]).toEqual([`${h.project}-web-1`]);
    expect(after.get(`${h.project}-web-1`)).not.toBe(before.get(`${h.project}-web-1`));
    expect(docker('inspect', '--format', '{{.Config.Image}}', `${h.project}-web-1`)).toBe(IMAGE_2);
    // Labels and logs carry fingerprints, never the value.
    expect(
      docker('inspect', '--format', '{{index .Config.Labels "dev.sluice.spec"}}', `${h.project}-web-1`),
    ).not.toContain('s3cret');
  });

  it('fails on a missing image before stopping anything', async () => {
    h = harness();
    await h.provider.apply(h.scope, [service('web', {}), service('api', {})], applyOptions());
    const before = h.containers();
    // A registry nothing listens on: the pull is tried and fails at once, with no Internet needed.
    const missing = '127.0.0.1:9/sluice/missing:1';
    const err = await h.provider
      .apply(h.scope, [service('web', { image: IMAGE_2 }), service('api', { image: missing })], applyOptions())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe('DOCKER_IMAGE_MISSING');
    expect((err as ProviderError).message).toContain(missing);
    expect(h.containers()).toEqual(before);
    expect(docker('inspect', '--format', '{{.Config.Image}} {{.State.Running}}', `${h.project}-web-1`)).toBe(
      `${IMAGE} true`,
    );
  });

  it('scales without recreating the containers it keeps', async () => {
    h = harness();
    await h.provider.apply(h.scope, [service('web', {})], applyOptions());
    const first = h.containers().get(`${h.project}-web-1`);
    await h.provider.apply(h.scope, [service('web', { deploy: { replicas: 3 } })], applyOptions());
    expect(h.containers().size).toBe(3);
    expect(h.containers().get(`${h.project}-web-1`)).toBe(first);
    await h.provider.apply(h.scope, [service('web', { deploy: { replicas: 1 } })], applyOptions());
    expect(h.containers()).toEqual(new Map([[`${h.project}-web-1`, first]]));
  });

  it('prunes services and networks no longer in Git but keeps named volumes unless the target opts in', async () => {
    h = harness();
    await h.provider.apply(h.scope, [service('web', {}), service('old', {}), volume('data')], applyOptions());
    const plan = await h.provider.apply(h.scope, [service('web', {})], applyOptions());
    expect(plan.changes.filter((c) => c.action === 'delete').map((c) => `${c.kind}/${c.name}`)).toEqual([
      'Service/old',
    ]);
    expect([...h.containers().keys()]).toEqual([`${h.project}-web-1`]);
    expect(docker('volume', 'ls', '-q', '--filter', `name=${h.project}_data`)).toBe(`${h.project}_data`);

    const pruning = h.open({ pruneVolumes: true });
    const p2 = await pruning.apply(h.scope, [service('web', {})], applyOptions());
    expect(p2.changes.filter((c) => c.action === 'delete').map((c) => `${c.kind}/${c.name}`)).toEqual(['Volume/data']);
    expect(docker('volume', 'ls', '-q', '--filter', `name=${h.project}_data`)).toBe('');
  });

  it('reports a bad service spec naming the resource and field, and applies nothing', async () => {
    h = harness();
    const err = await h.provider
      .apply(h.scope, [service('web', {}), service('bad', { build: '.' } as never)], applyOptions())
      .catch((e: unknown) => e);
    expect((err as { code: string }).code).toBe('DOCKER_SERVICE');
    expect((err as { location: { resource: string; field: string } }).location).toEqual({
      resource: 'Service/bad',
      field: 'spec.build',
    });
    expect(h.containers().size).toBe(0);
  });
});
