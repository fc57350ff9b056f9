import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEX_PASSWORD, dexSubject } from '../../support/dex.js';
import { CLIENT_ID, SESSION_COOKIE, startRig, USERS, type SsoRig } from './harness.js';

/**
 * The authorization code flow with PKCE driven over real HTTP: the app's routes, a real Dex and
 * its login form, cookies kept per origin the way a browser keeps them.
 */

class Agent {
  private readonly jar = new Map<string, Map<string, string>>();

  cookies(url: string): Map<string, string> {
    const origin = new URL(url).origin;
    let c = this.jar.get(origin);
    if (!c) this.jar.set(origin, (c = new Map()));
    return c;
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const jar = this.cookies(url);
    const headers = new Headers(init.headers);
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }

  /** Follows redirects until a response that is not one; returns it and the URL it came from. */
  async follow(url: string, init: RequestInit = {}): Promise<{ res: Response; url: string }> {
    let res = await this.request(url, init);
    for (let hops = 0; res.status >= 300 && res.status < 400; hops++) {
      if (hops > 10) throw new Error('too many redirects');
      url = new URL(res.headers.get('location')!, url).href;
      res = await this.request(url);
    }
    return { res, url };
  }
}

/**
 * Starts at the app's login route and goes through Dex's password form. Returns the callback
 * URL Dex sends the browser to, without following it, so a test can tamper with it.
 */
async function signInAtDex(rig: SsoRig, agent: Agent, email: string, returnTo?: string): Promise<URL> {
  const start = `${rig.url}/auth/oidc/login${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`;
  const { res: form, url: formUrl } = await agent.follow(start);
  expect(form.status).toBe(200);
  const html = await form.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  expect(action, `Dex's login form:\n${html}`).toBeDefined();
  const post = await agent.request(new URL(action!.replace(/&amp;/g, '&'), formUrl).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login: email, password: DEX_PASSWORD }).toString(),
  });
  // Dex answers the form with redirects ending at the registered redirect URI.
  let url = formUrl;
  let res = post;
  for (let hops = 0; ; hops++) {
    expect(res.status, `Dex refused the sign-in: ${res.status}`).toBeGreaterThanOrEqual(300);
    expect(res.status).toBeLessThan(400);
    const next = new URL(res.headers.get('location')!, url);
    if (next.origin === rig.url) return next;
    if (hops > 10) throw new Error('Dex never sent the browser back');
    url = next.href;
    res = await agent.request(url);
  }
}

