import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { ValidationError } from '../../errors/index.js';
import type { Resource } from '../../model/resource.js';
import { resourceKey } from '../../model/resource.js';

export const PROCESS_API_VERSION = 'sluice.dev/v1alpha1';
export const PROCESS_KIND = 'Process';

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const port = z.number().int().min(1).max(65535);

const healthCheckSchema = z
  .strictObject({
    http: z.strictObject({ path: z.string().startsWith('/').default('/'), port: port.optional() }).optional(),
    tcp: z.strictObject({ port: port.optional() }).optional(),
    exec: z.strictObject({ command: z.array(z.string().min(1)).min(1) }).optional(),
    // Fractions are allowed: sub-second probes are useful for fast local loops.
    intervalSeconds: z.number().positive().default(2),
    timeoutSeconds: z.number().positive().default(1),
    failureThreshold: z.number().int().min(1).default(3),
    initialDelaySeconds: z.number().min(0).default(0),
  })
  .superRefine((h, ctx) => {
    const kinds = [h.http, h.tcp, h.exec].filter((k) => k !== undefined).length;
    if (kinds !== 1) ctx.addIssue({ code: 'custom', message: 'needs exactly one of http, tcp or exec' });
  });

const artifactSchema = z
  .strictObject({
    path: z.string().min(1).optional(),
    url: z.string().startsWith('file://', 'only file:// URLs are supported').optional(),
    sha256: z.string().regex(/^[a-f0-9]{64}$/, 'must be 64 lowercase hex digits'),
  })
  .superRefine((a, ctx) => {
    if ((a.path === undefined) === (a.url === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'needs exactly one of path or url' });
    }
    if (a.path !== undefined && !isAbsolute(a.path)) {
      ctx.addIssue({ code: 'custom', path: ['path'], message: 'must be an absolute path' });
    }
  });

export const processSpecSchema = z
  .strictObject({
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'env names are letters, digits and _'), z.string())
      .default({}),
    workingDir: z
      .string()
      .refine((d) => isAbsolute(d), 'must be an absolute path')
      .optional(),
    replicas: z.number().int().min(0).default(1),
    port: port.optional(),
    // One address for callers: replica ports move as replicas roll, this one does not.
    service: z
      .strictObject({
        port,
        address: z.string().min(1).default('127.0.0.1'),
      })
      .optional(),
    healthCheck: healthCheckSchema.optional(),
    restartPolicy: z.enum(['Always', 'OnFailure', 'Never']).default('Always'),
    terminationGracePeriodSeconds: z.number().min(0).default(10),
    artifact: artifactSchema.optional(),
  })
  .superRefine((s, ctx) => {
    const h = s.healthCheck;
    if (s.port === undefined && h?.http && h.http.port === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['healthCheck', 'http', 'port'],
        message: 'is required when spec.port is not set',
      });
    }
    if (s.port === undefined && h?.tcp && h.tcp.port === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['healthCheck', 'tcp', 'port'],
        message: 'is required when spec.port is not set',
      });
    }
    if (s.service && s.port === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['port'],
        message: 'is required with spec.service: the service forwards to the replica ports',
      });
    }
    if (
      s.service &&
      s.port !== undefined &&
      s.service.port >= s.port &&
      s.service.port < s.port + 2 * Math.max(s.replicas, 1)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['service', 'port'],
        message: `must lie outside the replica ports ${s.port}-${s.port + 2 * Math.max(s.replicas, 1) - 1}`,
      });
    }
    if (s.port !== undefined && s.port + 2 * s.replicas - 1 > 65535) {
      ctx.addIssue({ code: 'custom', path: ['port'], message: 'leaves no room for 2 ports per replica below 65536' });
    }
  });

export type ProcessSpec = z.output<typeof processSpecSchema>;
export type HealthCheckSpec = NonNullable<ProcessSpec['healthCheck']>;
export type RestartPolicy = ProcessSpec['restartPolicy'];

/** A validated Process object. */
export interface ProcessObject {
  name: string;
  /** resourceKey() of the object. */
  key: string;
  spec: ProcessSpec;
}

