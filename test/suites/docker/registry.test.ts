import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually, freePortBlock } from '../../support/sluice.js';
import { applyOptions, docker, harness, IMAGE, service } from './helpers.js';

const skip = inject('dockerSkip');
const registryBin = '/usr/bin/docker-registry';

/**
 * Pulls by digest from a local registry (Debian's docker-registry; the Engine trusts
 * 127.0.0.0/8 without TLS): an image the Engine does not have is pulled before anything runs.
 */
describe.skipIf(!!skip || (!existsSync(registryBin) && process.env['CI'] !== 'true'))(
  'docker provider: images by digest from a registry',
  () => {
    let registry: ChildProcess;
    let dir: string;
    let port: number;
    let h: ReturnType<typeof harness> | undefined;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'sluice-registry-'));
      port = await freePortBlock(1);
      writeFileSync(
        join(dir, 'config.yml'),
        `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`,
      );
      registry = spawn(registryBin, ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
      await eventually(
        async () => ((await fetch(`http://127.0.0.1:${port}/v2/`)).ok ? true : undefined),
        30_000,
        'the registry',
      );
    });

    afterAll(async () => {
      await h?.cleanup();
      registry?.kill();
      rmSync(dir, { recursive: true, force: true });
    });

    it('pulls a missing image by digest, then runs it', async () => {
      // An image of its own (a unique label), pushed and then removed from the Engine.
      const repo = `127.0.0.1:${port}/sluice/pulled`;
      const build = mkdtempSync(join(tmpdir(), 'sluice-pulled-'));
      writeFileSync(join(build, 'Dockerfile'), `FROM ${IMAGE}\nLABEL sluice.test=${Date.now()}-${Math.random()}\n`);
      docker('build', '-q', '-t', `${repo}:1`, build);
      rmSync(build, { recursive: true, force: true });
      docker('push', `${repo}:1`);
      const ref = docker('image', 'inspect', '--format', '{{index .RepoDigests 0}}', `${repo}:1`);
      expect(ref).toMatch(new RegExp(`^${repo}@sha256:[0-9a-f]{64}$`));
      docker('rmi', `${repo}:1`);
      expect(() => docker('image', 'inspect', ref)).toThrow();

      h = harness();
      const progress: string[] = [];
      await h.provider.apply(
        h.scope,
        [service('web', { image: ref })],
        applyOptions({ onProgress: (m) => progress.push(m) }),
      );
      expect(progress).toContain(`pulling ${ref}`);
      expect(docker('inspect', '--format', '{{.Config.Image}} {{.State.Running}}', `${h.project}-web-1`)).toBe(
        `${ref} true`,
      );
      const again = await h.provider.apply(h.scope, [service('web', { image: ref })], applyOptions());
      expect(again.summary.update).toBe(0);
    });
  },
);
