/**
 * Counts the HTTP requests each side of bench:kube sends to the API server, by kind of
 * request: Sluice's from inside this process (every request of the provider's client goes
 * through node:https), kubectl's from its `-v=6` log, which has a line per request. Both are
 * named the same way, so the breakdowns line up: `PATCH configmaps`, `PATCH deployments (dry
 * run)`, `PATCH inventory`, `LIST secrets`, `WATCH services`, `GET discovery`.
 */
import { createRequire } from 'node:module';
import { syncBuiltinESMExports } from 'node:module';
import type * as httpTypes from 'node:http';

export type Counts = Map<string, number>;

/** The kind of one request, from its method and URL. */
export function requestKind(method: string, url: URL, inventoryNamespace = 'sluice-system'): string {
  const dry = url.searchParams.has('dryRun') ? ' (dry run)' : '';
  const parts = url.pathname.split('/').filter(Boolean);
  // /api/v1/... or /apis/<group>/<version>/...
  const rest = parts[0] === 'api' ? parts.slice(2) : parts[0] === 'apis' ? parts.slice(3) : undefined;
  if (!rest || rest.length === 0) return `${method} discovery`;
  let resource = rest;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 2) {
    namespace = rest[1];
    resource = rest.slice(2);
  }
  const plural = resource[0]!;
  const collection = resource.length === 1;
  const verb = url.searchParams.get('watch') ? 'WATCH' : method === 'GET' && collection ? 'LIST' : method;
  const what = namespace === inventoryNamespace && plural === 'configmaps' ? 'inventory' : plural;
  return `${verb} ${what}${dry}`;
}

function add(into: Counts, kind: string, n = 1): void {
  into.set(kind, (into.get(kind) ?? 0) + n);
}

const require = createRequire(import.meta.url);

/**
 * Counts every request this process sends with node:http(s) until stopped. Only the count
 * is taken: the request itself goes out unchanged.
 */
export function countOwnRequests(): { counts: Counts; stop(): void } {
  const counts: Counts = new Map();
  const modules = [require('node:https'), require('node:http')] as (typeof httpTypes)[];
  const originals = modules.map((m) => m.request);
  modules.forEach((m, i) => {
    const original = originals[i]!;
    (m as { request: unknown }).request = function (this: unknown, ...args: unknown[]) {
      const [first, second] = args;
      const url = first instanceof URL ? first : typeof first === 'string' ? new URL(first) : undefined;
      const method = ((second as { method?: string } | undefined)?.method ?? 'GET').toUpperCase();
      if (url) add(counts, requestKind(method, url));
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  });
  // ESM imports of node:https see the replacement only after this.
  syncBuiltinESMExports();
  return {
    counts,
    stop() {
      modules.forEach((m, i) => ((m as { request: unknown }).request = originals[i]));
      syncBuiltinESMExports();
    },
  };
}

/**
 * kubectl -v=6 logs each answered request, as `] PATCH https://…/configmaps/x?… 200 OK in 3
 * milliseconds` or, from newer klog, `"Response" verb="PATCH" url="https://…" status="200 OK"`.
 */
const KUBECTL_REQUEST = [
  /\] (GET|POST|PUT|PATCH|DELETE) (https?:\/\/\S+) \d{3}/,
  /"Response" verb="(GET|POST|PUT|PATCH|DELETE)" url="(https?:\/\/[^"]+)" status="\d{3}/,
];

export function countKubectlRequests(stderr: string, into: Counts = new Map()): Counts {
  for (const line of stderr.split('\n')) {
    for (const re of KUBECTL_REQUEST) {
      const m = re.exec(line);
      if (m) add(into, requestKind(m[1]!, new URL(m[2]!)));
    }
  }
  return into;
}

export function mergeCounts(into: Counts, from: Counts): Counts {
  for (const [k, n] of from) add(into, k, n);
  return into;
}

export function totalOf(counts: Counts): number {
  let n = 0;
  for (const v of counts.values()) n += v;
  return n;
}

/** `1.20 requests per object (PATCH deployments 0.20, PATCH inventory 0.20, …)`, largest first. */
export function perObject(counts: Counts, objects: number): string {
  const parts = [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${(n / objects).toFixed(n / objects < 0.01 ? 4 : 2)}`);
  return `${(totalOf(counts) / objects).toFixed(2)} requests per object (${parts.join(', ')})`;
}
