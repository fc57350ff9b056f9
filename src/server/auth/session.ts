import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from './identity.js';

export const SESSION_COOKIE = 'sluice_session';
/** Readable by the dashboard's script, which echoes it in the CSRF header (double submit). */
export const CSRF_COOKIE = 'sluice_csrf';
export const CSRF_HEADER = 'x-sluice-csrf';
const SESSION_MS = 8 * 3_600_000;

export interface Session {
  identity: Identity;
  csrf: string;
  expiresAt: number;
  /** Hash of the API token signed in with, so revoking the token ends the session too. */
  tokenHash?: string;
}

/**
 * Dashboard sessions, kept in the server's memory: a restart signs everyone out, which is the
 * safe way round, and nothing about a session reaches the store.
 */
export class Sessions {
  private readonly byId = new Map<string, Session>();

  constructor(private readonly now: () => number = Date.now) {}

  open(identity: Identity, tokenHash?: string): { id: string; session: Session } {
    const id = randomBytes(32).toString('base64url');
    const session: Session = {
      identity,
      csrf: randomBytes(24).toString('base64url'),
      expiresAt: this.now() + SESSION_MS,
      ...(tokenHash ? { tokenHash } : {}),
    };
    this.byId.set(id, session);
    return { id, session };
  }

  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.byId.get(id);
    if (s && s.expiresAt <= this.now()) {
      this.byId.delete(id);
      return undefined;
    }
    return s;
  }

  end(id: string | undefined): void {
    if (id) this.byId.delete(id);
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    sluiceSessions: Sessions;
  }
}

function secure(req: FastifyRequest): boolean {
  return req.protocol === 'https';
}

/**
 * Signs the browser in as `identity`: an HttpOnly, SameSite=Strict session cookie, plus the CSRF
 * cookie the dashboard sends back as a header on every mutating request.
 */
export async function issueSession(reply: FastifyReply, identity: Identity, tokenHash?: string): Promise<void> {
  const { id, session } = reply.server.sluiceSessions.open(identity, tokenHash);
  const base = { path: '/', sameSite: 'strict' as const, secure: secure(reply.request), maxAge: SESSION_MS / 1000 };
  reply.setCookie(SESSION_COOKIE, id, { ...base, httpOnly: true });
  reply.setCookie(CSRF_COOKIE, session.csrf, { ...base, httpOnly: false });
}

/** Signs the browser out: the session is forgotten and both cookies cleared. */
export function endSession(req: FastifyRequest, reply: FastifyReply): void {
  req.server.sluiceSessions.end(req.cookies[SESSION_COOKIE]);
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
  reply.clearCookie(CSRF_COOKIE, { path: '/' });
}
