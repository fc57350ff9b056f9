import { readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { format } from 'node:util';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { ProjectStatus } from '../../src/reconcile/status.js';
import { encryptSopsFile } from '../../src/secrets/index.js';
import { hashToken } from '../../src/server/auth/tokens.js';
import { canaryHex, findCanaryTraces } from '../suites/sops/canary.js';
import {
  eventually,
  freePortBlock,
  adminToken,
  bearer,
  getJson,
  git,
  ownedProcesses,
  runSluiceSync,
  spawnSluice,
  type SluiceProcess,
} from '../support/sluice.js';

/**
 * Canary values live only in SOPS-encrypted fields of a Process: an env value, an argument,
 * the command. Some hold characters whose JSON, YAML, URL, base64 and `\x00` forms differ from
 * the raw value (quotes, backslashes, ESC, a tab, a NUL, non-ASCII). After syncs, a rotation,
 * failed syncs that quote the command and the arguments, dry runs, diffs, renders and a
 * tampered file, no output channel may hold any form of them: the API (status, syncs, events,
 * detail, plan, dry run, metrics, dashboard), the CLI in text and JSON, Sluice's log and
 * output, notifications, the SQLite store and every file Sluice writes. Only the workload
 * itself gets them.
 */
let work: string;
let repo: string;
let dataDir: string;
let port: number;
let serve: SluiceProcess;
let recipient: string;
let identity: string;
let hooks: Server;
const delivered: string[] = [];

const canary = (shape: (hex: () => string) => string) => shape(() => `CANARY-${canaryHex()}`);
/** In env: JSON, YAML and URL escaping all differ from the raw value (ESC, tab, quote, backslash, é). */
const envFirst = canary((h) => `${h()} "q\\b/s p&x=%41+é\t\x1b${h()}`);
/** The rotated env value: a URL with a query, as tokens often come. */
const envSecond = canary((h) => `https://user:${h()}@api.example.com/?key=${h()}&z=1`);
/** In args: a quoted, backslashed token. */
const argToken = canary((h) => `--token=${h()}"\\${h()}`);
/** In command: a path that does not exist, so the failure quotes it. */
const command = canary((h) => `/nonexistent/${h()}/hello`);
/** In args again, with a NUL byte: spawning fails and quotes it in its escaped form. */
const nulToken = canary((h) => `--token=${h()}\u0000${h()}`);
const canaries = [envFirst, envSecond, argToken, command, nulToken];

const FINGERPRINT = /‹secret:sha256:[0-9a-f]{8}›/;
const overlay = 'apps/hello/overlays/dev/hello.yaml';
let plain: string;
const api = (p: string) => `http://127.0.0.1:${port}${p}`;
const auth = () => ({ headers: bearer(adminToken(dataDir)) });
const devScope = async () =>
  (await getJson<ProjectStatus>(api('/api/v1/status'), adminToken(dataDir))).apps.find((a) => a.env === 'dev')!;

async function commitOverlay(o: { env: string; arg: string; command?: string }, message: string): Promise<string> {
  const text = plain
    .replace('    VERSION: "1.0.0"', `    VERSION: "1.0.0"\n    API_TOKEN: ${JSON.stringify(o.env)}`)
    // After `--`, so node hands the token to the script rather than reading it as its own option.
    .replace('  replicas: 1', `    - "--"\n    - ${JSON.stringify(o.arg)}\n  replicas: 1`)
    .replace(/command: .*/, `command: ${JSON.stringify(o.command ?? '/usr/bin/node')}`);
  writeFileSync(
    join(repo, overlay),
    await encryptSopsFile(text, overlay, {
      recipients: [recipient],
      rules: { encryptedRegex: '^(API_TOKEN|command|args)$' },
    }),
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

/**
 * Runs the CLI in this process: the same commands and formatters as the binary without a Node
 * start per call, which a loaded machine makes slow. One call below runs the real binary.
 */
async function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const saved = { out: process.stdout.write, err: process.stderr.write, log: console.log, error: console.error };
  const savedEnv = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env, { NO_COLOR: '1' });
  process.stdout.write = ((c: string | Uint8Array) => ((stdout += c.toString()), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => ((stderr += c.toString()), true)) as typeof process.stderr.write;
  console.log = (...a: unknown[]) => (stdout += `${format(...a)}\n`);
  console.error = (...a: unknown[]) => (stderr += `${format(...a)}\n`);
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    Object.assign(process.stdout, { write: saved.out });
    Object.assign(process.stderr, { write: saved.err });
    console.log = saved.log;
    console.error = saved.error;
    for (const [k, v] of Object.entries(savedEnv))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    process.exitCode = undefined;
  }
}

const cli = async (...args: string[]) => {
  const r = await runCli(['--data-dir', dataDir, ...args]);
  return `${r.stdout}\n${r.stderr}`;
};

/** Every output that shows a plan or the desired state, labelled with the stage it was taken at. */
/** Every output that shows a plan; `planned` false when the revision is refused before any plan. */
async function planOutputs(stage: string, planned = true): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  out[`${stage} cli diff`] = await cli('diff', 'hello', '--env', 'dev');
  out[`${stage} cli diff json`] = await cli('diff', 'hello', '--env', 'dev', '-o', 'json');
  out[`${stage} cli sync --dry-run`] = await cli('sync', 'hello', '--env', 'dev', '--dry-run');
  out[`${stage} cli sync --dry-run json`] = await cli('sync', 'hello', '--env', 'dev', '--dry-run', '-o', 'json');
  out[`${stage} api plan`] = await (await fetch(api('/api/v1/apps/hello/envs/dev/plan'), auth())).text();
  // An API request cannot ask for plaintext: unknown options are refused or ignored.
  out[`${stage} api plan showSecrets`] = await (
    await fetch(api('/api/v1/apps/hello/envs/dev/plan?showSecrets=true'), auth())
  ).text();
  for (const body of [{ dryRun: true }, { dryRun: true, showSecrets: true }]) {
    out[`${stage} api dry run ${JSON.stringify(body)}`] = await (
      await fetch(api('/api/v1/apps/hello/envs/dev/sync'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(adminToken(dataDir)) },
        body: JSON.stringify(body),
      })
    ).text();
  }
  out[`${stage} api detail`] = await (await fetch(api('/api/v1/apps/hello/envs/dev'), auth())).text();
  if (!planned) return out;
  // The plan still shows that a secret field changes, by its fingerprint.
  expect(out[`${stage} cli diff`]).toMatch(FINGERPRINT);
  expect(out[`${stage} cli diff json`]).toMatch(FINGERPRINT);
  expect(out[`${stage} api plan`]).toMatch(FINGERPRINT);
  return out;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'sluice-canary-'));
  repo = join(work, 'config');
  dataDir = join(work, 'data');
  port = await freePortBlock(40);
  identity = await generateIdentity();
  recipient = await identityToRecipient(identity);
  // A webhook sink: notifications are an output channel too.
  hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      delivered.push(body);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  const hookPort = (hooks.address() as { port: number }).port;
  expect(runSluiceSync(['init', repo, '--base-port', String(port)]).code).toBe(0);
  const project = readFileSync(join(repo, 'sluice.yaml'), 'utf8');
  writeFileSync(
    join(repo, 'sluice.yaml'),
    project.replace(
      '  apps:',
      `  notifications:\n    - { name: hook, type: webhook, url: "http://127.0.0.1:${hookPort}/hook", events: [sync.failed, drift.detected] }\n  apps:`,
    ),
  );
  plain = readFileSync(join(repo, overlay), 'utf8');
  await commitOverlay({ env: envFirst, arg: argToken }, 'Add the API token');
  serve = spawnSluice(['--data-dir', dataDir, 'serve', '--repo', repo, '--port', String(port), '--keep-workloads'], {
    SOPS_AGE_KEY: identity,
  });
  await serve.waitFor('dashboard', 60_000);
}, 90_000);

