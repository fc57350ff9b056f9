import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../src/cli/runtime.js';
import { processProjectFiles } from '../../src/providers/process/index.js';
import { writeConfigRepo } from '../../src/scaffold/index.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/hosted-fakes/webhook-receiver.js';
import { eventually, freePortBlock, git, ROOT } from '../support/sluice.js';

/** sluice.yaml's notification sinks receive a failed sync from the running controller. */
let work: string;
let repo: string;
let rt: Runtime;
let hook: WebhookReceiver;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'sluice-notify-'));
  repo = join(work, 'config');
  hook = await startWebhookReceiver();
  const files = processProjectFiles({
    project: 'shop',
    helloSource: readFileSync(resolve(ROOT, 'examples/hello/server.js'), 'utf8'),
    node: process.execPath,
    basePort: await freePortBlock(40),
  });
  files['sluice.yaml'] +=
    `  notifications:\n    - name: ops\n      type: webhook\n      urlFrom: { env: SLUICE_TEST_HOOK }\n      events: [sync.failed]\n      environments: [dev]\n`;
  writeConfigRepo(repo, files);
  process.env.SLUICE_TEST_HOOK = hook.url;
  rt = await startRuntime({
    repo,
    dataDir: join(work, 'data'),
    port: 0,
    host: '127.0.0.1',
    log: pino({ level: 'silent' }),
  });
  await eventually(
    () => (rt.controller.status().apps.every((a) => a.health === 'Healthy') ? true : undefined),
    60_000,
    'healthy',
  );
}, 90_000);

afterAll(async () => {
  await rt?.stop({ stopWorkloads: true });
  await hook?.close();
  delete process.env.SLUICE_TEST_HOOK;
  rmSync(work, { recursive: true, force: true });
});

describe('notifications', () => {
  it('posts a failed sync in dev to the webhook, with a link to the dashboard', async () => {
    const file = join(repo, 'apps/hello/overlays/dev/hello.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('replicas: 1', 'replicas: [1'));
    git(repo, 'commit', '-qam', 'Break dev');
    const req = await eventually(
      () => hook.requests.find((r) => r.raw.includes('sync.failed')),
      20_000,
      'a webhook delivery',
    );
    const body = JSON.parse(req.raw) as { type: string; app: string; env: string; message: string; url: string };
    expect(body).toMatchObject({ type: 'sync.failed', app: 'hello', env: 'dev' });
    expect(body.message).toContain('invalid YAML');
    expect(body.url).toContain(`${rt.url}/#/apps/hello/envs/dev`);
  });
});
