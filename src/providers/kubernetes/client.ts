import * as http from 'node:http';
import * as https from 'node:https';
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { createInterface } from 'node:readline';
import { KubeConfig } from '@kubernetes/client-node';
import { ProviderError } from '../../errors/index.js';

/**
 * A thin JSON client over the API server. @kubernetes/client-node loads kubeconfigs and
 * in-cluster credentials (and runs exec/auth plugins); requests go through one keep-alive
 * agent here because the generated clients re-create TLS agents per call and reshape
 * objects into model classes, which would both slow syncs down and lose unknown fields.
 */

export interface KubeTarget {
  kubeconfig?: string;
  context?: string;
  inCluster?: boolean;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export function loadKubeConfig(target: KubeTarget): KubeConfig {
  const kc = new KubeConfig();
  // loadFromCluster does not check anything; outside a pod it would point at https://undefined.
  if (target.inCluster && (!process.env.KUBERNETES_SERVICE_HOST || !existsSync(SERVICE_ACCOUNT_TOKEN))) {
    throw new ProviderError(
      'KUBE_CONFIG',
      'inCluster is set but Sluice is not running in a Kubernetes pod with a service account',
      {
        hint: `Run Sluice in a pod (KUBERNETES_SERVICE_HOST set, token at ${SERVICE_ACCOUNT_TOKEN}), or use kubeconfig/context instead.`,
      },
    );
  }
  try {
    if (target.inCluster) kc.loadFromCluster();
    else if (target.kubeconfig) kc.loadFromFile(target.kubeconfig.replace(/^~(?=$|\/)/, homedir()));
    else kc.loadFromDefault();
  } catch (e) {
    throw new ProviderError('KUBE_CONFIG', `cannot load Kubernetes credentials: ${(e as Error).message}`, {
      hint: target.inCluster
        ? 'inCluster needs the pod service account mounted at /var/run/secrets/kubernetes.io/serviceaccount.'
        : 'Check the kubeconfig path in the target (or KUBECONFIG).',
      cause: e,
    });
  }
  if (target.context) {
    if (!kc.getContextObject(target.context)) {
      throw new ProviderError('KUBE_CONFIG', `kubeconfig has no context "${target.context}"`, {
        hint: `Known contexts: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || '(none)'
        }.`,
      });
    }
    kc.setCurrentContext(target.context);
  }
  if (!kc.getCurrentCluster())
    throw new ProviderError('KUBE_CONFIG', 'kubeconfig selects no cluster', {
      hint: 'Set a current-context or the target context.',
    });
  return kc;
}

/** The kubeconfig files a target is read from (none for in-cluster credentials). */
export function kubeconfigFiles(target: KubeTarget): string[] {
  if (target.inCluster) return [];
  if (target.kubeconfig) return [target.kubeconfig.replace(/^~(?=$|\/)/, homedir())];
  const env = process.env.KUBECONFIG;
  if (env) return env.split(process.platform === 'win32' ? ';' : ':').filter(Boolean);
  return [`${homedir()}/.kube/config`];
}

/** Changes whenever one of the files is written (size and modification time), without reading them. */
export function filesStamp(paths: readonly string[]): string {
  return paths
    .map((p) => {
      try {
        const st = statSync(p);
        return `${p}:${st.size}:${st.mtimeMs}`;
      } catch {
        return `${p}:-`;
      }
    })
    .join('|');
}

/**
 * What a provider's connections are made with: the server and how it is trusted, and who
 * the user is (certificate, exec plugin), but not a bearer token, which a 401 re-reads in place.
 */
export function connectionFingerprint(kc: KubeConfig): string {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  const { token: _t, ...who } = (user ?? {}) as unknown as Record<string, unknown>;
  return JSON.stringify({ cluster, user: who, namespace: kc.getContextObject(kc.getCurrentContext())?.namespace });
}

/** An API error with the server's Status object, before it is given a resource name. */
export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly status: KubeStatus,
  ) {
    super(status.message ?? `HTTP ${statusCode}`);
  }
  get reason(): string | undefined {
    return this.status.reason;
  }
}

export interface KubeStatus {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    causes?: { reason?: string; type?: string; message?: string; field?: string }[];
    name?: string;
    kind?: string;
    retryAfterSeconds?: number;
  };
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** The answer is text (a pod's log), not JSON. */
  text?: boolean;
}

