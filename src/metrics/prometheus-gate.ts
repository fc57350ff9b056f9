import { readFileSync } from 'node:fs';
import type { ComparisonOp, MetricQuerySpec, PrometheusServerSpec } from '../config/index.js';
import { parseDuration } from '../config/index.js';
import { SluiceError } from '../errors/index.js';

/**
 * A metric gate: one PromQL query against the Prometheus HTTP API (`/api/v1/query`, or
 * `/api/v1/query_range` over a window), judged by a threshold or by its ratio to the same
 * query for the version that ran before. Used both as a verification check after a sync and as
 * a promotion gate. Anything that keeps the query from answering fails the gate: a gate that
 * cannot see the error rate must not let a version through.
 */

export class MetricGateError extends SluiceError {}

/** What `{{...}}` in a query stands for. */
export interface MetricContext {
  app: string;
  env: string;
  /** Artifact tag being checked. */
  version?: string;
  /** Artifact tag that ran before it (in the environment checked or promoted into). */
  previousVersion?: string;
  /** Source environment of a promotion. */
  from?: string;
}

export interface MetricVerdict {
  passed: boolean;
  message: string;
  /** The query as sent, after templating (the baseline's too, for a comparison). */
  query: string;
  /** The value judged: the worst sample for a threshold, the ratio for a comparison. */
  value?: number;
}

export interface MetricOptions {
  fetchImpl?: typeof fetch;
  now?: () => Date;
  signal?: AbortSignal;
  /** Where `tokenFrom.env` is read; defaults to Sluice's own environment. */
  vars?: Record<string, string | undefined>;
}

const REFERENCES = ['version', 'previousVersion', 'app', 'env', 'from'] as const;

/** Replaces `{{version}}` and friends; a value becomes a PromQL string's content, so quotes are escaped. */
export function expandQuery(query: string, ctx: MetricContext): string {
  return query.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (_m, key: string) => {
    if (!(REFERENCES as readonly string[]).includes(key))
      throw new MetricGateError('METRIC_UNKNOWN_REFERENCE', `unknown reference {{${key}}} in query ${query}`, {
        hint: `Use ${REFERENCES.map((r) => `{{${r}}}`).join(', ')}.`,
      });
    const value = ctx[key as keyof MetricContext];
    if (value === undefined)
      throw new MetricGateError('METRIC_REFERENCE_UNSET', `{{${key}}} has no value here: ${describeMissing(key)}`, {
        hint: 'A comparison needs a version that ran before; the first rollout of an app has none.',
      });
    return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  });
}

function describeMissing(key: string): string {
  if (key === 'previousVersion') return 'no earlier version ran in this environment';
  if (key === 'version') return 'the change carries no artifact tag';
  return 'this is not a promotion';
}

/** Evaluates one metric query; never throws: a failure to ask is a failed verdict naming why. */
export async function evaluateMetric(
  spec: MetricQuerySpec,
  server: PrometheusServerSpec | undefined,
  ctx: MetricContext,
  o: MetricOptions = {},
): Promise<MetricVerdict> {
  let query = spec.query;
  try {
    if (!server)
      throw new MetricGateError('METRIC_NO_PROMETHEUS', 'no Prometheus is configured for this environment', {
        hint: 'Set spec.prometheus.url in sluice.yaml.',
      });
    query = expandQuery(spec.query, ctx);
    const values = await ask(server, query, spec, o);
    if (spec.maxRatio === undefined) return threshold(spec.op!, spec.value!, values, query);
    const baseline = expandQuery(spec.baseline ?? spec.query, {
      ...ctx,
      version: ctx.previousVersion ?? missingPrevious(),
    });
    query = `${query} / ${baseline}`;
    return ratio(spec.maxRatio, mean(values), mean(await ask(server, baseline, spec, o)), query);
  } catch (e) {
    return { passed: false, message: (e as Error).message, query };
  }
}

function missingPrevious(): never {
  throw new MetricGateError(
    'METRIC_REFERENCE_UNSET',
    'maxRatio compares with the version that ran before, and none did',
    { hint: 'Use a threshold (op and value) for a first rollout, or give a baseline query.' },
  );
}

const COMPARE: Record<ComparisonOp, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
};

function threshold(op: ComparisonOp, limit: number, values: number[], query: string): MetricVerdict {
  // NaN (a ratio of no traffic) passes no comparison: no data is no evidence of health.
  const failing = values.find((v) => !COMPARE[op](v, limit));
  const worst = failing ?? (op.startsWith('>') ? Math.min(...values) : Math.max(...values));
  const shown = `${format(worst)}${values.length > 1 ? ` (worst of ${values.length} samples)` : ''}`;
  return {
    passed: failing === undefined,
    message: `${shown} ${failing === undefined ? '' : 'not '}${op} ${limit}`.replace('  ', ' '),
    query,
    value: worst,
  };
}

