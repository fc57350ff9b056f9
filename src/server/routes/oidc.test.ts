import Fastify from 'fastify';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { OidcLogin } from '../auth/oidc.js';
import { oidcSettings } from '../auth/oidc-settings.js';
import { oidcRoutes, signInOptionsRoute } from './oidc.js';

/** A loopback port nothing listens on: bound, noted, closed. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function app(issuer: string) {
  const settings = oidcSettings(
    { issuer, clientId: 'sluice', redirectUrl: 'https://sluice.example.com/auth/oidc/callback' },
    {},
  )!;
  const sessions: unknown[] = [];
  const a = Fastify();
  oidcRoutes({ login: new OidcLogin(settings), issueSession: async (_r, id) => void sessions.push(id) })(a);
  await a.ready();
  return { a, sessions };
}

describe('single sign-on routes without a provider', () => {
  it('answer 502 naming the issuer when the provider cannot be reached', async () => {
    const issuer = `http://127.0.0.1:${await closedPort()}/dex`;
    const { a } = await app(issuer);
    const res = await a.inject({ url: '/auth/oidc/login' });
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({ code: 'OIDC_DISCOVERY_FAILED' });
    expect(res.json().message).toContain(issuer);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('refuse a callback with no sign-in cookie before asking the provider', async () => {
    const { a, sessions } = await app(`http://127.0.0.1:${await closedPort()}/dex`);
    const res = await a.inject({ url: '/auth/oidc/callback?code=secret-code&state=s' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'OIDC_NO_TRANSACTION' });
    expect(res.body).not.toContain('secret-code');
    // The one-use cookie is cleared on every answer, with the attributes it was set with.
    expect(res.headers['set-cookie']).toBe(
      'sluice_oidc_login=; Path=/auth/oidc/callback; Max-Age=0; HttpOnly; SameSite=Lax; Secure',
    );
    expect(sessions).toEqual([]);
  });

  it('refuse a forged sign-in cookie', async () => {
    const { a } = await app(`http://127.0.0.1:${await closedPort()}/dex`);
    const res = await a.inject({
      url: '/auth/oidc/callback?code=c&state=s',
      headers: { cookie: 'other=1; sluice_oidc_login=eyJhbGciOiJkaXIifQ..x.y.z', accept: 'text/html' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('not one this server issued');
  });
});

describe('the sign-in options the dashboard reads', () => {
  it('offer single sign-on only when the server has it configured, to anyone', async () => {
    for (const configured of [true, false]) {
      const a = Fastify();
      signInOptionsRoute(configured)(a);
      await a.ready();
      const res = await a.inject({ url: '/auth/oidc/config' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.json()).toEqual({
        oidc: configured ? { enabled: true, loginUrl: '/auth/oidc/login' } : { enabled: false },
      });
      await a.close();
    }
  });
});