const AUTH_REFRESH_MS = 60_000;

/** Runs the kubeconfig's auth (client certs, tokens, exec plugins); a failing plugin becomes a ProviderError. */
async function credentials(kc: KubeConfig, opts: https.RequestOptions): Promise<void> {
  try {
    await kc.applyToHTTPSOptions(opts);
  } catch (e) {
    throw new ProviderError('KUBE_AUTH', `cannot get credentials for the Kubernetes API: ${(e as Error).message}`, {
      hint: `Check the user of context "${kc.getCurrentContext()}" in the kubeconfig (an exec plugin or token file may be failing).`,
      cause: e,
    });
  }
}
const RETRIES = 8;
/** How a request fails on a kept-alive connection the server has just closed. */
const STALE_CONNECTION = new Set(['ECONNRESET', 'EPIPE']);
/** How long one request may take before it counts as not answered (lists are paged, so none is large). */
export const REQUEST_TIMEOUT_MS = 60_000;
/** Watches end server-side after timeoutSeconds; one silent for longer than that sits on a dead connection. */
const WATCH_IDLE_MARGIN_MS = 30_000;

export interface ClientOptions {
  maxSockets?: number;
  /** Loads the credentials again (the kubeconfig file, its token file, exec plugins) after a 401. */
  reload?: () => KubeConfig;
  requestTimeoutMs?: number;
}

function tlsOf(opts: https.RequestOptions): https.AgentOptions {
  const tls: https.AgentOptions = {};
  for (const k of ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const) {
    if (opts[k] !== undefined) (tls as Record<string, unknown>)[k] = opts[k];
  }
  return tls;
}

function unauthorized(server: string, kc: KubeConfig, e: KubeApiError): ProviderError {
  return new ProviderError(
    'KUBE_UNAUTHORIZED',
    `the Kubernetes API at ${server} refused the credentials of context "${kc.getCurrentContext()}" (401 ${e.message}), also after reading the kubeconfig again`,
    {
      hint: 'The token or client certificate is expired, revoked or wrong: renew it in the kubeconfig (or the token file or exec plugin it names). Sluice reads it again at the next attempt, without a restart.',
      // Credentials are rotated outside Sluice; the next attempt reads them again and may heal.
      retry: true,
      cause: e,
    },
  );
}

export class KubeClient {
  readonly server: string;
  private agent: http.Agent;
  /** Watches hold a connection for minutes; on the request agent they would starve requests. */
  private watchAgent: http.Agent;
  private headers: Record<string, string> = {};
  private headersAt = 0;
  private readonly isHttps: boolean;
  private tlsKey: string;
  /** One re-read of the credentials at a time, shared by every request that got a 401 meanwhile. */
  private reauth: Promise<void> | undefined;
  private readonly requestTimeoutMs: number;

  private constructor(
    private kc: KubeConfig,
    tls: https.AgentOptions,
    private readonly maxSockets: number,
    private readonly options: ClientOptions,
  ) {
    this.server = kc.getCurrentCluster()!.server.replace(/\/$/, '');
    this.isHttps = this.server.startsWith('https:');
    this.requestTimeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.tlsKey = JSON.stringify(tls);
    [this.agent, this.watchAgent] = this.agents(tls);
  }

  private agents(tls: https.AgentOptions): [http.Agent, http.Agent] {
    // noDelay: a small request is sent at once, never held back by Nagle's algorithm.
    const common = { keepAlive: true, maxSockets: this.maxSockets, maxFreeSockets: this.maxSockets, noDelay: true };
    return this.isHttps
      ? [new https.Agent({ ...tls, ...common }), new https.Agent({ ...tls, keepAlive: false })]
      : [new http.Agent(common), new http.Agent({ keepAlive: false })];
  }

  static async create(kc: KubeConfig, options: ClientOptions | number = {}): Promise<KubeClient> {
    const o = typeof options === 'number' ? { maxSockets: options } : options;
    const opts: https.RequestOptions = {};
    await credentials(kc, opts);
    const client = new KubeClient(kc, tlsOf(opts), o.maxSockets ?? 16, o);
    client.takeHeaders(opts);
    return client;
  }

