import { z } from 'zod';
import { celExpression } from '../model/cel-expression.js';
import { durationString } from '../model/duration.js';
import { byteSize, DEFAULT_READ_LIMITS } from '../model/read-limits.js';
import { targetSchema } from '../providers/index.js';
import { requireSignedCommitsSchema, signingSchema, webhooksSchema } from './trust-schema.js';
import { authSchema } from './auth-schema.js';
import { metricGateSchema, metricQuerySchema, prometheusServerSchema } from './metric-schema.js';

/**
 * The one schema of `sluice.yaml`. Types, validation and the editor JSON Schema
 * (`schema/sluice.schema.json`) all come from here. A target's fields belong to its kind
 * (`src/providers/<kind>/`); the registry hands them over as one union on `provider`.
 */

const name = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase DNS label (a-z, 0-9, "-")')
  .max(63);

const severity = z.enum(['error', 'warn', 'off']);

const promotionSchema = z.strictObject({
  from: name.describe('Environment whose synced, healthy artifacts are promoted here'),
  requireHealthy: z.boolean().default(true),
  approvals: z.number().int().min(0).default(0),
  soak: durationString.optional().describe("Time the source environment's sync must have been healthy"),
  manual: z.boolean().default(false).describe('Promotion only on an explicit request'),
  gates: z
    .array(metricGateSchema)
    .optional()
    .describe('Metric gates a promotion into this environment must pass (Prometheus queries)'),
});

const customPolicyRuleSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase name (a-z, 0-9, "-")')
    .describe('Rule name shown in reports; also usable under rules: to change its severity'),
  match: z
    .strictObject({
      kinds: z.array(z.string()).optional().describe('Resource kinds the rule applies to; every kind when left out'),
      apiVersions: z.array(z.string()).optional(),
    })
    .optional(),
  expression: celExpression.describe('CEL expression over `object` (the resource) that must be true'),
  message: z.string().min(1).describe('What is wrong when the expression is false'),
  hint: z.string().optional().describe('What to do about it'),
  severity: severity.default('error'),
});

const policySchema = z.strictObject({
  requireDigests: z.boolean().optional(),
  rules: z.record(z.string(), severity).optional().describe('Severity per rule name'),
  allowedRegistries: z.array(z.string()).optional(),
  requiredLabels: z.array(z.string()).optional(),
  minReplicas: z.number().int().min(0).optional(),
  custom: z.array(customPolicyRuleSchema).optional().describe('Rules written as CEL expressions'),
});

const verifyCheckSchema = z
  .strictObject({
    name: z.string().optional().describe('Shown in verification results; defaults to the URL or the query'),
    http: z
      .strictObject({
        url: z
          .string()
          .min(1)
          .describe(
            'URL to GET after each sync. ${artifact.tag}, ${artifact.digest}, ${artifact.<name>.tag}, ${revision} and ${env.NAME} are replaced; ${port} runs the check once per live replica port (process target)',
          ),
        expectStatus: z.number().int().min(100).max(599).default(200),
        jsonPath: z.string().optional().describe('Dotted path into the JSON body, such as version or items[0].tag'),
        equals: z
          .string()
          .optional()
          .describe('Value expected at jsonPath (or the whole body); the same ${...} references apply'),
        timeout: durationString.default('5s'),
      })
      .optional(),
    prometheus: metricQuerySchema
      .optional()
      .describe(
        "A Prometheus query whose value must pass; the environment's (or project's) prometheus server is asked",
      ),
    retries: z.number().int().min(0).default(2).describe('Extra attempts before the check counts as failed'),
    interval: durationString.default('1s').describe('Wait between attempts'),
  })
  .refine((c) => (c.http === undefined) !== (c.prometheus === undefined), {
    message: 'set exactly one of http or prometheus',
    path: ['http'],
  });

const rollbackSchema = z.strictObject({
  auto: z.boolean().default(false).describe('Revert the change automatically when verification after its sync fails'),
});