export function isProcessResource(r: Pick<Resource, 'apiVersion' | 'kind'>): boolean {
  return r.apiVersion === PROCESS_API_VERSION && r.kind === PROCESS_KIND;
}

export function processKey(name: string): string {
  return resourceKey({ apiVersion: PROCESS_API_VERSION, kind: PROCESS_KIND, metadata: { name } });
}

/** Validates one Process object; the error names `Process/<name>` and the offending field. */
export function parseProcess(resource: Resource): ProcessObject {
  const name = resource.metadata?.name;
  const ref = `Process/${String(name)}`;
  if (typeof name !== 'string' || !dnsLabel.test(name) || name.length > 63) {
    throw new ValidationError('PROCESS_INVALID', 'metadata.name must be a lowercase DNS label (a-z, 0-9, "-")', {
      resource: ref,
      field: 'metadata.name',
      hint: 'The name becomes part of file names and replica names such as hello-0.',
    });
  }
  const parsed = processSpecSchema.safeParse(resource.spec ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = ['spec', ...issue.path.filter((p): p is string | number => typeof p !== 'symbol')]
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`))
      .join('');
    throw new ValidationError('PROCESS_INVALID', `${field} ${describeIssue(issue)}`, {
      resource: ref,
      field,
      hint: hintFor(field),
    });
  }
  return { name, key: processKey(name), spec: parsed.data };
}

/** Validates every Process of a scope; names must be unique within it. */
/**
 * Problems with one Process, each with the path of the offending field, so the caller can
 * point at the manifest line. For an unknown field the path ends at that field itself.
 */
export function processIssues(resource: Resource): { path: (string | number)[]; message: string; hint: string }[] {
  try {
    parseProcess(resource);
    return [];
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    const parsed = processSpecSchema.safeParse(resource.spec ?? {});
    const issue = parsed.success ? undefined : parsed.error.issues[0];
    const base = issue
      ? ['spec', ...issue.path.filter((p): p is string | number => typeof p !== 'symbol')]
      : ['metadata', 'name'];
    const path = issue?.code === 'unrecognized_keys' ? [...base, issue.keys[0]!] : base;
    return [{ path, message: e.message, hint: e.hint ?? hintFor(path.join('.')) }];
  }
}

export function parseProcesses(resources: readonly Resource[]): ProcessObject[] {
  const seen = new Set<string>();
  return resources.filter(isProcessResource).map((r) => {
    const p = parseProcess(r);
    if (seen.has(p.name)) {
      throw new ValidationError('PROCESS_DUPLICATE', `Process "${p.name}" is defined twice`, {
        resource: `Process/${p.name}`,
        field: 'metadata.name',
        hint: 'Each Process of an app needs its own name; rename or remove one of them.',
      });
    }
    seen.add(p.name);
    return p;
  });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_type':
      return `must be ${issue.expected}`;
    default:
      return issue.message.startsWith('is ') ||
        issue.message.startsWith('must') ||
        issue.message.startsWith('needs') ||
        issue.message.startsWith('leaves')
        ? issue.message
        : `is invalid: ${issue.message}`;
  }
}

function hintFor(field: string): string {
  if (field.startsWith('spec.healthCheck')) {
    return 'A healthCheck has one of http {path, port?}, tcp {port?} or exec {command: [...]}, plus intervalSeconds, timeoutSeconds, failureThreshold, initialDelaySeconds.';
  }
  if (field.startsWith('spec.service'))
    return 'service is {port, address?}: Sluice listens there and forwards to ready replicas; replicas take ports from spec.port up.';
  if (field.startsWith('spec.artifact'))
    return 'An artifact is {path: /absolute/file, sha256: <hex>} or {url: file:///..., sha256: <hex>}.';
  if (field === 'spec.command')
    return 'command is one executable, found on PATH; put its arguments in args (no shell is used).';
  return 'A Process spec has command, args, env, workingDir, replicas, port, service, healthCheck, restartPolicy, terminationGracePeriodSeconds and artifact.';
}
