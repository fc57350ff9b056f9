import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isSluiceError } from '../../errors/index.js';
import { OidcLoginError, safeReturnTo, type OidcIdentity, type OidcLogin } from '../auth/oidc.js';
import { TRANSACTION_TTL_SECONDS } from '../auth/oidc-transaction.js';

/**
 * Starts a dashboard session for an identity (`issueSession` of src/server/auth/session.ts, see
 * CONTRACTS.md): passed in, so single sign-on needs nothing of how sessions are kept.
 */
export type IssueSession = (reply: FastifyReply, identity: OidcIdentity) => Promise<void>;

export interface OidcRouteOptions {
  login: OidcLogin;
  issueSession: IssueSession;
}

/** The browser's sign-in transaction; only ever sent to the callback. */
export const TRANSACTION_COOKIE = 'sluice_oidc_login';

/**
 * `GET /auth/oidc/login` sends the browser to the identity provider; `GET /auth/oidc/callback`
 * finishes the sign-in, starts a session and lands on the page the sign-in started from. Both
 * are public: they are how a credential is obtained.
 */
export function oidcRoutes(o: OidcRouteOptions): (app: FastifyInstance) => void {
  const redirectUrl = o.login.settings.redirectUrl;
  const cookiePath = redirectUrl.pathname;
  const secure = redirectUrl.protocol === 'https:';
  // Lax, not Strict: the callback is a top-level navigation coming from the provider's site, and
  // a Strict cookie would not be sent with it.
  const cookie = (value: string, maxAge: number): string =>
    `${TRANSACTION_COOKIE}=${value}; Path=${cookiePath}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;

  return (app) => {
    app.get<{ Querystring: { returnTo?: string } }>(
      '/auth/oidc/login',
      { config: { auth: 'public' } },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        let started: Awaited<ReturnType<OidcLogin['start']>>;
        try {
          started = await o.login.start(safeReturnTo(req.query.returnTo));
        } catch (e) {
          if (isSluiceError(e)) return refuse(req, reply, 502, e.code, e.message, e.hint);
          throw e;
        }
        return reply
          .header('set-cookie', cookie(started.sealedTransaction, TRANSACTION_TTL_SECONDS))
          .redirect(started.authorizationUrl.href, 302);
      },
    );

    app.get('/auth/oidc/callback', { config: { auth: 'public' } }, async (req, reply) => {
      // A transaction is good for one try, whatever its outcome.
      reply.header('set-cookie', cookie('', 0)).header('cache-control', 'no-store');
      const query = new URLSearchParams(req.url.slice(req.url.indexOf('?') + 1 || req.url.length));
      try {
        const { identity, returnTo } = await o.login.finish(query, readCookie(req, TRANSACTION_COOKIE));
        await o.issueSession(reply, identity);
        return await reply.redirect(returnTo, 302);
      } catch (e) {
        if (e instanceof OidcLoginError) return refuse(req, reply, 401, e.code, e.message, e.hint);
        if (isSluiceError(e)) return refuse(req, reply, 502, e.code, e.message, e.hint);
        throw e;
      }
    });
  };
}

/** What the sign-in page may offer besides an API token. */
export interface SignInOptions {
  /** Single sign-on is configured: the page offers it, starting at `loginUrl`. */
  oidc: { enabled: true; loginUrl: string } | { enabled: false };
}

/**
 * `GET /auth/oidc/config` tells the sign-in page whether to offer single sign-on. Public: it is
 * read before anyone is signed in, and says nothing but whether the server has it configured.
 */
export function signInOptionsRoute(oidcConfigured: boolean): (app: FastifyInstance) => void {
  const answer: SignInOptions = {
    oidc: oidcConfigured ? { enabled: true, loginUrl: '/auth/oidc/login' } : { enabled: false },
  };
  return (app) => {
    app.get('/auth/oidc/config', { config: { auth: 'public' } }, async (_req, reply) => {
      // A server restarted with other settings must not be remembered as it was.
      reply.header('cache-control', 'no-store');
      return answer;
    });
  };
}

/** A refusal a person can read in the browser, or JSON for a script. Never echoes the query. */
function refuse(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  hint: string | undefined,
): FastifyReply {
  reply.code(status);
  if (!(req.headers.accept ?? '').includes('text/html')) return reply.send({ code, message, hint });
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in failed · Sluice</title></head>
<body><main>
<h1>Sign-in failed</h1>
<p>${escapeHtml(message)}</p>
${hint ? `<p>${escapeHtml(hint)}</p>` : ''}
<p><code>${escapeHtml(code)}</code></p>
<p><a href="/auth/oidc/login">Sign in again</a></p>
</main></body></html>
`;
  return reply.type('text/html; charset=utf-8').send(page);
}

function readCookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