export const environmentSchema = z.strictObject({
  name,
  target: z.string().describe('Name of a target under spec.targets'),
  sync: z.enum(['auto', 'manual']).default('auto'),
  selfHeal: z.boolean().default(false).describe('Heal drift without waiting for a new revision'),
  prune: z.boolean().default(true).describe('Remove what Sluice applied earlier and Git no longer has'),
  force: z
    .boolean()
    .default(false)
    .describe('Take over fields another applier owns (Kubernetes server-side apply conflicts) instead of failing'),
  protected: z.boolean().default(false),
  requireSignedCommits: requireSignedCommitsSchema,
  healthTimeout: durationString.default('2m'),
  promotion: promotionSchema.optional(),
  policy: policySchema.optional(),
  verify: z.array(verifyCheckSchema).optional().describe('Checks run after every sync, besides health'),
  rollback: rollbackSchema.optional(),
  prometheus: prometheusServerSchema
    .optional()
    .describe("Prometheus this environment's metric checks and gates query; defaults to spec.prometheus"),
});

export const appSchema = z.strictObject({
  name,
  path: z.string().describe('Directory of the app in the config repo, holding base/ and overlays/<env>/'),
  environments: z
    .array(name)
    .optional()
    .describe('Environments the app deploys to; defaults to every one with an overlay'),
  allowEmpty: z
    .boolean()
    .optional()
    .describe(
      'Let the app render to no resources (which removes what it runs); by default (false) an empty render is refused',
    ),
});

/** Events a notification sink can subscribe to; `src/notify` sends them. */
export const notificationEvents = [
  'sync.failed',
  'drift.detected',
  'promotion.awaiting-approval',
  'promoted',
  'rolled-back',
  'promotion.rejected',
  'verification.failed',
  'change.unapproved',
  'digest.held',
] as const;

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

export const notificationSchema = z
  .strictObject({
    name: name.describe('Sink name, used in logs and delivery-failure events'),
    type: z
      .enum(['webhook', 'slack'])
      .describe('webhook: a JSON POST of the event; slack: a Slack incoming-webhook message'),
    url: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .optional()
      .describe('Where to POST. Prefer urlFrom: webhook URLs often carry a secret'),
    urlFrom: z
      .strictObject({ env: envVarName.describe('Environment variable holding the URL') })
      .optional()
      .describe('Read the URL from the environment of the Sluice process'),
    events: z.array(z.enum(notificationEvents)).min(1).describe('Event types sent to this sink'),
    environments: z
      .array(name)
      .optional()
      .describe('Only events of these environments; every environment when left out'),
    timeout: durationString.default('10s').describe('Limit for one delivery attempt'),
  })
  .refine((n) => (n.url === undefined) !== (n.urlFrom === undefined), {
    message: 'set exactly one of url or urlFrom',
    path: ['url'],
  });

/** Where the config repo is hosted, so promotion requests become pull/merge requests there. */
export const repositorySchema = z
  .strictObject({
    hosting: z
      .enum(['github', 'gitlab', 'none'])
      .describe('Forge of the config repo; none keeps requests in Sluice even when the remote is on GitHub or GitLab'),
    apiUrl: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .optional()
      .describe(
        'REST root; defaults to https://api.github.com or https://gitlab.com/api/v4 (GitHub Enterprise: https://<host>/api/v3)',
      ),
    owner: z.string().min(1).optional().describe('GitHub owner (user or organization)'),
    repo: z.string().min(1).optional().describe('GitHub repository name'),
    project: z.string().min(1).optional().describe('GitLab project path (group/subgroup/project) or numeric id'),
    tokenFrom: z
      .strictObject({ env: envVarName.describe('Environment variable holding the API token') })
      .optional()
      .describe('Defaults to SLUICE_GITHUB_TOKEN or SLUICE_GITLAB_TOKEN; tokens are never written in sluice.yaml'),
    branchPrefix: z
      .string()
      .regex(/^[A-Za-z0-9._/-]+$/, 'must be a branch name prefix')
      .default('sluice/')
      .describe('Prefix of the branches promotion requests are opened from'),
    pollInterval: durationString.default('30s').describe('How often open requests are read back for new reviews'),
  })
  .refine((r) => r.hosting !== 'github' || (r.owner === undefined) === (r.repo === undefined), {
    message: 'set both owner and repo, or neither (taken from the remote URL)',
    path: ['owner'],
  })
  .refine((r) => r.hosting === 'gitlab' || r.project === undefined, {
    message: 'project is for GitLab; GitHub uses owner and repo',
    path: ['project'],
  });