function ratio(maxRatio: number, now: number, before: number, query: string): MetricVerdict {
  const r = before === 0 ? (now === 0 ? 1 : Infinity) : now / before;
  const passed = Number.isFinite(r) ? r <= maxRatio : false;
  return {
    passed,
    message: `new ${format(now)} / previous ${format(before)} = ${format(r)}, ${passed ? 'within' : 'above'} maxRatio ${maxRatio}`,
    query,
    value: r,
  };
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function format(n: number): string {
  return Number.isInteger(n) || !Number.isFinite(n) ? String(n) : String(Number(n.toPrecision(4)));
}

interface ApiResponse {
  status: 'success' | 'error';
  data?: { resultType: 'vector' | 'matrix' | 'scalar' | 'string'; result: unknown };
  errorType?: string;
  error?: string;
}

type Sample = [number, string];

/** Every sample the query returned, as numbers; no sample at all is an error. */
async function ask(
  server: PrometheusServerSpec,
  query: string,
  spec: MetricQuerySpec,
  o: MetricOptions,
): Promise<number[]> {
  const now = (o.now?.() ?? new Date()).getTime() / 1000;
  const params = new URLSearchParams({ query });
  let path = '/api/v1/query';
  if (spec.window) {
    const window = parseDuration(spec.window) / 1000;
    const step = spec.step ? parseDuration(spec.step) / 1000 : Math.max(1, window / 30);
    path = '/api/v1/query_range';
    params.set('start', String(now - window));
    params.set('end', String(now));
    params.set('step', String(step));
  } else params.set('time', String(now));
  const url = `${server.url.replace(/\/+$/, '')}${path}`;
  const timeout = AbortSignal.timeout(parseDuration(server.timeout));
  let res: Response;
  try {
    res = await (o.fetchImpl ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...authorization(server, o.vars ?? process.env) },
      body: params.toString(),
      signal: o.signal ? AbortSignal.any([o.signal, timeout]) : timeout,
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new MetricGateError(
      'METRIC_PROMETHEUS_UNREACHABLE',
      `Prometheus at ${server.url} cannot be reached: ${cause?.code ?? cause?.message ?? (e as Error).message}`,
      {
        retry: true,
        hint: 'Start Prometheus or fix prometheus.url in sluice.yaml, then retry; the gate stays closed until then.',
      },
    );
  }
  const text = await res.text();
  let body: ApiResponse;
  try {
    body = JSON.parse(text) as ApiResponse;
  } catch {
    throw new MetricGateError(
      'METRIC_PROMETHEUS_BAD_ANSWER',
      `Prometheus at ${server.url} answered ${res.status} without the API's JSON: ${text.slice(0, 120)}`,
      { retry: res.status >= 500, hint: 'Check that prometheus.url is the root of a Prometheus server.' },
    );
  }
  if (body.status !== 'success' || !body.data)
    throw new MetricGateError(
      'METRIC_QUERY_FAILED',
      `Prometheus at ${server.url} refused the query (${res.status} ${body.errorType ?? ''}): ${body.error ?? 'no error given'}`,
      {
        retry: res.status >= 500 || body.errorType === 'timeout',
        hint: 'Fix the query in sluice.yaml; try it in the Prometheus UI.',
      },
    );
  const values = samples(body.data).map(([, v]) => Number(v));
  if (values.length === 0)
    throw new MetricGateError('METRIC_NO_DATA', `no data for ${query}${spec.window ? ` over ${spec.window}` : ''}`, {
      retry: true,
      hint: 'The version may have had no traffic yet, or the query selects no series.',
    });
  return values;
}

function samples(data: NonNullable<ApiResponse['data']>): Sample[] {
  switch (data.resultType) {
    case 'scalar':
      return [data.result as Sample];
    case 'vector':
      return (data.result as { value: Sample }[]).map((s) => s.value);
    case 'matrix':
      return (data.result as { values: Sample[] }[]).flatMap((s) => s.values);
    default:
      throw new MetricGateError('METRIC_NOT_A_NUMBER', `the query returns a ${data.resultType}, not numbers`, {
        hint: 'Use a query that returns an instant vector or a scalar.',
      });
  }
}

function authorization(server: PrometheusServerSpec, vars: Record<string, string | undefined>): Record<string, string> {
  const from = server.tokenFrom;
  if (!from) return {};
  let token: string | undefined;
  if ('env' in from) token = vars[from.env];
  else {
    try {
      token = readFileSync(from.file, 'utf8').trim();
    } catch (e) {
      throw new MetricGateError(
        'METRIC_TOKEN_UNREADABLE',
        `the Prometheus token file ${from.file} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        { hint: 'Create the file on the machine running Sluice, or use tokenFrom.env.' },
      );
    }
  }
  if (!token)
    throw new MetricGateError(
      'METRIC_TOKEN_UNSET',
      `the Prometheus token ${'env' in from ? `$${from.env}` : from.file} is empty`,
      {
        hint: 'Set it in the environment of the Sluice process.',
      },
    );
  return { authorization: `Bearer ${token}` };
}
