import { generateIdentity, identityToRecipient } from 'age-encryption';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encryptSopsFile, lazyDecryptingFs, SecretRegistry, type AgeIdentities } from '../secrets/index.js';
import { Controller } from './controller.js';
import type { AppEnvStatus } from './status.js';
import { MemorySource, MemoryTarget, processYaml, quietLog, tempStore, type Files } from './test-support.js';

/**
 * The controller's side of the desired-state pipeline, under a fake clock: an empty render
 * leaves the running app alone, one app's broken secret fails that app only, and two apps on
 * one port are refused naming both.
 */

const identity = await generateIdentity();
const recipient = await identityToRecipient(identity);
const withKey: AgeIdentities = { identities: [identity], searched: [] };
const noKey: AgeIdentities = { identities: [], searched: ['SOPS_AGE_KEY'] };

let source: MemorySource;
let target: MemoryTarget;
let store: ReturnType<typeof tempStore>;
let controllers: Controller[];

beforeEach(() => {
  vi.useFakeTimers();
  source = new MemorySource();
  target = new MemoryTarget();
  store = tempStore();
  controllers = [];
});

afterEach(async () => {
  for (const c of controllers) await c.stop();
  vi.useRealTimers();
  await store.store.close();
  store.remove();
});

function project(apps: string[], extra: Record<string, string> = {}): string {
  return `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata: { name: shop }
spec:
  targets: { local: { provider: process } }
  environments:
    - { name: dev, target: local, sync: auto, selfHeal: true, healthTimeout: 30s }
  apps:
${apps.map((a) => `    - { name: ${a}, path: apps/${a}${extra[a] ? `, ${extra[a]}` : ''} }`).join('\n')}
`;
}

async function started(files: Files, identities: AgeIdentities = withKey): Promise<Controller> {
  source.commit(files);
  const registry = new SecretRegistry();
  const c = new Controller({
    source,
    store: store.store,
    log: quietLog,
    createProvider: () => target,
    openTree: async (fs) => lazyDecryptingFs(fs, { identities, registry }),
    mask: (t) => registry.mask(t),
    random: () => 0.5,
  });
  controllers.push(c);
  await c.start();
  await c.idle();
  return c;
}

async function commit(c: Controller, files: Files): Promise<string> {
  const revision = source.commit(files);
  await c.refresh();
  await c.idle();
  return revision;
}

const scope = (c: Controller, app = 'web'): AppEnvStatus =>
  c.status().apps.find((a) => a.app === app && a.env === 'dev')!;
const live = (app = 'web') => [...(target.objects.get(`shop/${app}/dev`)?.values() ?? [])];

describe('an empty render', () => {
  const running = (): Files => ({ 'sluice.yaml': project(['web']), 'apps/web/base/web.yaml': processYaml('web') });

  it.each([
    ['an empty file', '', /apps\/web\/base\/web\.yaml holds no resources \(empty file\)/],
    ["a file that is only '---'", '---\n---\n', /apps\/web\/base\/web\.yaml holds no resources \(only '---'\)/],
    ['a file of comments', '# nothing here yet\n---\n', /holds no resources \(only comments and '---'\)/],
  ])('from %s is refused naming the file, and the running app is left alone', async (_what, text, message) => {
    const c = await started(running());
    expect(scope(c).sync).toBe('Synced');
    const before = structuredClone(live());
    const applies = target.applies;
    const revision = await commit(c, { ...running(), 'apps/web/base/web.yaml': text });
    expect(scope(c)).toMatchObject({ sync: 'Stalled', lastSync: { revision, result: 'Failed' } });
    expect(scope(c).error).toMatchObject({ code: 'EMPTY_RENDER', file: 'apps/web/base/web.yaml' });
    expect(scope(c).error!.message).toMatch(message);
    expect(scope(c).error!.hint).toMatch(/allowEmpty: true/);
    // Nothing was applied or pruned: the app runs as before, however long the controller runs.
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(target.applies).toBe(applies);
    expect(target.destroyed).toEqual([]);
    expect(live()).toEqual(before);
  });

  it('from an overlay directory with no files names the directory', async () => {
    const files = { 'sluice.yaml': project(['web']), 'apps/web/overlays/dev/web.yaml': processYaml('web') };
    const c = await started(files);
    const { 'apps/web/overlays/dev/web.yaml': _gone, ...rest } = files;
    await commit(c, { ...rest, 'apps/web/overlays/dev/README.md': 'notes' });
    expect(scope(c).error).toMatchObject({ code: 'EMPTY_RENDER' });
    expect(live()).toHaveLength(1);
  });

  it('is applied when the app opts in with allowEmpty, removing what it ran', async () => {
    const c = await started(running());
    await commit(c, { 'sluice.yaml': project(['web'], { web: 'allowEmpty: true' }), 'apps/web/base/web.yaml': '' });
    expect(scope(c).sync).toBe('Synced');
    expect(live()).toEqual([]);
  });
});