// ── Read limits ─────────────────────────────────────────────────────────────────────────────
// How much of the config repo one render may read; a file or a walk past them is refused with
// the file or directory and the limit, so a bad commit cannot exhaust memory or spin forever.
export const limitsSchema = z
  .strictObject({
    maxFileSize: byteSize
      .default(DEFAULT_READ_LIMITS.maxFileSize)
      .describe('Largest file a render reads, in bytes or with Ki/Mi/Gi (default 8Mi)'),
    maxRenderSize: byteSize
      .default(DEFAULT_READ_LIMITS.maxRenderSize)
      .describe('Bytes one render of one app in one environment reads, all files together (default 64Mi)'),
    maxDepth: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(DEFAULT_READ_LIMITS.maxDepth)
      .describe('Directory levels a render descends below the directory it renders (default 32)'),
    maxFiles: z
      .number()
      .int()
      .min(1)
      .default(DEFAULT_READ_LIMITS.maxFiles)
      .describe('Files and directories one render visits (default 10000)'),
  })
  .describe('Limits on what one render reads from the config repo');
// ────────────────────────────────────────────────────────────────────────────────────────────

export const projectSchema = z.strictObject({
  apiVersion: z.literal('sluice.dev/v1alpha1'),
  kind: z.literal('Project'),
  metadata: z.strictObject({ name, labels: z.record(z.string(), z.string()).optional() }),
  spec: z.strictObject({
    targets: z.record(name, targetSchema),
    environments: z.array(environmentSchema).min(1),
    apps: z.array(appSchema).default([]),
    notifications: z
      .array(notificationSchema)
      .superRefine((sinks, ctx) => {
        const seen = new Set<string>();
        sinks.forEach((sink, i) => {
          if (seen.has(sink.name))
            ctx.addIssue({
              code: 'custom',
              path: [i, 'name'],
              message: `notification sink "${sink.name}" is defined twice`,
            });
          seen.add(sink.name);
        });
      })
      .optional()
      .describe('Webhook and Slack sinks for sync, drift and promotion events'),
    repository: repositorySchema
      .optional()
      .describe(
        'Where the config repo is hosted; promotion requests become pull requests (GitHub) or merge requests (GitLab)',
      ),
    limits: limitsSchema.optional(),
    webhooks: webhooksSchema.optional(),
    signing: signingSchema.optional(),
    auth: authSchema.optional(),
    prometheus: prometheusServerSchema
      .optional()
      .describe('Prometheus the metric checks and gates query, unless an environment names its own'),
  }),
});

export type ProjectFile = z.output<typeof projectSchema>;
export type EnvironmentSpec = z.output<typeof environmentSchema>;
export type AppSpec = z.output<typeof appSchema>;
export type PromotionSpec = z.output<typeof promotionSchema>;
export type PolicySpec = z.output<typeof policySchema>;
export type CustomPolicyRuleSpec = z.output<typeof customPolicyRuleSchema>;
export type NotificationSpec = z.output<typeof notificationSchema>;
export type RepositorySpec = z.output<typeof repositorySchema>;
export type NotificationEventType = (typeof notificationEvents)[number];
export type LimitsSpec = z.output<typeof limitsSchema>;
export type VerifyCheckSpec = z.output<typeof verifyCheckSchema>;
