import Fastify, { type FastifyInstance } from 'fastify';
import { OidcLogin, type OidcIdentity, type OidcLoginOptions } from '../../../src/server/auth/oidc.js';
import { oidcSettings } from '../../../src/server/auth/oidc-settings.js';
import { oidcRoutes } from '../../../src/server/routes/oidc.js';
import { dexBinary, startDex, type Dex, type DexUser } from '../../support/dex.js';
import { freePortBlock } from '../../support/sluice.js';

/** Two people in Dex's password database; both sign in with DEX_PASSWORD. */
export const USERS: DexUser[] = [
  {
    email: 'ada@example.com',
    username: 'ada',
    name: 'Ada Lovelace',
    userID: '7d3b1f2e-0a4c-4f7e-9a51-2b6f0c9d8e11',
    groups: ['release-managers', 'payments'],
  },
  {
    email: 'bob@example.com',
    username: 'bob',
    name: 'Bob Builder',
    userID: 'c1f0e9d8-5b4a-4c3d-8e2f-1a0b9c8d7e66',
    groups: [],
  },
];

export const CLIENT_ID = 'sluice-dashboard';
const CLIENT_SECRET = 'client-secret-of-the-test-dex';
export const SESSION_COOKIE = 'sluice_session';

/**
 * A Fastify app with the single sign-on routes and a recording issueSession in front of a real
 * Dex. `/` answers with the identity of the session cookie, as the dashboard would.
 */
export interface SsoRig {
  dex: Dex;
  app: FastifyInstance;
  url: string;
  sessions: OidcIdentity[];
  stop(): Promise<void>;
}

export async function startRig(options: OidcLoginOptions = {}): Promise<SsoRig | undefined> {
  const bin = dexBinary();
  if (!bin) return undefined;
  // The redirect URI is registered in Dex's config, so the app's port is chosen first.
  const port = await freePortBlock(1);
  const url = `http://127.0.0.1:${port}`;
  const redirectUrl = `${url}/auth/oidc/callback`;
  const dex = await startDex({
    bin,
    client: { id: CLIENT_ID, secret: CLIENT_SECRET, redirectURIs: [redirectUrl] },
    users: USERS,
  });
  const settings = oidcSettings(
    { issuer: dex.issuer, clientId: CLIENT_ID, redirectUrl },
    { SLUICE_OIDC_CLIENT_SECRET: CLIENT_SECRET },
  )!;
  const sessions: OidcIdentity[] = [];
  const byCookie = new Map<string, OidcIdentity>();
  const app = Fastify({ logger: false });
  oidcRoutes({
    login: new OidcLogin(settings, options),
    issueSession: async (reply, identity) => {
      sessions.push(identity);
      const id = `s${sessions.length}`;
      byCookie.set(id, identity);
      reply.header('set-cookie', `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict`);
    },
  })(app);
  app.get('/*', async (req, reply) => {
    const id = /(?:^|;\s*)sluice_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const who = id ? byCookie.get(id) : undefined;
    return reply
      .type('text/html')
      .send(
        `<!doctype html><title>Sluice</title><p id="who">${who ? `signed in as ${who.name}` : 'not signed in'}</p>`,
      );
  });
  await app.listen({ port, host: '127.0.0.1' });
  return {
    dex,
    app,
    url,
    sessions,
    stop: async () => {
      await app.close();
      await dex.stop();
    },
  };
}