describe('one app with a broken secret', () => {
  const secretProcess = (token: string) =>
    encryptSopsFile(
      `apiVersion: sluice.dev/v1alpha1\nkind: Process\nmetadata:\n  name: pay\nspec:\n  command: /bin/true\n  env:\n    TOKEN: ${token}\n`,
      'apps/pay/base/pay.yaml',
      { recipients: [recipient], rules: { encryptedRegex: '^env$' } },
    );
  /** Changes the MAC: the file still parses as SOPS, but its values no longer verify. */
  const tampered = (text: string) =>
    text.replace(/(mac: ENC\[AES256_GCM,data:)(.)/, (_m, p: string, ch: string) => p + (ch === 'A' ? 'B' : 'A'));

  it('fails that app only, naming the file; the other keeps syncing', async () => {
    const good = await secretProcess('pay-token-1');
    const files = {
      'sluice.yaml': project(['web', 'pay']),
      'apps/web/base/web.yaml': processYaml('web'),
      'apps/pay/base/pay.yaml': good,
    };
    const c = await started(files);
    expect(scope(c, 'web').sync).toBe('Synced');
    expect(scope(c, 'pay').sync).toBe('Synced');
    const bad = tampered(await secretProcess('pay-token-2'));
    expect(bad).not.toBe(good);
    const revision = await commit(c, {
      ...files,
      'apps/web/base/web.yaml': processYaml('web', ['v2']),
      'apps/pay/base/pay.yaml': bad,
    });
    expect(scope(c, 'web')).toMatchObject({ sync: 'Synced', syncedRevision: revision });
    expect(live('web')[0]!['spec']).toMatchObject({ args: ['v2'] });
    expect(scope(c, 'pay').sync).toBe('Stalled');
    expect(scope(c, 'pay').error).toMatchObject({ file: 'apps/pay/base/pay.yaml' });
    expect(scope(c, 'pay').error!.code).toMatch(/^SOPS_/);
    expect(scope(c, 'web').error).toBeUndefined();
    // pay keeps what ran before its secret broke.
    expect(live('pay')[0]!['spec']).toMatchObject({ env: { TOKEN: 'pay-token-1' } });
  });

  it('a plain app renders without the key of another app’s file', async () => {
    const c = await started(
      {
        'sluice.yaml': project(['web', 'pay']),
        'apps/web/base/web.yaml': processYaml('web'),
        'apps/pay/base/pay.yaml': await secretProcess('pay-token-1'),
      },
      noKey,
    );
    expect(scope(c, 'web').sync).toBe('Synced');
    expect(scope(c, 'pay').error).toMatchObject({ code: 'SOPS_NO_KEY', file: 'apps/pay/base/pay.yaml' });
  });
});

describe('two apps on one target', () => {
  const withPort = (name: string, port: number, service?: number) =>
    `${processYaml(name)}  port: ${port}\n${service ? `  service: { port: ${service} }\n` : ''}`;

  it('on overlapping ports are refused naming both apps and files; nothing new is applied', async () => {
    const files = { 'sluice.yaml': project(['web']), 'apps/web/base/web.yaml': withPort('web', 7401, 7400) };
    const c = await started(files);
    expect(scope(c).sync).toBe('Synced');
    const applies = target.applies;
    await commit(c, {
      'sluice.yaml': project(['web', 'api']),
      'apps/web/base/web.yaml': files['apps/web/base/web.yaml'],
      'apps/api/base/api.yaml': withPort('api', 7402),
    });
    for (const app of ['web', 'api']) {
      const error = scope(c, app).error!;
      expect(error.code).toBe('CROSS_APP_CONFLICT');
      expect(error.message).toContain('app "web" in dev');
      expect(error.message).toContain('app "api" in dev');
      expect(error.message).toContain('apps/web/base/web.yaml');
      expect(error.message).toContain('apps/api/base/api.yaml');
    }
    expect(target.applies).toBe(applies);
    expect(live('api')).toEqual([]);
    expect(live('web')).toHaveLength(1);
  });

  it('on ports apart sync both', async () => {
    const c = await started({
      'sluice.yaml': project(['web', 'api']),
      'apps/web/base/web.yaml': withPort('web', 7401, 7400),
      'apps/api/base/api.yaml': withPort('api', 7411, 7410),
    });
    expect(scope(c, 'web').sync).toBe('Synced');
    expect(scope(c, 'api').sync).toBe('Synced');
  });
});
