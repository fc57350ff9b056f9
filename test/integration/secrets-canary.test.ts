import { readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectStatus } from '../../src/reconcile/status.js';
import { encryptSopsFile } from '../../src/secrets/index.js';
import { findCanaries, makeCanaries } from '../suites/sops/canary.js';
import {
  eventually,
  freePortBlock,
  getJson,
  git,
  ownedProcesses,
  runSluiceSync,
  spawnSluice,
  type SluiceProcess,
} from '../support/sluice.js';

/**
 * Canary values live only in SOPS-encrypted env values of a Process. After syncs, a failed
 * sync, a diff and a tampered file, no output channel may contain them: the API, the CLI,
 * Sluice's log, the SQLite store, state files on disk. Only the workload itself gets them.
 */
let work: string;
let repo: string;
let dataDir: string;
let port: number;
let serve: SluiceProcess;
let recipient: string;
let identity: string;
const canaries = makeCanaries(3);
const [first, second, third] = canaries as [string, string, string];
const overlay = 'apps/hello/overlays/dev/hello.yaml';
let plain: string;
const api = (p: string) => `http://127.0.0.1:${port}${p}`;
const devScope = async () => (await getJson<ProjectStatus>(api('/api/v1/status'))).apps.find((a) => a.env === 'dev')!;

async function commitSecret(
  value: string,
  mutate: (text: string) => string = (t) => t,
  message = 'Rotate the API token',
): Promise<string> {
  const text = mutate(plain.replace('    VERSION: "1.0.0"', `    VERSION: "1.0.0"\n    API_TOKEN: "${value}"`));
  writeFileSync(
    join(repo, overlay),
    await encryptSopsFile(text, overlay, { recipients: [recipient], rules: { encryptedRegex: '^API_TOKEN$' } }),
  );
  git(repo, 'commit', '-qam', message);
  return git(repo, 'rev-parse', 'HEAD').trim();
}

function filesUnder(dir: string, skip: (rel: string) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const rel = relative(dataDir, p);
      if (skip(rel)) continue;
      if (statSync(p).isDirectory()) walk(p);
      else out[`file ${rel}`] = readFileSync(p).toString('latin1');
    }
  };
  walk(dir);
  return out;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'sluice-canary-'));
  repo = join(work, 'config');
  dataDir = join(work, 'data');
  port = await freePortBlock(40);
  identity = await generateIdentity();
  recipient = await identityToRecipient(identity);
  expect(runSluiceSync(['init', repo, '--base-port', String(port)]).code).toBe(0);
  plain = readFileSync(join(repo, overlay), 'utf8');
  await commitSecret(first);
  serve = spawnSluice(['--data-dir', dataDir, 'serve', '--repo', repo, '--port', String(port)], {
    SOPS_AGE_KEY: identity,
  });
  await serve.waitFor('dashboard', 60_000);
}, 90_000);

afterAll(async () => {
  serve?.child.kill('SIGINT');
  await serve?.exited;
  for (const p of ownedProcesses(dataDir)) process.kill(p.pid, 'SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

describe('secrets never leak', () => {
  it('the workload gets the decrypted value, and nothing else shows it', async () => {
    await eventually(async () => ((await devScope()).health === 'Healthy' ? true : undefined), 60_000, 'dev healthy');
    const dev = ownedProcesses(dataDir).find((p) => p.env.SLUICE_ENV === 'dev')!;
    expect(dev.env.API_TOKEN).toBe(first);

    // A rotation: the diff may say the secret changed, never how.
    const rotated = await commitSecret(second);
    await eventually(
      async () => ((await devScope()).syncedRevision === rotated ? true : undefined),
      30_000,
      'rotation synced',
    );
    expect(ownedProcesses(dataDir).find((p) => p.env.SLUICE_ENV === 'dev')!.env.API_TOKEN).toBe(second);

    // A failing sync with the secret in the same manifest.
    await commitSecret(
      third,
      (t) => t.replace(/command: .*/, 'command: /nonexistent/hello-binary'),
      'Break the command',
    );
    const failed = await eventually(
      async () => {
        const s = await devScope();
        return s.sync === 'Stalled' ? s : undefined;
      },
      30_000,
      'a failed sync',
    );
    expect(failed.error!.message).toContain('/nonexistent/hello-binary');

    // A tampered file: the revision is refused.
    const enc = readFileSync(join(repo, overlay), 'utf8');
    writeFileSync(
      join(repo, overlay),
      enc.replace(
        /API_TOKEN: ENC\[AES256_GCM,data:([A-Za-z0-9+/]{4})/,
        (_m, d: string) => `API_TOKEN: ENC[AES256_GCM,data:${d === 'AAAA' ? 'BBBB' : 'AAAA'}`,
      ),
    );
    git(repo, 'commit', '-qam', 'Tamper with the token');
    await eventually(
      async () => {
        const s = await devScope();
        return s.sync === 'Stalled' && /SOPS|MAC|tamper/i.test(`${s.error?.code} ${s.error?.message}`) ? s : undefined;
      },
      30_000,
      'the tampered revision refused',
    );

    const outputs: Record<string, string> = {};
    for (const path of [
      '/api/v1/status',
      '/api/v1/syncs?limit=100',
      '/api/v1/events?limit=500',
      '/api/v1/apps/hello/envs/dev',
      '/api/v1/apps/hello/envs/dev/plan',
      '/metrics',
    ]) {
      outputs[`api ${path}`] = await (await fetch(api(path))).text();
    }
    const cli = (...args: string[]) => {
      const r = runSluiceSync(['--data-dir', dataDir, ...args]);
      return `${r.stdout}\n${r.stderr}`;
    };
    outputs['cli status'] = cli('status', '-o', 'json');
    outputs['cli history'] = cli('history', '-o', 'json', '-n', '100');
    outputs['cli diff'] = cli('diff', 'hello', '--env', 'dev');
    outputs['cli render'] = runSluiceSync(['render', 'hello', '--env', 'dev', '--repo', repo], {
      SOPS_AGE_KEY: identity,
    }).stdout;
    outputs['serve output'] = serve.output();
    // Replica logs are the workload's own output; everything Sluice writes is searched.
    Object.assign(
      outputs,
      filesUnder(dataDir, (rel) => rel.startsWith('process/logs') || rel.startsWith('quickstart')),
    );
    expect(Object.keys(outputs).some((k) => k.includes('sluice.db'))).toBe(true);
    expect(Object.keys(outputs).some((k) => k.includes('sluice.log'))).toBe(true);
    expect(findCanaries(outputs, canaries)).toEqual([]);
    // The search itself works: the repo's plaintext history would be found if it were there.
    expect(findCanaries({ probe: `API_TOKEN: "${first}"` }, canaries)).toEqual(['probe']);
  }, 180_000);
});
