import type { Environment, VerifyCheckSpec } from '../config/index.js';
import { parseDuration } from '../config/index.js';
import type { LiveResource } from '../plan/types.js';
import { evaluateMetric, type MetricVerdict } from '../metrics/index.js';
import { endpointsOf } from '../providers/index.js';
import type { ArtifactRecord, CheckResult } from '../store/ledger-types.js';

/**
 * Verification after a sync: health says the processes run, verification says they serve what
 * was promoted. Checks are HTTP GETs with an expected status and optionally an expected value
 * at a JSON path. References `${...}` in url and equals are replaced from what the sync
 * applied, so a check can demand "the running version is the promoted tag".
 */

export interface VerifyInput {
  env: Pick<Environment, 'name' | 'verify' | 'prometheus'>;
  /** App checked and the artifact tag that ran before, for `{{app}}` and `{{previousVersion}}` in metric checks. */
  app?: string;
  previousVersion?: string;
  revision: string;
  artifacts: readonly ArtifactRecord[];
  /** Live resources after the sync; the ports their target kind reports feed `${port}`. */
  live: readonly LiveResource[];
  /** Variables of `${env.NAME}`; defaults to Sluice's own environment. */
  vars?: Record<string, string | undefined>;
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
}

export interface VerifyOutcome {
  result: 'Passed' | 'Failed';
  checks: CheckResult[];
}

export class TemplateError extends Error {}

/** Replaces `${artifact.tag}`, `${artifact.<name>.digest}`, `${revision}`, `${env.NAME}`, `${port}`. */
export function expandTemplate(
  text: string,
  ctx: {
    revision: string;
    artifacts: readonly ArtifactRecord[];
    vars: Record<string, string | undefined>;
    port?: number;
  },
): string {
  return text.replace(/\$\{([^}]+)\}/g, (_m, expr: string) => {
    const key = expr.trim();
    const parts = key.split('.');
    if (key === 'revision') return ctx.revision;
    if (key === 'port' && ctx.port !== undefined) return String(ctx.port);
    if (parts[0] === 'env' && parts.length === 2) {
      const v = ctx.vars[parts[1]!];
      if (v === undefined) throw new TemplateError(`\${${key}} is not set in Sluice's environment`);
      return v;
    }
    if (parts[0] === 'artifact') {
      const named = parts.length === 3 ? ctx.artifacts.find((a) => a.name === parts[1]) : ctx.artifacts[0];
      const field = parts[parts.length - 1] as 'tag' | 'digest' | 'ref' | 'name';
      const value = named && ['tag', 'digest', 'ref', 'name'].includes(field) ? named[field] : undefined;
      if (value === undefined)
        throw new TemplateError(
          `\${${key}} has no value: the sync applied ${ctx.artifacts.map((a) => a.name).join(', ') || 'no artifacts'}`,
        );
      return value;
    }
    throw new TemplateError(
      `unknown reference \${${key}}; use artifact.tag, artifact.digest, artifact.<name>.tag, revision, port or env.NAME`,
    );
  });
}

/** `version`, `$.items[0].tag`, `data.build.id` → the value in a parsed JSON body. */
export function readJsonPath(body: unknown, path: string): unknown {
  const steps = path.replace(/^\$\.?/, '').match(/[^.[\]]+|\[\d+\]/g) ?? [];
  let cur: unknown = body;
  for (const s of steps) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = s.startsWith('[') ? (cur as unknown[])[Number(s.slice(1, -1))] : (cur as Record<string, unknown>)[s];
  }
  return cur;
}

function livePorts(live: readonly LiveResource[]): number[] {
  return [...new Set(endpointsOf(live).map((e) => e.port))].sort((a, b) => a - b);
}