  /**
   * After a 401: load the kubeconfig again (a rotated token, a renewed certificate, an exec
   * plugin's fresh credential) and use what it says from now on. False when there is nothing
   * to reload from.
   */
  private async reauthenticate(): Promise<boolean> {
    const reload = this.options.reload;
    if (!reload) return false;
    this.reauth ??= (async () => {
      const kc = reload();
      const opts: https.RequestOptions = {};
      await credentials(kc, opts);
      (opts.agent as http.Agent | undefined)?.destroy();
      const tls = tlsOf(opts);
      if (JSON.stringify(tls) !== this.tlsKey) {
        // A new client certificate lives in the TLS agent: new connections must use it.
        const [agent, watchAgent] = this.agents(tls);
        this.agent.destroy();
        this.watchAgent.destroy();
        this.agent = agent;
        this.watchAgent = watchAgent;
        this.tlsKey = JSON.stringify(tls);
      }
      this.kc = kc;
      this.takeHeaders(opts);
    })().finally(() => {
      this.reauth = undefined;
    });
    await this.reauth;
    return true;
  }

  private takeHeaders(opts: https.RequestOptions): void {
    const h: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') h[k] = v;
    if (opts.auth) h.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    this.headers = h;
    this.headersAt = Date.now();
  }

  /** Exec and OIDC credentials expire; re-run the kubeconfig's auth now and then. */
  private async authHeaders(): Promise<Record<string, string>> {
    if (Date.now() - this.headersAt > AUTH_REFRESH_MS) {
      const opts: https.RequestOptions = {};
      await credentials(this.kc, opts);
      (opts.agent as http.Agent | undefined)?.destroy();
      this.takeHeaders(opts);
    }
    return this.headers;
  }

