import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { eventually, freePortBlock } from '../../support/sluice.js';
import { applyOptions, harness, IMAGE, IMAGE_2, service } from './helpers.js';

const skip = inject('dockerSkip');
const composeCli = (() => {
  try {
    execFileSync('docker-compose', ['version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
})();

/** The same project written as a compose file, for the compose CLI. */
function composeFile(dir: string, image: string, port: number): string {
  const file = join(dir, 'compose.yaml');
  writeFileSync(file, `version: "3.8"\nservices:\n  web:\n    image: ${image}\n    ports: ["${port}:8080"]\n`);
  return file;
}

function compose(file: string, project: string, ...args: string[]): string {
  return execFileSync('docker-compose', ['-f', file, '-p', project, ...args], { encoding: 'utf8', stdio: 'pipe' });
}

describe.skipIf(!!skip || (!composeCli && process.env['CI'] !== 'true'))('docker provider and the compose CLI', () => {
  let h: ReturnType<typeof harness>;
  let dir: string;
  afterEach(async () => {
    await h?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adopts a project first started with docker-compose up, recreating nothing that matches', async () => {
    h = harness();
    dir = mkdtempSync(join(tmpdir(), 'sluice-compose-'));
    const port = await freePortBlock(1);
    const file = composeFile(dir, IMAGE, port);
    compose(file, h.project, 'up', '-d');
    const byHand = h.containers();
    expect(byHand.size).toBe(1);

    const desired = [service('web', { ports: [{ target: 8080, published: String(port), protocol: 'tcp' }] })];
    const plan = await h.provider.plan(h.scope, desired, { prune: true });
    expect(plan.changes.find((c) => c.name === 'web')?.action).toBe('unchanged');
    await h.provider.apply(h.scope, desired, applyOptions());
    expect(h.containers()).toEqual(byHand);

    // A real change replaces the adopted container, and says what differs from what runs.
    const changed = [
      service('web', { image: IMAGE_2, ports: [{ target: 8080, published: String(port), protocol: 'tcp' }] }),
    ];
    const next = await h.provider.apply(h.scope, changed, applyOptions());
    expect(next.changes.find((c) => c.name === 'web')?.reason).toContain(`image: "${IMAGE}" → "${IMAGE_2}"`);
    expect([...h.containers().values()]).not.toEqual([...byHand.values()]);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok\n');
  });

  it('lets docker-compose ps and logs see what Sluice runs', async () => {
    h = harness();
    dir = mkdtempSync(join(tmpdir(), 'sluice-compose-'));
    const port = await freePortBlock(1);
    await h.provider.apply(
      h.scope,
      [service('web', { image: IMAGE_2, ports: [{ target: 8080, published: String(port), protocol: 'tcp' }] })],
      applyOptions(),
    );
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok\n');
    const file = composeFile(dir, IMAGE_2, port);
    expect(compose(file, h.project, 'ps')).toContain(`${h.project}-web-1`);
    const short = h.containers().get(`${h.project}-web-1`)!;
    expect(compose(file, h.project, 'ps', '-q').trim()).toMatch(new RegExp(`^${short}`));
    expect(await eventually(() => (compose(file, h.project, 'logs').includes('response:200') ? true : undefined))).toBe(
      true,
    );
    // The compose CLI takes the container for the service's own: it starts none beside it.
    compose(file, h.project, 'up', '-d', '--no-recreate');
    expect(h.containers().size).toBe(1);
    expect(h.containers().get(`${h.project}-web-1`)).toBe(short);
  });
});
