import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SluiceError } from '../errors/index.js';

export const DEFAULT_PORT = 7400;

/** Where a running `sluice serve` is: --server, SLUICE_SERVER, the data dir's server.json, or the default port. */
export function serverUrl(opts: { server?: string; dataDir: string }): string {
  if (opts.server) return opts.server.replace(/\/+$/, '');
  if (process.env.SLUICE_SERVER) return process.env.SLUICE_SERVER.replace(/\/+$/, '');
  try {
    const info = JSON.parse(readFileSync(join(opts.dataDir, 'server.json'), 'utf8')) as { url?: string };
    if (info.url) return info.url;
  } catch {
    // no server.json: fall back to the default port
  }
  return `http://127.0.0.1:${DEFAULT_PORT}`;
}

export class ApiError extends SluiceError {
  constructor(
    readonly status: number,
    body: {
      code?: string;
      message?: string;
      hint?: string;
      file?: string;
      line?: number;
      field?: string;
      resource?: string;
    },
  ) {
    const { code, message, ...rest } = body;
    super(code ?? `HTTP_${status}`, message ?? `request failed with HTTP ${status}`, rest);
  }
}

/** A thin JSON client for the /api/v1 endpoints. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  async get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  async delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  /**
   * A GET whose answer stays open (followed logs): its lines as they come, until the server
   * ends it or the signal aborts.
   */
  async *lines(path: string, signal: AbortSignal): AsyncIterable<string> {
    const res = await this.send('GET', path, undefined, signal);
    if (!res.ok) await this.answer(res);
    if (!res.body) return;
    const decoder = new TextDecoder();
    let rest = '';
    try {
      for await (const chunk of res.body) {
        rest += decoder.decode(chunk as Uint8Array, { stream: true });
        const parts = rest.split('\n');
        rest = parts.pop()!;
        yield* parts;
      }
    } catch (e) {
      if (!signal.aborted) throw e;
    }
  }

  private async send(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signal ? { signal } : {}),
      });
    } catch (e) {
      throw new SluiceError('SERVER_UNREACHABLE', `no Sluice server answers at ${this.baseUrl}`, {
        cause: e,
        hint: 'Start one with `sluice serve` (or `npm start`), or point at it with --server or SLUICE_SERVER.',
      });
    }
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.answer<T>(await this.send(method, path, body));
  }

  private async answer<T>(res: Response): Promise<T> {
    const text = await res.text();
    const data = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) {
      const err = (data ?? {}) as Record<string, never>;
      if (res.status === 401 && !this.token)
        throw new ApiError(res.status, {
          code: 'AUTH_REQUIRED',
          message: `the server at ${this.baseUrl} needs a token and none was found`,
          hint: 'Set SLUICE_TOKEN, or put a token in ~/.config/sluice/token (mode 0600); `sluice token create` makes one.',
        });
      throw new ApiError(res.status, err);
    }
    return data as T;
  }
}
