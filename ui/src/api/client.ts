import type { AppEnvDetail, EventRecord, Plan, ProjectStatus } from './types.ts';

/** A response the server sent but could not fulfil; distinct from the server being unreachable. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
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

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers: { accept: 'application/json', ...init?.headers } });
  } catch (err) {
    throw new UnreachableError(err);
  }
  const text = await res.text();
  const body: unknown = text ? safeJson(text) : undefined;
  if (!res.ok) throw new ApiError(res.status, errorMessage(body) ?? `${res.status} ${res.statusText}`);
  return body as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// The server answers errors as `{ error: { code, message } }` or `{ message }`; take whichever is there.
function errorMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body || undefined;
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { message?: unknown; error?: unknown };
  if (typeof b.error === 'string') return b.error;
  if (b.error && typeof b.error === 'object' && 'message' in b.error) return String(b.error.message);
  if (typeof b.message === 'string') return b.message;
  return undefined;
}

const scope = (app: string, env: string) => `${API}/apps/${encodeURIComponent(app)}/envs/${encodeURIComponent(env)}`;

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
};