afterAll(async () => {
  serve?.child.kill('SIGINT');
  await serve?.exited;
  for (const p of ownedProcesses(dataDir)) process.kill(p.pid, 'SIGKILL');
  // Keep-alive connections of the webhook sink would hold close() open.
  hooks?.closeAllConnections();
  await new Promise((r) => hooks?.close(r));
  rmSync(work, { recursive: true, force: true });
}, 120_000);

describe('secrets never leak', () => {
  it('the workload gets the decrypted values, and nothing else shows any form of them', async () => {
    const outputs: Record<string, string> = {};
    await eventually(async () => ((await devScope()).health === 'Healthy' ? true : undefined), 60_000, 'dev healthy');
    const dev = ownedProcesses(dataDir).find((p) => p.env.SLUICE_ENV === 'dev')!;
    expect(dev.env.API_TOKEN).toBe(envFirst);
    expect(readFileSync(`/proc/${dev.pid}/cmdline`, 'utf8').split('\0')).toContain(argToken);

    // A rotation: the diff may say the secret changed, never how.
    const rotated = await commitOverlay({ env: envSecond, arg: argToken }, 'Rotate the API token');
    await eventually(
      async () => ((await devScope()).syncedRevision === rotated ? true : undefined),
      30_000,
      'rotation synced',
    );
    expect(ownedProcesses(dataDir).find((p) => p.env.SLUICE_ENV === 'dev')!.env.API_TOKEN).toBe(envSecond);

    // A failing sync whose error quotes the (secret) command; the plan shows the change.
    const broken = await commitOverlay({ env: envSecond, arg: argToken, command }, 'Break the command');
    const failed = await eventually(
      async () => {
        const s = await devScope();
        return s.sync === 'Stalled' && s.desiredRevision === broken ? s : undefined;
      },
      30_000,
      'a failed sync',
    );
    // The failure still says what went wrong, with the command's fingerprint in its place.
    expect.soft(failed.error!.message).toMatch(FINGERPRINT);
    Object.assign(outputs, await planOutputs('bad command'));
    // The binary once (its default output), then JSON in this process.
    for (const format of ['yaml', 'json']) {
      const args = ['render', 'hello', '--env', 'dev', '--repo', repo, '-o', format];
      const r =
        format === 'yaml'
          ? runSluiceSync(args, { SOPS_AGE_KEY: identity })
          : await runCli(args, { SOPS_AGE_KEY: identity });
      expect(r.code).toBe(0);
      outputs[`cli render ${format}`] = `${r.stdout}\n${r.stderr}`;
      expect(r.stdout).toMatch(FINGERPRINT);
    }
    // --show-secrets is the one explicit, local way to see them: proof the render held them.
    const shown = await runCli(['render', 'hello', '--env', 'dev', '--repo', repo, '-o', 'json', '--show-secrets'], {
      SOPS_AGE_KEY: identity,
    });
    expect(findCanaryTraces({ shown: shown.stdout }, [argToken, envSecond])).toEqual(['shown']);

    // A NUL byte in an argument: refused before any plan, and the error never quotes it, in any escaped form.
    const nul = await commitOverlay({ env: envSecond, arg: nulToken }, 'An argument with a NUL byte');
    const nulFailed = await eventually(
      async () => {
        const s = await devScope();
        return s.desiredRevision === nul && s.error ? s : undefined;
      },
      30_000,
      'the NUL argument refused',
    );
    expect.soft(nulFailed.error!.message).toMatch(/NUL/);
    Object.assign(outputs, await planOutputs('nul argument', false));

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
    await eventually(() => (delivered.length > 0 ? true : undefined), 30_000, 'a notification delivered');

    for (const path of [
      '/api/v1/status',
      '/api/v1/syncs?limit=100',
      '/api/v1/events?limit=500',
      '/api/v1/apps/hello/envs/dev',
      '/api/v1/apps/hello/envs/dev/plan',
      '/metrics',
      '/',
    ]) {
      outputs[`api ${path}`] = await (await fetch(api(path), auth())).text();
    }
    outputs['cli status'] = await cli('status');
    outputs['cli status json'] = await cli('status', '-o', 'json');
    const binary = runSluiceSync(['--data-dir', dataDir, 'history', '-n', '100']);
    outputs['cli history (binary)'] = `${binary.stdout}\n${binary.stderr}`;
    outputs['cli history json'] = await cli('history', '-o', 'json', '-n', '100');
    outputs['cli events'] = await cli('events');
    outputs['cli events json'] = await cli('events', '-o', 'json');

    // A restart: the replica still running (started from the rotation, whose argument token no
    // later revision holds) is adopted from its sealed state, that token learnt back from the
    // recorded fingerprint, and nothing about it is written down in plaintext.
    const running = ownedProcesses(dataDir).find((p) => p.env.SLUICE_ENV === 'dev')!;
    expect(running.env.API_TOKEN).toBe(envSecond);
    outputs['serve output'] = serve.output();
    serve.child.kill('SIGINT');
    await serve.exited;
    git(repo, 'revert', '--no-edit', 'HEAD');
    const reverted = git(repo, 'rev-parse', 'HEAD').trim();
    serve = spawnSluice(['--data-dir', dataDir, 'serve', '--repo', repo, '--port', String(port), '--keep-workloads'], {
      SOPS_AGE_KEY: identity,
    });
    await serve.waitFor('dashboard', 60_000);
    await eventually(
      async () => {
        const s = await devScope();
        return s?.desiredRevision === reverted && s.error ? s : undefined;
      },
      30_000,
      'the restarted server refuses the NUL argument again',
    );
    expect(ownedProcesses(dataDir).find((p) => p.env.SLUICE_ENV === 'dev')!.pid).toBe(running.pid);
    for (const path of ['/api/v1/status', '/api/v1/events?limit=500', '/api/v1/apps/hello/envs/dev'])
      outputs[`api ${path} after restart`] = await (await fetch(api(path), auth())).text();
    outputs['serve output after restart'] = serve.output();
    delivered.forEach((body, i) => (outputs[`notification ${i}`] = body));
    // Replica logs are the workload's own output; everything Sluice writes is searched.
    Object.assign(
      outputs,
      filesUnder(dataDir, (rel) => rel.startsWith('process/logs') || rel.startsWith('quickstart')),
    );
    expect(Object.keys(outputs).some((k) => k.includes('sluice.db'))).toBe(true);
    expect(Object.keys(outputs).some((k) => k.includes('sluice.log'))).toBe(true);
    expect(findCanaryTraces(outputs, canaries)).toEqual([]);
    // The search itself works: escaped and encoded forms would be found if they were there.
    for (const c of canaries)
      for (const form of [
        c,
        JSON.stringify(c),
        JSON.stringify(JSON.stringify(c)),
        encodeURIComponent(c),
        Buffer.from(`x${c}`).toString('base64'),
      ])
        expect(findCanaryTraces({ probe: form }, [c])).toEqual(['probe']);
  }, 300_000);

  it('an API token is shown once and never again: not in the log, the store (only its hash), errors or answers', async () => {
    const created = await runCli([
      '--data-dir',
      dataDir,
      'token',
      'create',
      '--name',
      'canary-ci',
      '--role',
      'deployer',
      '--env',
      'dev',
    ]);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^sluice_/);
    const admin = adminToken(dataDir);
    const seen: Record<string, string> = { 'token create stderr': created.stderr };
    const ask = async (label: string, path: string, init: RequestInit = {}) => {
      const res = await fetch(api(path), init);
      seen[label] = `${res.status} ${JSON.stringify([...res.headers])} ${await res.text()}`;
      return res.status;
    };
    const as = (t: string, body?: unknown): RequestInit => ({
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${t}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(await ask('status', '/api/v1/status', as(token))).toBe(200);
    expect(await ask('detail', '/api/v1/apps/hello/envs/dev', as(token))).toBe(200);
    expect(await ask('sync', '/api/v1/apps/hello/envs/dev/sync', as(token, {}))).toBe(202);
    expect(await ask('forbidden', '/api/v1/promotions/9999/approve', as(token, {}))).toBe(403);
    expect(await ask('bad body', '/api/v1/apps/hello/envs/dev/sync', as(token, { token }))).toBe(400);
    expect(await ask('near miss', '/api/v1/status', as(`${token}x`))).toBe(401);
    const signIn = { method: 'POST', headers: { 'content-type': 'application/json' } };
    expect(await ask('sign in', '/api/v1/session', { ...signIn, body: JSON.stringify({ token }) })).toBe(200);
    expect(
      await ask('bad sign in', '/api/v1/session', { ...signIn, body: JSON.stringify({ token: `${token}x` }) }),
    ).toBe(401);
    expect(await ask('audit', '/api/v1/audit', as(admin))).toBe(200);
    expect(await ask('tokens', '/api/v1/tokens', as(admin))).toBe(200);
    seen['cli token list'] = await cli('token', 'list', '-o', 'json');
    seen['cli token revoke'] = await cli('token', 'revoke', 'canary-ci');
    expect(await ask('revoked', '/api/v1/status', as(token))).toBe(401);
    seen['serve output'] = serve.output();
    Object.assign(
      seen,
      filesUnder(dataDir, (rel) => rel.startsWith('process/logs') || rel.startsWith('quickstart')),
    );
    expect(Object.keys(seen).some((k) => k.includes('sluice.log'))).toBe(true);
    const stored = Object.entries(seen)
      .filter(([k]) => k.includes('sluice.db'))
      .map(([, v]) => v)
      .join('');
    expect(stored).toContain(hashToken(token));
    expect(findCanaryTraces(seen, [token, `${token}x`])).toEqual([]);
    // The admin token lives in its own file and nowhere else.
    const { 'file admin-token': adminFile, ...rest } = seen;
    expect(adminFile).toContain(admin);
    expect(findCanaryTraces(rest, [admin])).toEqual([]);
  }, 120_000);
});
