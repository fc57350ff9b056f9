import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnvStatus, ProjectStatus } from '../../src/reconcile/status.js';
import type { SyncRecord } from '../../src/store/types.js';
import { createConfigRepo, runCli, type ConfigRepo } from '../support/config-repo.js';
import { signWith, sshKey, type SshKey } from '../support/signing-keys.js';
import {
  eventually,
  freePortBlock,
  adminToken,
  getJson,
  ownedProcesses,
  spawnSluice,
  type SluiceProcess,
} from '../support/sluice.js';

/**
 * prod requires commits signed by a trusted key, dev does not. Real SSH keys from ssh-keygen,
 * real signatures by git, `sluice serve` following a real bare repository.
 */
let dir: string;
let repo: ConfigRepo;
let sluice: SluiceProcess;
let port: number;
let ana: SshKey;
let stranger: SshKey;
let sluiceKey: SshKey;
const api = (path: string) => `http://127.0.0.1:${port}${path}`;
const work = () => join(dir, 'work');

function git(key: SshKey | undefined, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-C', work(), '-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', ...(key ? signWith(key) : []), ...args],
    { encoding: 'utf8' },
  ).trim();
}

/** Changes both overlays (a spec change each applies) in one commit signed with `key`, and pushes it. */
function pushChange(key: SshKey | undefined, message: string): string {
  for (const env of ['dev', 'prod']) {
    const file = join(work(), `apps/hello/overlays/${env}/hello.yaml`);
    const text = readFileSync(file, 'utf8');
    const grace = Number(/terminationGracePeriodSeconds: (\d+)/.exec(text)![1]);
    writeFileSync(
      file,
      text.replace(/terminationGracePeriodSeconds: \d+/, `terminationGracePeriodSeconds: ${grace + 1}`),
    );
  }
  git(undefined, 'add', '-A');
  git(key, 'commit', '-q', '-m', message);
  git(undefined, 'push', '-q', repo.bare, 'main');
  return git(undefined, 'rev-parse', 'HEAD');
}

const scope = async (env: string): Promise<AppEnvStatus> =>
  (await getJson<ProjectStatus>(api('/api/v1/status'), adminToken(join(dir, 'data')))).apps.find((a) => a.env === env)!;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-signed-'));
  ana = sshKey(dir, 'ana');
  stranger = sshKey(dir, 'stranger');
  sluiceKey = sshKey(dir, 'sluice');
  const ports = await freePortBlock(30);
  port = ports + 20;
  repo = createConfigRepo(dir, {
    basePort: ports,
    prodRules: '      protected: true\n      requireSignedCommits: true\n',
    repository: `  signing:
    trustedKeys:
      - { name: ana, ssh: "${ana.publicKey}" }
      - { name: sluice, ssh: "${sluiceKey.publicKey}" }
    sign: { format: ssh, key: ${JSON.stringify(sluiceKey.path)} }
`,
  });
  // The tip Sluice starts from is signed by ana.
  pushChange(ana, 'Signed by ana');
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

describe('verified commits for a protected environment', () => {
  it('applies a commit signed by a trusted key everywhere', async () => {
    const head = repo.git('rev-parse', 'main');
    for (const env of ['dev', 'prod'])
      await eventually(
        async () => ((await scope(env)).syncedRevision === head ? true : undefined),
        45_000,
        `${env} synced at ana's commit`,
      );
  });

  it('refuses a commit signed by an unknown key on prod, with the reason, and applies it on dev', async () => {
    const before = (await scope('prod')).syncedRevision;
    const revision = pushChange(stranger, 'Signed by a stranger');
    await eventually(
      async () => ((await scope('dev')).syncedRevision === revision ? true : undefined),
      45_000,
      'dev synced at the stranger commit',
    );
    const prod = await eventually(
      async () => {
        const s = await scope('prod');
        return s.error?.code === 'COMMIT_UNTRUSTED' ? s : undefined;
      },
      45_000,
      'prod refusing the commit',
    );
    expect(prod.sync).toBe('Stalled');
    expect(prod.syncedRevision).toBe(before);
    expect(prod.error!.message).toBe(
      `commit ${revision.slice(0, 12)} refused for prod: the commit is signed by an SSH key that is not trusted`,
    );
    const syncs = await getJson<SyncRecord[]>(api('/api/v1/syncs?env=prod&limit=50'), adminToken(join(dir, 'data')));
    expect(syncs.filter((s) => s.revision === revision).map((s) => [s.result, s.error?.code])).toEqual([
      ['Failed', 'COMMIT_UNTRUSTED'],
    ]);
  });

  it('signs the commits Sluice writes with its own key', async () => {
    const r = await runCli([
      '--data-dir',
      join(dir, 'data'),
      '--server',
      api(''),
      'set-image',
      'hello',
      '--env',
      'dev',
      repo.build('1.1.0'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const allowed = join(dir, 'allowed');
    writeFileSync(allowed, `sluice namespaces="git" ${sluiceKey.publicKey}\n`);
    const out = execFileSync(
      'git',
      ['--git-dir', repo.bare, '-c', `gpg.ssh.allowedSignersFile=${allowed}`, 'verify-commit', 'main'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(out).toBe('');
    expect(repo.git('log', '-1', '--format=%s', 'main')).toContain('hello');
  });
});
