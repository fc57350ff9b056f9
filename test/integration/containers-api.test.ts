import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveWorkload } from '../../src/providers/types.js';
import { createConfigRepo, type ConfigRepo } from '../support/config-repo.js';
import {
  adminToken,
  bearer,
  createToken,
  eventually,
  freePortBlock,
  getJson,
  ownedProcesses,
  spawnSluice,
  type SluiceProcess,
} from '../support/sluice.js';

/**
 * `GET /api/v1/apps/:app/envs/:env/containers` on a real `sluice serve`: what the target runs
 * now, read through the provider of the scope's target, under the environment's read rights.
 */
describe('the containers of an app in an environment, over the API', () => {
  let dir: string;
  let repo: ConfigRepo;
  let sluice: SluiceProcess;
  let port: number;
  let basePort: number;
  const api = (path: string) => `http://127.0.0.1:${port}${path}`;
  const containers = (env: string, token: string) =>
    getJson<{ containers: LiveWorkload[] }>(api(`/api/v1/apps/hello/envs/${env}/containers`), token);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-containers-'));
    basePort = await freePortBlock(30);
    port = basePort + 20;
    repo = createConfigRepo(dir, { basePort });
    sluice = spawnSluice([
      '--data-dir',
      join(dir, 'data'),
      'serve',
      '--repo',
      repo.url,
      '--port',
      String(port),
      '--poll',
      '1',
    ]);
    await sluice.waitFor('Sluice is serving', 30_000);
  }, 60_000);

  afterAll(async () => {
    sluice?.child.kill('SIGINT');
    await sluice?.exited;
    for (const p of ownedProcesses(join(dir, 'data'))) process.kill(p.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the replica the process target runs, with its port, artifact and restarts', async () => {
    const admin = adminToken(join(dir, 'data'));
    const list = await eventually(
      async () => {
        const r = await containers('dev', admin);
        return r.containers.some((c) => c.health === 'healthy') ? r.containers : undefined;
      },
      40_000,
      'dev running a healthy replica',
    );
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      service: 'hello',
      state: 'ready',
      health: 'healthy',
      ports: [{ published: basePort + 5, target: basePort + 5, protocol: 'tcp' }],
      restarts: 0,
    });
    expect(list[0]!.image).toMatch(/hello-1\.0\.0\.mjs$/);
    expect(list[0]!.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('answers under the read right of the environment, and 404 for a scope that is not deployed', async () => {
    const devOnly = await createToken(join(dir, 'data'), { name: 'dev-viewer', role: 'viewer', environments: ['dev'] });
    expect((await containers('dev', devOnly)).containers).toHaveLength(1);
    const prod = await fetch(api('/api/v1/apps/hello/envs/prod/containers'), { headers: bearer(devOnly) });
    expect(prod.status).toBe(403);
    const none = await fetch(api('/api/v1/apps/nope/envs/dev/containers'), {
      headers: bearer(adminToken(join(dir, 'data'))),
    });
    expect(none.status).toBe(404);
    expect(((await none.json()) as { code: string }).code).toBe('SCOPE_NOT_FOUND');
  });
});