  private url(path: string, query?: RequestOptions['query']): URL {
    const u = new URL(this.server + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  }

  private async open(
    method: string,
    path: string,
    options: RequestOptions,
    accept: string,
    agent = this.agent,
    resent = false,
  ): Promise<http.IncomingMessage> {
    const u = this.url(path, options.query);
    const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string> = { ...(await this.authHeaders()), Accept: accept };
    if (body) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(body.length);
    }
    const mod = this.isHttps ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request(u, { method, headers, agent, signal: options.signal }, resolve);
      req.on('error', (e: Error) => {
        // The server closed an idle kept-alive connection just as this request went out on it.
        // What Sluice sends is safe to send twice (applies, deletes, reads, dry runs), so
        // it goes again, once, on a new connection rather than failing the sync.
        if (req.reusedSocket && !resent && STALE_CONNECTION.has((e as NodeJS.ErrnoException).code ?? '')) {
          resolve(this.open(method, path, options, accept, agent, true));
          return;
        }
        reject(
          new ProviderError('KUBE_UNREACHABLE', `cannot reach the Kubernetes API at ${this.server}: ${e.message}`, {
            hint: 'Check that the cluster is up and the kubeconfig points at it.',
            cause: e,
          }),
        );
      });
      req.end(body);
    });
  }

  /**
   * One API call. 429 and 503 (priority and fairness throttling, a watch cache still
   * initialising right after a CRD appears) are retried with the server's Retry-After.
   */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    let reauthenticated = false;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.requestOnce<T>(method, path, options);
      } catch (e) {
        if (e instanceof KubeApiError && e.statusCode === 401) {
          if (!reauthenticated && (await this.reauthenticate())) {
            reauthenticated = true;
            continue;
          }
          throw unauthorized(this.server, this.kc, e);
        }
        if (
          !(e instanceof KubeApiError) ||
          (e.statusCode !== 429 && e.statusCode !== 503) ||
          attempt >= RETRIES ||
          options.signal?.aborted
        )
          throw e;
        const wait = Math.min(2000, (e.status.details?.retryAfterSeconds ?? 0) * 1000 || 100 * 2 ** attempt);
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /** One call whose answer is text (a pod's log), with the same timeout, retries and 401 handling. */
  async requestText(path: string, options: RequestOptions = {}): Promise<string> {
    return this.request<string>('GET', path, { ...options, text: true });
  }

  private async requestOnce<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    // Every request ends: a server that accepts the connection and never answers must not hold a sync.
    const timeout = AbortSignal.timeout(this.requestTimeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const timedOut = (e: unknown) =>
      timeout.aborted && !options.signal?.aborted
        ? new ProviderError(
            'KUBE_UNREACHABLE',
            `the Kubernetes API at ${this.server} did not answer ${method} ${path} within ${Math.round(this.requestTimeoutMs / 1000)}s`,
            { hint: 'The API server is hanging or overloaded; Sluice tries again.', retry: true, cause: e },
          )
        : e;
    let text: string;
    let res: http.IncomingMessage;
    try {
      res = await this.open(method, path, { ...options, signal }, options.text ? '*/*' : 'application/json');
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      text = Buffer.concat(chunks).toString('utf8');
    } catch (e) {
      throw timedOut(e);
    }
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = { message: text.slice(0, 500) };
    }
    const code = res.statusCode ?? 0;
    if (code >= 200 && code < 300) return (options.text ? text : parsed) as T;
    throw new KubeApiError(code, parsed as KubeStatus);
  }

  /**
   * A watch stream: calls onEvent per JSON line until the server ends it (resolves), the
   * signal aborts (resolves) or the request fails (rejects).
   */
  async watch(
    path: string,
    query: RequestOptions['query'],
    onEvent: (event: { type: string; object: Record<string, unknown> }) => void,
    signal: AbortSignal,
  ): Promise<void> {
    // Bookmarks and the server's own timeout keep a healthy watch talking; silence past them is a dead connection.
    const idleMs = Number(query?.timeoutSeconds ?? 300) * 1000 + WATCH_IDLE_MARGIN_MS;
    await this.lines(
      path,
      { ...query, watch: 1 },
      'application/json',
      (line) => {
        if (line) onEvent(JSON.parse(line) as { type: string; object: Record<string, unknown> });
      },
      signal,
      idleMs,
    );
  }

  /**
   * A long answer read line by line as it arrives (a watch, a followed log): calls onLine per
   * line until the server ends it (resolves), the signal aborts (resolves) or the request
   * fails (rejects). Only connecting has the request time limit; after that, `idleMs` of
   * silence ends it as a dead connection.
   */
  async lines(
    path: string,
    query: RequestOptions['query'],
    accept: string,
    onLine: (line: string) => void,
    signal: AbortSignal,
    idleMs?: number,
  ): Promise<void> {
    let res: http.IncomingMessage;
    // Until the server answers, a stream is an ordinary request and gets the same time limit.
    const connecting = new AbortController();
    const limit = setTimeout(
      () => connecting.abort(new Error(`no answer within ${Math.round(this.requestTimeoutMs / 1000)}s`)),
      this.requestTimeoutMs,
    );
    limit.unref?.();
    try {
      res = await this.open(
        'GET',
        path,
        { query, signal: AbortSignal.any([signal, connecting.signal]) },
        accept,
        this.watchAgent,
      );
    } catch (e) {
      if (signal.aborted) return;
      throw e;
    } finally {
      clearTimeout(limit);
    }
    if (res.statusCode !== 200) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      let status: KubeStatus;
      try {
        status = JSON.parse(Buffer.concat(chunks).toString('utf8')) as KubeStatus;
      } catch {
        status = { message: Buffer.concat(chunks).toString('utf8').slice(0, 500) || `HTTP ${res.statusCode}` };
      }
      const err = new KubeApiError(res.statusCode ?? 0, status);
      // The caller tries again; with the credentials read anew when these were refused.
      if (err.statusCode === 401 && !(await this.reauthenticate().catch(() => false))) {
        throw unauthorized(this.server, this.kc, err);
      }
      throw err;
    }
    let idle: NodeJS.Timeout | undefined;
    if (idleMs !== undefined) {
      const arm = () => {
        clearTimeout(idle);
        idle = setTimeout(
          () => res.destroy(new Error(`no data on the stream for ${Math.round(idleMs / 1000)}s`)),
          idleMs,
        );
        idle.unref?.();
      };
      arm();
      res.on('data', arm);
    }
    const lines = createInterface({ input: res, crlfDelay: Infinity });
    try {
      for await (const line of lines) onLine(line);
    } catch (e) {
      if (!signal.aborted) throw e;
    } finally {
      clearTimeout(idle);
      // A handler that throws (an ERROR event) leaves the stream open otherwise.
      res.destroy();
    }
  }

  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }
}
