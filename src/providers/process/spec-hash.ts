import { createHash } from 'node:crypto';
import type { ProcessSpec } from './spec.js';
import type { Sealer } from './sealing.js';

/** A spec as it may be shown and stored: env values replaced by fingerprints. */
export type RedactedSpec = ProcessSpec;

export function redactSpec(spec: ProcessSpec, sealer: Pick<Sealer, 'fingerprint'>): RedactedSpec {
  const env: Record<string, string> = {};
  for (const k of Object.keys(spec.env).sort()) env[k] = sealer.fingerprint(spec.env[k]!);
  return { ...spec, env };
}

/**
 * The fields whose change needs new processes. replicas, restartPolicy and the grace period
 * are left out on purpose: they are changed in place without restarting anything.
 */
export function rolloutFields(spec: RedactedSpec): Record<string, unknown> {
  return {
    command: spec.command,
    args: spec.args,
    env: spec.env,
    workingDir: spec.workingDir ?? null,
    port: spec.port ?? null,
    healthCheck: spec.healthCheck ?? null,
    artifact: spec.artifact ?? null,
  };
}

/** Stable hash of the rollout fields of a redacted spec. */
export function specHash(spec: RedactedSpec): string {
  return createHash('sha256')
    .update(stableJson(rolloutFields(spec)))
    .digest('hex')
    .slice(0, 16);
}

export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
