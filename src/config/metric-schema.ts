import { z } from 'zod';
import { durationString } from '../model/duration.js';

/**
 * Metric gates in sluice.yaml: where Prometheus is, and a query whose value decides a
 * verification check or a promotion gate. src/metrics evaluates them.
 */

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

export const prometheusServerSchema = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .describe('Root of the Prometheus HTTP API (the /api/v1/... paths are added)'),
    tokenFrom: z
      .union([
        z.strictObject({ env: envVarName.describe('Environment variable holding the bearer token') }),
        z.strictObject({ file: z.string().min(1).describe('File holding the bearer token, outside the repo') }),
      ])
      .optional()
      .describe(
        'Bearer token sent to Prometheus, read from the Sluice process environment or a file; never written here',
      ),
    timeout: durationString.default('10s').describe('Limit for one query'),
  })
  .describe('The Prometheus metric gates query');

export const comparisonOps = ['<', '<=', '>', '>=', '=='] as const;

export const metricQuerySchema = z
  .strictObject({
    query: z
      .string()
      .min(1)
      .describe(
        'PromQL. {{version}} (the artifact tag checked), {{previousVersion}} (the tag that ran before), {{app}}, {{env}} and {{from}} (the source environment of a promotion) are replaced',
      ),
    window: durationString
      .optional()
      .describe(
        'Run a range query over this much time up to now; every sample must pass. An instant query when left out',
      ),
    step: durationString.optional().describe('Resolution of the range query (default: window / 30, at least 1s)'),
    op: z.enum(comparisonOps).optional().describe('Threshold comparison: each value must be <op> value'),
    value: z.number().optional().describe('Threshold the values are compared with'),
    maxRatio: z
      .number()
      .positive()
      .optional()
      .describe(
        'Compare the new version with the old: the query for {{version}} may be at most maxRatio × the baseline',
      ),
    baseline: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Query of the old version for maxRatio; defaults to query with {{version}} replaced by {{previousVersion}}',
      ),
  })
  .superRefine((q, ctx) => {
    const threshold = q.op !== undefined || q.value !== undefined;
    if (threshold && (q.op === undefined || q.value === undefined))
      ctx.addIssue({ code: 'custom', path: [q.op === undefined ? 'op' : 'value'], message: 'set both op and value' });
    if (threshold === (q.maxRatio !== undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['maxRatio'],
        message: 'set either op and value (a threshold) or maxRatio (a comparison with the previous version)',
      });
    if (q.baseline !== undefined && q.maxRatio === undefined)
      ctx.addIssue({ code: 'custom', path: ['baseline'], message: 'baseline is only used with maxRatio' });
  });

/** A promotion gate of an environment: the metric must pass before a promotion into it lands. */
export const metricGateSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase name (a-z, 0-9, "-")')
    .describe('Shown in gate lists, dry runs and the ledger'),
  prometheus: metricQuerySchema,
});

export type PrometheusServerSpec = z.output<typeof prometheusServerSchema>;
export type MetricQuerySpec = z.output<typeof metricQuerySchema>;
export type MetricGateSpec = z.output<typeof metricGateSchema>;
export type ComparisonOp = (typeof comparisonOps)[number];