async function attempt(
  url: string,
  http: NonNullable<VerifyCheckSpec['http']>,
  expected: string | undefined,
  fetchImpl: typeof fetch,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const timeout = AbortSignal.timeout(parseDuration(http.timeout));
  let res: Response;
  try {
    res = await fetchImpl(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  } catch (e) {
    return `GET ${url} failed: ${(e as Error).message}`;
  }
  const text = await res.text();
  if (res.status !== http.expectStatus) return `GET ${url} answered ${res.status}, expected ${http.expectStatus}`;
  if (expected === undefined) return undefined;
  let actual: unknown = text.trim();
  if (http.jsonPath) {
    try {
      actual = readJsonPath(JSON.parse(text) as unknown, http.jsonPath);
    } catch {
      return `GET ${url}: body is not JSON, cannot read ${http.jsonPath}`;
    }
  }
  const shown = typeof actual === 'string' ? actual : JSON.stringify(actual);
  return shown === expected
    ? undefined
    : `GET ${url}: ${http.jsonPath ?? 'body'} is ${shown ?? 'missing'}, expected ${expected}`;
}

/** Runs every check of the environment; each retries `retries` times, `interval` apart. */
export async function verify(input: VerifyInput): Promise<VerifyOutcome> {
  const fetchImpl = input.fetchImpl ?? fetch;
  const vars = input.vars ?? process.env;
  const checks: CheckResult[] = [];
  for (const check of input.env.verify ?? []) {
    if (check.prometheus) {
      checks.push(await metricCheck(input, check, check.prometheus));
      continue;
    }
    if (!check.http) continue;
    const ports = check.http.url.includes('${port}') ? livePorts(input.live) : [undefined];
    if (ports.length === 0) {
      checks.push({
        name: check.name ?? check.http.url,
        url: check.http.url,
        passed: false,
        message: 'no live replica port to check',
      });
      continue;
    }
    for (const port of ports) {
      let url = check.http.url;
      let failure: string | undefined;
      try {
        const ctx = {
          revision: input.revision,
          artifacts: input.artifacts,
          vars,
          ...(port !== undefined ? { port } : {}),
        };
        url = expandTemplate(check.http.url, ctx);
        const expected = check.http.equals === undefined ? undefined : expandTemplate(check.http.equals, ctx);
        for (let i = 0; i <= check.retries; i++) {
          if (i > 0) await new Promise((r) => setTimeout(r, parseDuration(check.interval)));
          failure = await attempt(url, check.http, expected, fetchImpl, input.signal);
          if (!failure || input.signal?.aborted) break;
        }
      } catch (e) {
        failure = (e as Error).message;
      }
      checks.push({
        name: check.name ?? check.http.url,
        url,
        passed: !failure,
        message: failure ?? `GET ${url} as expected`,
      });
    }
  }
  return { result: checks.every((c) => c.passed) ? 'Passed' : 'Failed', checks };
}

/** A Prometheus query of the version just synced; retried like an HTTP check, since fresh series need a few scrapes. */
async function metricCheck(
  input: VerifyInput,
  check: VerifyCheckSpec,
  spec: NonNullable<VerifyCheckSpec['prometheus']>,
): Promise<CheckResult> {
  const ctx = {
    app: input.app ?? '',
    env: input.env.name,
    ...(input.artifacts[0]?.tag ? { version: input.artifacts[0].tag } : {}),
    ...(input.previousVersion ? { previousVersion: input.previousVersion } : {}),
  };
  let verdict: MetricVerdict | undefined;
  for (let i = 0; i <= check.retries; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, parseDuration(check.interval)));
    verdict = await evaluateMetric(spec, input.env.prometheus, ctx, {
      ...(input.fetchImpl ? { fetchImpl: input.fetchImpl } : {}),
      ...(input.signal ? { signal: input.signal } : {}),
    });
    if (verdict.passed || input.signal?.aborted) break;
  }
  return {
    name: check.name ?? spec.query,
    url: input.env.prometheus?.url ?? '',
    passed: verdict!.passed,
    message: verdict!.message,
    query: verdict!.query,
    ...(verdict!.value !== undefined ? { value: verdict!.value } : {}),
  };
}
