import { createHash } from 'node:crypto';
import type { ProcessSpec } from './spec.js';
import type { Sealer } from './sealing.js';

/**
 * A spec as it may be shown and stored: env values replaced by fingerprints, and decrypted
 * secret values anywhere else (command, arguments, working directory, health check) replaced
 * by theirs, before the spec is hashed, planned, diffed or written to a state file.
 */
export type RedactedSpec = ProcessSpec;

export function redactSpec(
  spec: ProcessSpec,
  sealer: Pick<Sealer, 'fingerprint'> & Partial<Pick<Sealer, 'maskText'>>,
): RedactedSpec {
  const env: Record<string, string> = {};
  for (const k of Object.keys(spec.env).sort()) env[k] = sealer.fingerprint(spec.env[k]!);
  const { env: _env, ...rest } = spec;
  const masked = sealer.maskText ? (maskStrings(rest, (t) => sealer.maskText!(t)) as typeof rest) : rest;
  return { ...masked, env };
}

function maskStrings(v: unknown, mask: (text: string) => string): unknown {
  if (typeof v === 'string') return mask(v);
  if (Array.isArray(v)) return v.map((x) => maskStrings(x, mask));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskStrings(x, mask)]));
  return v;
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
