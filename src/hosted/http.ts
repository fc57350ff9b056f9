import { HostedError } from './errors.js';
import type { HostedLog, RetryOptions } from './types.js';

export type Host = 'GitHub' | 'GitLab';

export interface ApiClientOptions {
  host: Host;
  /** API root, e.g. https://api.github.com or https://gitlab.com/api/v4. */
  apiUrl: string;
  /** Authentication and media-type headers sent with every call. */
  headers: Record<string, string>;
  /** The token, so it can be scrubbed from anything shown. */
  token: string;
  /** Hints for 401/403, which depend on the host's token model. */
  authHint: string;
  fetch?: typeof fetch;
  retry?: Partial<RetryOptions>;
  timeoutMs?: number;
  log?: HostedLog;
}

export interface CallOptions {
  /** What is being done, for messages: "merge pull request #4 in acme/config". */
  what: string;
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** A merge answers 405/406/422 for "cannot merge"; elsewhere those mean other things. */
  merge?: boolean;
}

export interface ApiResponse<T> {
  data: T;
  headers: Headers;
}

const DEFAULT_RETRY: RetryOptions = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };

/**
 * JSON over HTTPS to a forge's REST API: authentication headers, a timeout per attempt,
 * retries with capped backoff for 5xx, network failures and rate limits that say when to come
 * back, and every other failure turned into a HostedError with a hint.
 */
export class ApiClient {
  private readonly root: URL;
  private readonly retry: RetryOptions;

