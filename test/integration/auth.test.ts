import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../src/cli/runtime.js';
import { ROUTE_PERMISSIONS } from '../../src/server/auth/permissions.js';
import { Tokens } from '../../src/server/auth/tokens.js';
import type { AuditRecord } from '../../src/store/audit-types.js';
import type { ApprovalRecord, PromotionRecord } from '../../src/store/ledger-types.js';
import { openStore } from '../../src/store/index.js';
import { createConfigRepo, type ConfigRepo } from '../support/config-repo.js';
import { freePortBlock, ownedProcesses } from '../support/sluice.js';

/**
 * Who may do what, over real HTTP against a real runtime (real git, real SQLite): tokens and
 * their roles, the author who cannot approve, distinct approvers, sessions with CSRF, the rate
 * limit, the audit trail, and the refusal to listen beyond loopback without credentials.
 */
let dir: string;
let repo: ConfigRepo;
let rt: Runtime;
let admin: string;
const dataDir = () => join(dir, 'data');
/** A JSON answer, read loosely: each test states the fields it expects. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of many shapes, checked field by field
type Reply = any;

async function call(
  method: string,
  path: string,
  o: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Reply; headers: Headers }> {
  const res = await fetch(`${rt.url}${path}`, {
    method,
    headers: {
      ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
      ...o.headers,
    },
    ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
  });
  const text = await res.text();
  let body: Reply = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (metrics, the dashboard)
  }
  return { status: res.status, body, headers: res.headers };
}

async function token(name: string, role: string, environments: string[], user?: string): Promise<string> {
  const r = await call('POST', '/api/v1/tokens', {
    token: admin,
    body: { name, role, environments, ...(user ? { user } : {}) },
  });
  expect(r.status).toBe(201);
  return r.body.token as string;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-auth-'));
  const base = await freePortBlock(20);
  repo = createConfigRepo(join(dir, 'repo'), {
    basePort: base,
    prodRules: '      protected: true\n      promotion: { from: dev, approvals: 2 }\n',
  });
  rt = await startRuntime({
    repo: repo.url,
    dataDir: dataDir(),
    port: 0,
    host: '127.0.0.1',
    rateLimit: { max: 20, windowMs: 60_000 },
  });
  admin = readFileSync(join(dataDir(), 'admin-token'), 'utf8').trim();
}, 60_000);

afterAll(async () => {
  await rt?.stop({ stopWorkloads: true });
  for (const p of ownedProcesses(dataDir())) process.kill(p.pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('authentication', () => {
  it('writes the loopback admin token with mode 0600', () => {
    expect(statSync(join(dataDir(), 'admin-token')).mode & 0o777).toBe(0o600);
    expect(admin).toMatch(/^sluice_[A-Za-z0-9_-]{43}$/);
  });

  it('answers 401 with a hint on every /api/v1 route without a token; /healthz stays public', async () => {
    const routes = Object.keys(ROUTE_PERMISSIONS)
      .filter((k) => k.includes(' /api/v1/'))
      .map((k) => k.split(' ') as [string, string]);
    routes.push(['GET', '/api/v1/no-such-route']);
    for (const [method, pattern] of routes) {
      const path = pattern.replace(':app', 'hello').replace(':env', 'dev').replace(':id', '1');
      const r = await call(method, path, method === 'GET' || method === 'DELETE' ? {} : { body: {} });
      expect(r.status, `${method} ${path}`).toBe(401);
      expect(r.body.hint, `${method} ${path}`).toBeTruthy();
    }
    expect((await call('GET', '/api/v1/status', { token: 'sluice_not-a-real-one' })).status).toBe(401);
    expect((await call('GET', '/healthz')).status).toBe(200);
    // Alone on its SQLite store the replica leads and holds every scope.
    expect(await call('GET', '/readyz')).toMatchObject({
      status: 200,
      body: { ready: true, instance: 'local', leader: true, scopesHeld: 2, store: 'ok' },
    });
    // Public on loopback only.
    expect((await call('GET', '/metrics')).status).toBe(200);
  });

  it('a revoked token stops working', async () => {
    const t = await token('short-lived', 'viewer', ['*']);
    expect((await call('GET', '/api/v1/status', { token: t })).status).toBe(200);
    expect((await call('DELETE', '/api/v1/tokens/short-lived', { token: admin })).status).toBe(200);
    expect((await call('GET', '/api/v1/status', { token: t })).status).toBe(401);
    const listed = await call('GET', '/api/v1/tokens', { token: admin });
    expect(JSON.stringify(listed.body)).not.toContain(t);
  });
});

describe('roles and approvals on a protected environment', () => {
  let promotionId: number;
  let carolDeploys: string;
  let carolReviews: string;
  let devDeployer: string;

  it('a deployer opens a request on prod; /me says what each token may do', async () => {
    carolDeploys = await token('carol-ci', 'deployer', ['dev', 'prod'], 'carol');
    carolReviews = await token('carol-review', 'approver', ['prod'], 'carol');
    devDeployer = await token('ci-app', 'deployer', ['dev']);
    const me = await call('GET', '/api/v1/me', { token: devDeployer });
    expect(me.body).toMatchObject({
      identity: { subject: 'token:ci-app', name: 'ci-app', via: 'token' },
      can: { sync: ['dev'], deploy: ['dev'], approve: [], admin: false },
    });
    const r = await call('POST', '/api/v1/apps/hello/envs/prod/artifacts', {
      token: carolDeploys,
      body: { artifacts: [repo.build('2.0.0')], actor: 'mallory' },
    });
    // The actor comes from the credential: a body naming one is refused outright.
    expect(r.status).toBe(400);
    const opened = await call('POST', '/api/v1/apps/hello/envs/prod/artifacts', {
      token: carolDeploys,
      body: { artifacts: [repo.build('2.0.0')] },
    });
    expect(opened.status).toBe(200);
    expect(opened.body.mode).toBe('requested');
    promotionId = opened.body.promotion.id;
    expect(opened.body.promotion.author).toBe('carol');
  });

  it('a deployer on dev cannot approve prod (403) nor set an image there', async () => {
    const r = await call('POST', `/api/v1/promotions/${promotionId}/approve`, { token: devDeployer, body: {} });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('AUTH_FORBIDDEN');
    const s = await call('POST', '/api/v1/apps/hello/envs/prod/artifacts', {
      token: devDeployer,
      body: { artifacts: [repo.build('2.0.1')] },
    });
    expect(s.status).toBe(403);
  });

  it('the author cannot approve, even with a second token of the same identity', async () => {
    const r = await call('POST', `/api/v1/promotions/${promotionId}/approve`, { token: carolReviews, body: {} });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('PROMOTE_SELF_APPROVAL');
  });

  it('N approvals are N distinct identities; two distinct approvers merge it', async () => {
    const alice1 = await token('alice-laptop', 'approver', ['prod'], 'alice');
    const alice2 = await token('alice-phone', 'approver', ['*'], 'alice');
    const bob = await token('bob', 'approver', ['prod']);
    const first = await call('POST', `/api/v1/promotions/${promotionId}/approve`, { token: alice1, body: {} });
    expect(first.status).toBe(200);
    const again = await call('POST', `/api/v1/promotions/${promotionId}/approve`, { token: alice2, body: {} });
    expect(again.status).toBe(200);
    const p = again.body as PromotionRecord & { approvals: ApprovalRecord[] };
    expect(p.state).toBe('open');
    expect(p.approvals.map((a) => a.actor)).toEqual(['alice']);
    const merged = await call('POST', `/api/v1/promotions/${promotionId}/approve`, { token: bob, body: {} });
    expect(merged.status).toBe(200);
    expect(merged.body.state).toBe('merged');
    expect((merged.body as { approvals: ApprovalRecord[] }).approvals.map((a) => a.actor).sort()).toEqual([
      'alice',
      'bob',
    ]);
  });

  it('the audit trail shows the calls, to admins and approvers only', async () => {
    const viewer = await token('watcher', 'viewer', ['*']);
    expect((await call('GET', '/api/v1/audit', { token: viewer })).status).toBe(403);
    const r = await call('GET', '/api/v1/audit?env=prod', { token: admin });
    expect(r.status).toBe(200);
    const calls = r.body as AuditRecord[];
    const approvals = calls.filter((c) => c.route === '/api/v1/promotions/:id/approve');
    expect(approvals.map((c) => `${c.actor}:${c.status}`)).toEqual(
      expect.arrayContaining(['ci-app:403', 'carol:403', 'alice:200', 'bob:200']),
    );
    expect(approvals.every((c) => c.env === 'prod')).toBe(true);
    const anonymous = await call('GET', '/api/v1/audit', { token: admin });
    expect((anonymous.body as AuditRecord[]).some((c) => c.subject === 'anonymous' && c.status === 401)).toBe(true);
  });
});

describe('dashboard sessions, CSRF, headers and limits', () => {
  it('a token signs in to a session cookie; cookie-authenticated changes need the CSRF header', async () => {
    const t = await token('dash', 'deployer', ['dev']);
    const signIn = await call('POST', '/api/v1/session', { body: { token: t } });
    expect(signIn.status).toBe(200);
    const cookies = signIn.headers.getSetCookie();
    expect(cookies.find((c) => c.startsWith('sluice_session='))).toMatch(/HttpOnly/i);
    expect(cookies.find((c) => c.startsWith('sluice_session='))).toMatch(/SameSite=Strict/i);
    const jar = cookies.map((c) => c.split(';')[0]).join('; ');
    const csrf = /sluice_csrf=([^;]+)/.exec(jar)![1]!;
    expect((await call('GET', '/api/v1/me', { headers: { cookie: jar } })).body.identity.name).toBe('dash');
    const forged = await call('POST', '/api/v1/apps/hello/envs/dev/sync', {
      headers: { cookie: jar },
      body: { dryRun: true },
    });
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('AUTH_CSRF');
    const ok = await call('POST', '/api/v1/apps/hello/envs/dev/sync', {
      headers: { cookie: jar, 'x-sluice-csrf': csrf },
      body: { dryRun: true },
    });
    expect(ok.status).toBe(200);
    expect((await call('DELETE', '/api/v1/session', { headers: { cookie: jar, 'x-sluice-csrf': csrf } })).status).toBe(
      204,
    );
    expect((await call('GET', '/api/v1/me', { headers: { cookie: jar } })).status).toBe(401);
  });

  it('pages carry security headers', async () => {
    const r = await call('GET', '/');
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBeTruthy();
  });

  it('refuses a body over the limit', async () => {
    const r = await call('POST', '/api/v1/promotions', {
      token: admin,
      body: { app: 'hello', to: 'prod', ciRun: 'x'.repeat(300 * 1024) },
    });
    expect(r.status).toBe(413);
  });

  it('rate-limits mutating calls per token with 429', async () => {
    const t = await token('hammer', 'approver', ['prod']);
    const other = await token('bystander', 'approver', ['prod']);
    let limited: { status: number; body: Reply } | undefined;
    for (let i = 0; i < 25 && !limited; i++) {
      const r = await call('POST', '/api/v1/promotions/9999/reject', { token: t, body: {} });
      if (r.status === 429) limited = r;
      else expect(r.status).toBe(404);
    }
    expect(limited?.body.code).toBe('RATE_LIMITED');
    // Another token is counted on its own.
    expect((await call('POST', '/api/v1/promotions/9999/reject', { token: other, body: {} })).status).toBe(404);
    // Reads are not limited.
    expect((await call('GET', '/api/v1/status', { token: t })).status).toBe(200);
  });
});

describe('listening beyond loopback', () => {
  it('refuses to start without credentials, and starts once a token exists', async () => {
    const other = join(dir, 'wide');
    await expect(startRuntime({ repo: repo.url, dataDir: other, port: 0, host: '0.0.0.0' })).rejects.toMatchObject({
      code: 'AUTH_NOT_CONFIGURED',
      hint: expect.stringContaining('sluice --data-dir'),
    });
    const store = openStore(other);
    await new Tokens(store.access).create({ name: 'ops', role: 'admin', environments: ['*'] });
    await store.close();
    const wide = await startRuntime({ repo: repo.url, dataDir: other, port: 0, host: '0.0.0.0' });
    try {
      expect(existsSync(join(other, 'admin-token'))).toBe(false);
      const port = new URL(wide.url).port;
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
    } finally {
      await wide.stop({ stopWorkloads: true });
    }
  }, 60_000);
});
