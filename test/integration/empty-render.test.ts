import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../src/cli/runtime.js';
import { processProjectFiles } from '../../src/providers/process/index.js';
import { writeConfigRepo } from '../../src/scaffold/index.js';
import { eventually, freePortBlock, git, ownedProcesses, ROOT } from '../support/sluice.js';

/**
 * With real git and real processes: a commit that empties an overlay is refused naming the
 * file, and the replicas that ran before keep running, untouched.
 */
let work: string;
let repo: string;
let dataDir: string;
let rt: Runtime;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'sluice-empty-'));
  repo = join(work, 'config');
  dataDir = join(work, 'data');
  writeConfigRepo(
    repo,
    processProjectFiles({
      project: 'shop',
      helloSource: readFileSync(resolve(ROOT, 'examples/hello/server.js'), 'utf8'),
      node: process.execPath,
      basePort: await freePortBlock(40),
    }),
  );
  rt = await startRuntime({ repo, dataDir, port: 0, host: '127.0.0.1', log: pino({ level: 'silent' }) });
  await eventually(
    () => (rt.controller.status().apps.every((a) => a.health === 'Healthy') ? true : undefined),
    150_000,
    'healthy',
  );
}, 180_000);

afterAll(async () => {
  await rt?.stop({ stopWorkloads: true });
  rmSync(work, { recursive: true, force: true });
});

const devPids = () =>
  ownedProcesses(dataDir)
    .filter((p) => p.env['SLUICE_ENV'] === 'dev')
    .map((p) => p.pid)
    .sort();
const dev = () => rt.controller.status().apps.find((a) => a.app === 'hello' && a.env === 'dev')!;

describe('an overlay emptied by a commit', () => {
  it('is refused naming the file, and the running replicas are left alone', async () => {
    const before = devPids();
    expect(before.length).toBeGreaterThan(0);
    const file = 'apps/hello/overlays/dev/hello.yaml';
    writeFileSync(join(repo, file), '---\n');
    git(repo, 'commit', '-qam', 'Empty the dev overlay');
    const revision = git(repo, 'rev-parse', 'HEAD').trim();
    const error = await eventually(
      () => (dev().lastSync?.revision === revision && dev().error ? dev().error : undefined),
      60_000,
      'the empty render to be refused',
    );
    expect(error).toMatchObject({ code: 'EMPTY_RENDER', file });
    expect(error!.message).toContain(`${file} holds no resources (only '---')`);
    expect(dev().sync).toBe('Stalled');
    expect(dev().lastSync?.result).toBe('Failed');
    // The same processes, still running, and still serving health.
    expect(devPids()).toEqual(before);
    for (const pid of before) expect(() => process.kill(pid, 0)).not.toThrow();
    await eventually(() => (dev().health === 'Healthy' ? true : undefined), 30_000, 'dev still healthy');
  }, 120_000);
});