  constructor(private readonly options: ApiClientOptions) {
    this.root = new URL(options.apiUrl.replace(/\/+$/, '') + '/');
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  url(path: string, query?: CallOptions['query']): URL {
    const u = new URL(path.replace(/^\/+/, ''), this.root);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  }

  call<T>(method: string, path: string, options: CallOptions): Promise<ApiResponse<T>> {
    return this.send<T>(method, this.url(path, options.query), options);
  }

  /** GETs every page of a list, following `Link: <…>; rel="next"` (both hosts send it). */
  async list<T>(path: string, options: CallOptions): Promise<T[]> {
    const items: T[] = [];
    let next: URL | undefined = this.url(path, { per_page: 100, ...options.query });
    for (let page = 0; next && page < 100; page++) {
      const { data, headers }: ApiResponse<T[]> = await this.send<T[]>('GET', next, options);
      if (!Array.isArray(data)) throw this.badResponse(options.what, 'expected a list');
      items.push(...data);
      next = nextLink(headers.get('link'), this.root);
    }
    return items;
  }

  private async send<T>(method: string, url: URL, options: CallOptions): Promise<ApiResponse<T>> {
    const { host } = this.options;
    const doFetch = this.options.fetch ?? globalThis.fetch;
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { 'user-agent': 'Sluice', ...this.options.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    for (let attempt = 1; ; attempt++) {
      let failure: HostedError;
      let waitMs: number | undefined;
      try {
        const res = await doFetch(url, {
          method,
          headers,
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
          redirect: 'error',
        });
        const text = await res.text();
        if (res.ok) return { data: (text ? this.parse(text, options.what) : undefined) as T, headers: res.headers };
        failure = this.httpError(res.status, text, res.headers, options);
        const retryAfter = retryAfterMs(res.headers);
        if (failure.code === 'HOSTED_RATE_LIMITED')
          waitMs = retryAfter !== undefined && retryAfter <= this.retry.maxRetryAfterMs ? retryAfter : undefined;
        else if (res.status >= 500) waitMs = retryAfter ?? this.backoff(attempt);
      } catch (e) {
        if (e instanceof HostedError) throw e;
        failure = new HostedError(
          'HOSTED_UNREACHABLE',
          `cannot reach ${host} to ${options.what}: ${this.scrub(reason(e))}`,
          {
            hint: `Check the API URL (${this.root.origin}), DNS, proxies and firewalls between Sluice and ${host}.`,
          },
        );
        waitMs = this.backoff(attempt);
      }
      if (waitMs === undefined || attempt >= this.retry.maxAttempts) throw failure;
      this.options.log?.debug?.(
        { host, what: options.what, attempt, retryInMs: waitMs, code: failure.code },
        `${host} call failed; retrying`,
      );
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }

  private backoff(attempt: number): number {
    const exp = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(exp / 2 + (Math.random() * exp) / 2);
  }

  private parse(text: string, what: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      throw this.badResponse(what, 'the answer is not JSON');
    }
  }

  badResponse(what: string, detail: string): HostedError {
    return new HostedError('HOSTED_BAD_RESPONSE', `unexpected answer from ${this.options.host} to ${what}: ${detail}`, {
      hint: `Check that the API URL (${this.root.href}) points at the ${this.options.host} REST API, not its web pages.`,
    });
  }

  private httpError(status: number, text: string, headers: Headers, options: CallOptions): HostedError {
    const { host } = this.options;
    const said = this.scrub(explain(text)).slice(0, 500);
    const tail = said ? `: ${said}` : '';
    const base = `${host} refused to ${options.what} (HTTP ${status})${tail}`;
    const rateLimited =
      status === 429 ||
      (status === 403 && (headers.get('x-ratelimit-remaining') === '0' || headers.has('retry-after')));
    if (rateLimited) {
      return new HostedError(
        'HOSTED_RATE_LIMITED',
        `${host} rate limit reached while trying to ${options.what}${tail}`,
        {
          status,
          hint: 'Wait for the limit to reset; Sluice retries on its own when the host says how long to wait.',
        },
      );
    }
    if (status === 401 || status === 403)
      return new HostedError('HOSTED_AUTH', base, { status, hint: this.options.authHint });
    if (status === 404) {
      return new HostedError('HOSTED_NOT_FOUND', `${host} found nothing to ${options.what} (HTTP 404)${tail}`, {
        status,
        hint: 'Check the repository or project path and the request number. Tokens without access to a private repository also get 404.',
      });
    }
    if (options.merge && (status === 405 || status === 406 || status === 422)) {
      return new HostedError('HOSTED_NOT_MERGEABLE', base, {
        status,
        hint: 'The request cannot be merged as it stands: resolve conflicts, wait for required checks and approvals, or check that it is still open.',
      });
    }
    if (status === 409) {
      return new HostedError('HOSTED_CONFLICT', base, {
        status,
        hint: options.merge
          ? 'The branch moved since it was read; read the request again, check the new commits, and merge with the new head.'
          : 'Something already exists or changed meanwhile; read the current state and try again.',
      });
    }
    if (status === 400 || status === 422) {
      return new HostedError('HOSTED_INVALID', base, {
        status,
        hint: `${host} did not accept the request; its message above says which field.`,
      });
    }
    if (status >= 500) {
      return new HostedError('HOSTED_UNAVAILABLE', base, {
        status,
        hint: `${host} is failing; Sluice retried with backoff. Try again later or check the host's status page.`,
      });
    }
    return new HostedError('HOSTED_HTTP', base, {
      status,
      hint: `See the ${host} REST API documentation for HTTP ${status}.`,
    });
  }

  scrub(text: string): string {
    const { token } = this.options;
    return token.length >= 4 ? text.split(token).join('***') : text;
  }
}

/** The human part of an error body: GitHub's `message` + `errors[].message`, GitLab's `message`/`error`. */
function explain(text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return text.trim().split('\n')[0] ?? '';
  }
  if (!body || typeof body !== 'object') return String(body ?? '');
  const b = body as Record<string, unknown>;
  const parts: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'string') parts.push(v);
    else if (Array.isArray(v)) v.forEach(add);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.message === 'string') parts.push(o.message);
      else if (o.resource || o.field || o.code) parts.push([o.resource, o.field, o.code].filter(Boolean).join(' '));
      else
        for (const [k, val] of Object.entries(o))
          parts.push(`${k} ${Array.isArray(val) ? val.join(', ') : String(val)}`);
    }
  };
  add(b.message);
  add(b.errors);
  add(b.error);
  if (typeof b.error_description === 'string') parts.push(b.error_description);
  return [...new Set(parts)].join('; ');
}

function retryAfterMs(headers: Headers): number | undefined {
  const ra = headers.get('retry-after');
  if (ra && /^\d+$/.test(ra.trim())) return Number(ra.trim()) * 1000;
  // GitHub's primary limit says when it resets instead.
  const reset = headers.get('x-ratelimit-reset');
  if (headers.get('x-ratelimit-remaining') === '0' && reset && /^\d+$/.test(reset))
    return Math.max(0, Number(reset) * 1000 - Date.now());
  return undefined;
}

/** The rel="next" target, only when it stays on the API's origin: the token must not travel elsewhere. */
export function nextLink(link: string | null, root: URL): URL | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (m && m[2]!.split(/\s+/).includes('next')) {
      const u = new URL(m[1]!, root);
      return u.origin === root.origin ? u : undefined;
    }
  }
  return undefined;
}

function reason(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return 'timed out';
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message ?? 'request failed'} (${cause})` : (err.message ?? String(e));
}
