import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { dockerProjectFiles, SAMPLE_IMAGE } from '../../../src/providers/docker/scaffold.js';
import { eventually, freePortBlock } from '../../support/sluice.js';
import { applyOptions, docker, harness, service } from './helpers.js';

const skip = inject('dockerSkip');

/**
 * The sample `sluice init --target docker` writes: its image builds from busybox-static alone
 * and, run as the base compose file says, answers on the dev port once healthy.
 */
describe.skipIf(!!skip)('the docker scaffold on a real dockerd', () => {
  let h: ReturnType<typeof harness> | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sluice-docker-init-'));
  afterAll(async () => {
    await h?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds its image locally and serves it', async () => {
    const port = await freePortBlock(40);
    const files = dockerProjectFiles({ project: 'shop', basePort: port, sample: () => ({ source: '', node: '' }) });
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    execFileSync('sh', [join(dir, 'images/hello/build.sh')], { stdio: 'pipe' });
    expect(docker('image', 'inspect', '--format', '{{.Id}}', SAMPLE_IMAGE)).toMatch(/^sha256:/);

    // The base service in the canonical form the compose renderer emits, with dev's port.
    const base = (parse(files['apps/hello/base/compose.yaml']!) as { services: { hello: Record<string, unknown> } })
      .services.hello;
    h = harness();
    await h.provider.apply(
      h.scope,
      [
        service('hello', {
          ...base,
          ports: [{ target: 8080, published: String(port + 10), protocol: 'tcp', host_ip: '127.0.0.1' }],
        }),
      ],
      applyOptions(),
    );
    const body = await eventually(
      async () => (await fetch(`http://127.0.0.1:${port + 10}/`)).text(),
      30_000,
      'the sample answering',
    );
    expect(body).toBe('Hello from busybox, version 1.0.0\n');
  });
});
