import * as http from 'node:http';
import * as https from 'node:https';
import { existsSync } from 'node:fs';
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

export class KubeClient {
  readonly server: string;
  private readonly agent: http.Agent;
  /** Watches hold a connection for minutes; on the request agent they would starve requests. */
  private readonly watchAgent: http.Agent;
  private headers: Record<string, string> = {};
  private headersAt = 0;
  private readonly isHttps: boolean;

  private constructor(
    private readonly kc: KubeConfig,
    tls: https.AgentOptions,
    maxSockets: number,
  ) {
    this.server = kc.getCurrentCluster()!.server.replace(/\/$/, '');
    this.isHttps = this.server.startsWith('https:');
    // noDelay: a small request is sent at once, never held back by Nagle's algorithm.
    const common = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, noDelay: true };
    this.agent = this.isHttps ? new https.Agent({ ...tls, ...common }) : new http.Agent(common);
    this.watchAgent = this.isHttps
      ? new https.Agent({ ...tls, keepAlive: false })
      : new http.Agent({ keepAlive: false });
  }

  static async create(kc: KubeConfig, maxSockets = 16): Promise<KubeClient> {
    const opts: https.RequestOptions = {};
    await credentials(kc, opts);
    const tls: https.AgentOptions = {};
    for (const k of ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const) {
      if (opts[k] !== undefined) (tls as Record<string, unknown>)[k] = opts[k];
    }
    const client = new KubeClient(kc, tls, maxSockets);
    client.takeHeaders(opts);
    return client;
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
      req.on('error', (e: Error) =>
        reject(
          new ProviderError('KUBE_UNREACHABLE', `cannot reach the Kubernetes API at ${this.server}: ${e.message}`, {
            hint: 'Check that the cluster is up and the kubeconfig points at it.',
            cause: e,
          }),
        ),
      );
      req.end(body);
    });
  }

  /**
   * One API call. 429 and 503 (priority and fairness throttling, a watch cache still
   * initialising right after a CRD appears) are retried with the server's Retry-After.
   */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.requestOnce<T>(method, path, options);
      } catch (e) {
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

  private async requestOnce<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const res = await this.open(method, path, options, 'application/json');
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = { message: text.slice(0, 500) };
    }
    const code = res.statusCode ?? 0;
    if (code >= 200 && code < 300) return parsed as T;
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
    let res: http.IncomingMessage;
    try {
      res = await this.open(
        'GET',
        path,
        { query: { ...query, watch: 1 }, signal },
        'application/json',
        this.watchAgent,
      );
    } catch (e) {
      if (signal.aborted) return;
      throw e;
    }
    if (res.statusCode !== 200) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      let status: KubeStatus;
      try {
        status = JSON.parse(Buffer.concat(chunks).toString('utf8')) as KubeStatus;
      } catch {
        status = { message: `HTTP ${res.statusCode}` };
      }
      throw new KubeApiError(res.statusCode ?? 0, status);
    }
    const lines = createInterface({ input: res, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (!line) continue;
        onEvent(JSON.parse(line) as { type: string; object: Record<string, unknown> });
      }
    } catch (e) {
      if (!signal.aborted) throw e;
    } finally {
      // A handler that throws (an ERROR event) leaves the stream open otherwise.
      res.destroy();
    }
  }

  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }
}