describe('single sign-on through Dex', () => {
  let rig: SsoRig | undefined;

  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(async () => {
    await rig?.stop();
  });

  it('signs Ada in with the subject, email and groups of her ID token and lands where she started', async (ctx) => {
    if (!rig) return ctx.skip();
    const agent = new Agent();
    const login = await agent.request(`${rig.url}/auth/oidc/login?returnTo=%2Fapps%2Fpayments`);
    expect(login.status).toBe(302);
    const [txCookie] = login.headers.getSetCookie();
    expect(txCookie).toMatch(
      /^sluice_oidc_login=[\w.-]+; Path=\/auth\/oidc\/callback; Max-Age=600; HttpOnly; SameSite=Lax$/,
    );
    const authorize = new URL(login.headers.get('location')!);
    expect(authorize.href.startsWith(`${rig.dex.issuer}/auth`)).toBe(true);
    expect(authorize.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    expect(authorize.searchParams.get('scope')).toBe('openid profile email groups');

    const before = rig.sessions.length;
    const callback = await signInAtDex(rig, agent, USERS[0]!.email, '/apps/payments');
    expect(callback.pathname).toBe('/auth/oidc/callback');
    const done = await agent.request(callback.href);
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe('/apps/payments');
    expect(rig.sessions.slice(before)).toEqual([
      {
        subject: `oidc:${dexSubject(USERS[0]!.userID)}`,
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        groups: ['release-managers', 'payments'],
        via: 'oidc',
      },
    ]);
    // The session cookie is set; the one-use sign-in cookie is gone.
    expect(agent.cookies(rig.url).get(SESSION_COOKIE)).toBeDefined();
    expect(agent.cookies(rig.url).has('sluice_oidc_login')).toBe(false);
    const home = await agent.request(`${rig.url}/apps/payments`);
    expect(await home.text()).toContain('signed in as Ada Lovelace');
  });

  it('gives a user without groups an empty list, and a different subject', async (ctx) => {
    if (!rig) return ctx.skip();
    const agent = new Agent();
    const before = rig.sessions.length;
    const callback = await signInAtDex(rig, agent, USERS[1]!.email);
    const done = await agent.request(callback.href);
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe('/');
    expect(rig.sessions.slice(before)).toEqual([
      {
        subject: `oidc:${dexSubject(USERS[1]!.userID)}`,
        name: 'Bob Builder',
        email: 'bob@example.com',
        groups: [],
        via: 'oidc',
      },
    ]);
  });

  it('refuses a callback whose state was changed, and names the reason without echoing the code', async (ctx) => {
    if (!rig) return ctx.skip();
    const agent = new Agent();
    const before = rig.sessions.length;
    const callback = await signInAtDex(rig, agent, USERS[0]!.email);
    const code = callback.searchParams.get('code')!;
    callback.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    const res = await agent.request(callback.href, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(401);
    const body = await res.text();
    expect(JSON.parse(body)).toMatchObject({ code: 'OIDC_STATE_MISMATCH' });
    expect(body).not.toContain(code);
    expect(rig.sessions.length).toBe(before);
    expect(agent.cookies(rig.url).has(SESSION_COOKIE)).toBe(false);
  });

  it('refuses a changed authorization code: Dex does not exchange it', async (ctx) => {
    if (!rig) return ctx.skip();
    const agent = new Agent();
    const before = rig.sessions.length;
    const callback = await signInAtDex(rig, agent, USERS[0]!.email);
    const code = callback.searchParams.get('code')!;
    callback.searchParams.set('code', `${code.slice(0, -2)}zz`);
    const res = await agent.request(callback.href, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(401);
    const page = await res.text();
    expect(page).toContain('Sign-in failed');
    expect(page).toContain('OIDC_TOKEN_REFUSED');
    expect(page).not.toContain(code.slice(0, -2));
    expect(rig.sessions.length).toBe(before);
  });

  it('refuses a code used a second time and a callback from a browser that never started a sign-in', async (ctx) => {
    if (!rig) return ctx.skip();
    const agent = new Agent();
    const callback = await signInAtDex(rig, agent, USERS[0]!.email);
    // Captured before the browser follows it, the way a link handed to someone else would be.
    const stranger = new Agent();
    const foreign = await stranger.request(callback.href, { headers: { accept: 'application/json' } });
    expect(foreign.status).toBe(401);
    expect(await foreign.json()).toMatchObject({ code: 'OIDC_NO_TRANSACTION' });

    const cookie = agent.cookies(rig.url).get('sluice_oidc_login')!;
    expect((await agent.request(callback.href)).status).toBe(302);
    const before = rig.sessions.length;
    // The same cookie and code again: Dex has already redeemed the code.
    const replay = new Agent();
    replay.cookies(rig.url).set('sluice_oidc_login', cookie);
    const again = await replay.request(callback.href, { headers: { accept: 'application/json' } });
    expect(again.status).toBe(401);
    expect(await again.json()).toMatchObject({ code: 'OIDC_TOKEN_REFUSED' });
    expect(rig.sessions.length).toBe(before);
  });

  it('reports an error the provider sends back', async (ctx) => {
    if (!rig) return ctx.skip();
    const agent = new Agent();
    await agent.request(`${rig.url}/auth/oidc/login`);
    const res = await agent.request(
      `${rig.url}/auth/oidc/callback?error=access_denied&error_description=${encodeURIComponent('<b>no</b>')}`,
      { headers: { accept: 'text/html' } },
    );
    expect(res.status).toBe(401);
    const page = await res.text();
    expect(page).toContain('access_denied');
    expect(page).toContain('&#60;b&#62;no&#60;/b&#62;');
    expect(page).not.toContain('<b>no</b>');
  });
});

describe('single sign-on through Dex, with a tampered or stale answer', () => {
  let rig: SsoRig | undefined;
  let clock = Date.now();
  let tamper = false;

  beforeAll(async () => {
    rig = await startRig({
      now: () => clock,
      // Between Sluice and the provider, rewriting the ID token's claims as an attacker would
      // (Ada made an admin); the signature, made by Dex over the original, no longer matches.
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
        if (!tamper || !url.endsWith('/token') || !res.ok) return res;
        const body = (await res.json()) as { id_token: string };
        const [header, payload, signature] = body.id_token.split('.') as [string, string, string];
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { groups?: string[] };
        claims.groups = ['admins'];
        body.id_token = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
        return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
      },
    });
  });
  afterAll(async () => {
    await rig?.stop();
  });

  it('refuses an ID token whose claims were changed after Dex signed it', async (ctx) => {
    if (!rig) return ctx.skip();
    const agent = new Agent();
    const callback = await signInAtDex(rig, agent, USERS[0]!.email);
    tamper = true;
    try {
      const res = await agent.request(callback.href, { headers: { accept: 'application/json' } });
      expect(res.status).toBe(401);
      const body = (await res.json()) as { code: string; message: string };
      expect(body.code).toBe('OIDC_ID_TOKEN_INVALID');
      expect(body.message).toMatch(/signature/i);
      expect(rig.sessions).toEqual([]);
    } finally {
      tamper = false;
    }
  });

  it('refuses a sign-in finished after its transaction expired', async (ctx) => {
    if (!rig) return ctx.skip();
    const agent = new Agent();
    const callback = await signInAtDex(rig, agent, USERS[0]!.email);
    clock += 11 * 60_000;
    const res = await agent.request(callback.href, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'OIDC_TRANSACTION_EXPIRED' });
    expect(rig.sessions).toEqual([]);
  });
});
