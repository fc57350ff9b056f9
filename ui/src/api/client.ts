import type {
  AppEnvDetail,
  AuditRecord,
  DoraReport,
  HoldRecord,
  Me,
  WhatRan,
  EventRecord,
  LedgerEntry,
  Plan,
  ProjectStatus,
  Promotion,
  PromotionState,
} from './types.ts';

/** A response the server sent but could not fulfil; distinct from the server being unreachable. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The server could not be reached at all (down, restarting, network gone). */
export class UnreachableError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'UnreachableError';
  }
}

const API = 'api/v1';

/**
 * The CSRF token the server set as a readable cookie at sign-in. Sent back as a header on every
 * change: another site can make the browser send the session cookie, but cannot read this one.
 */
function csrfHeader(): Record<string, string> {
  const m = /(?:^|;\s*)sluice_csrf=([^;]+)/.exec(document.cookie);
  return m ? { 'x-sluice-csrf': decodeURIComponent(m[1]!) } : {};
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  const changes = init?.method !== undefined && init.method !== 'GET';
  try {
    res = await fetch(path, {
      ...init,
      headers: { accept: 'application/json', ...(changes ? csrfHeader() : {}), ...init?.headers },
    });
  } catch (err) {
    throw new UnreachableError(err);
  }
  const text = await res.text();
  const body: unknown = text ? safeJson(text) : undefined;
  if (!res.ok) {
    const detail = errorDetail(body);
    throw new ApiError(res.status, detail.message ?? `${res.status} ${res.statusText}`, detail.code, detail.hint);
  }
  return body as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// Errors come as `{ code, message, hint }`; tolerate a nested `{ error: … }` or plain text too.
function errorDetail(body: unknown): { code?: string; message?: string; hint?: string } {
  if (typeof body === 'string') return body ? { message: body } : {};
  if (!body || typeof body !== 'object') return {};
  const b = body as Record<string, unknown>;
  if (b.error && typeof b.error === 'object') return errorDetail(b.error);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { code: str(b.code), message: str(b.message) ?? str(b.error), hint: str(b.hint) };
}

const scope = (app: string, env: string) => `${API}/apps/${encodeURIComponent(app)}/envs/${encodeURIComponent(env)}`;

/** Server-sent events: the whole status once, then each batch of changed scopes. */
export const statusStreamUrl = `${API}/status/stream`;

export const api = {
  status: () => request<ProjectStatus>(`${API}/status`),

  appEnv: (app: string, env: string) => request<AppEnvDetail>(scope(app, env)),

  events: (query: { app?: string; env?: string; limit?: number }) => {
    const params = new URLSearchParams();
    if (query.app) params.set('app', query.app);
    if (query.env) params.set('env', query.env);
    if (query.limit) params.set('limit', String(query.limit));
    return request<EventRecord[]>(`${API}/events?${params}`);
  },

  /** Queues a sync, or with dryRun computes the plan without touching the target. */
  sync: (app: string, env: string, dryRun: boolean) =>
    request<{ queued: true } | Plan>(`${scope(app, env)}/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dryRun }),
    }),

  /** Every change to one app in one environment, oldest first, each linked to its request, syncs and verifications. */
  ledger: (app: string, env: string) => request<LedgerEntry[]>(`${API}/ledger?${new URLSearchParams({ app, env })}`),

  /** Requests, newest first. */
  promotions: (query: { state?: PromotionState; limit?: number } = {}) => {
    const params = new URLSearchParams();
    if (query.state) params.set('state', query.state);
    if (query.limit) params.set('limit', String(query.limit));
    return request<Promotion[]>(`${API}/promotions?${params}`);
  },

  /** Approves or rejects a request as the signed-in identity; Sluice merges it once every gate passes. */
  review: (id: number, decision: 'approve' | 'reject', comment?: string) =>
    request<Promotion>(`${API}/promotions/${id}/${decision}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(comment ? { comment } : {}),
    }),

  /** The artifacts each app runs in an environment now. */
  whatRan: (env: string) => request<WhatRan>(`${API}/what-ran?${new URLSearchParams({ env })}`),

  /** Digests held now, in every environment. */
  holds: () => request<HoldRecord[]>(`${API}/holds`),

  /** Promotes what runs healthy in the environment before `to` (a commit, or a request where `to` has rules). */
  promote: (app: string, to: string) =>
    request<{ mode: string; promotion?: Promotion }>(`${API}/promotions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ app, to }),
    }),

  /** Rolls the app in the environment back to what ran before (a commit). */
  rollback: (app: string, env: string) =>
    request<{ mode: string; revision?: string }>(`${scope(app, env)}/rollback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({}),
    }),

  /** Who is signed in and what they may do; 401 when no one is. */
  me: () => request<Me>(`${API}/me`),

  /** Trades an API token for a session cookie; the token is not kept in the browser. */
  signIn: (token: string) =>
    request<Me>(`${API}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    }),

  signOut: () => request<void>(`${API}/session`, { method: 'DELETE' }),

  /** Mutating API calls, newest first (admins and approvers). */
  audit: (limit = 200) => request<AuditRecord[]>(`${API}/audit?${new URLSearchParams({ limit: String(limit) })}`),

  /** DORA metrics of one environment over the last `days` days. */
  dora: (env: string, days: number) =>
    request<DoraReport>(`${API}/dora?${new URLSearchParams({ env, since: `${days}d` })}`),
};

/** What the sign-in page may offer besides an API token. */
export interface SignInOptions {
  oidc: { enabled: true; loginUrl: string } | { enabled: false };
}

/** Read before anyone is signed in: whether the server offers single sign-on. */
export function signInOptions(): Promise<SignInOptions> {
  return request<SignInOptions>('auth/oidc/config');
}

/** One container (or replica, or pod) of a scope, as its target reports it now. */
export interface LiveContainer {
  name: string;
  service: string;
  state: string;
  health?: 'starting' | 'healthy' | 'unhealthy';
  ports: { published: number; target: number; protocol: string }[];
  image: string;
  digest?: string;
  restarts?: number;
}

/** What runs in the app in the environment now; 404 NO_CONTAINERS where the target cannot tell. */
export function containers(app: string, env: string): Promise<{ containers: LiveContainer[] }> {
  return request<{ containers: LiveContainer[] }>(`${scope(app, env)}/containers`);
}
