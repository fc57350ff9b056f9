import { createHash } from 'node:crypto';
import type { ComposeServiceSpec } from '../../model/compose.js';

/**
 * The per-service config hash: equal for equal specs whatever the key order, the Sluice
 * process or the Engine version, since it is taken over the desired spec only (never over
 * what the Engine reports back, which gains defaults between versions).
 */

/** JSON with object keys sorted at every level and undefined members dropped. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/**
 * The part of a spec a container is created from. Replicas scale without recreating, the
 * start order and Sluice's own checks are not container settings: none of them is hashed,
 * so changing them restarts nothing (as `docker compose` leaves out scale and depends_on).
 */
export function hashedSpec(spec: ComposeServiceSpec): Record<string, unknown> {
  const { deploy, depends_on: _dependsOn, 'x-sluice': _sluice, ...rest } = spec;
  const { replicas: _replicas, ...deployRest } = deploy ?? {};
  return Object.keys(deployRest).length > 0 ? { ...rest, deploy: deployRest } : rest;
}

export function configHash(spec: ComposeServiceSpec): string {
  return createHash('sha256')
    .update(canonicalJson(hashedSpec(spec)))
    .digest('hex');
}

const FINGERPRINT = 'fp:';

/**
 * The hashed spec with every environment value replaced by a short fingerprint: what a
 * container carries in its spec label and what diffs and recreate reasons are made of, so no
 * secret value reaches a label, a log or the ledger.
 */
export function redactedSpec(service: string, spec: ComposeServiceSpec): Record<string, unknown> {
  const hashed = hashedSpec(spec);
  const env = spec.environment;
  if (!env) return hashed;
  const masked: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(env)) {
    masked[k] =
      v === null
        ? null
        : FINGERPRINT + createHash('sha256').update(`${service}\0${k}\0${v}`).digest('hex').slice(0, 12);
  }
  return { ...hashed, environment: masked };
}

/** Each field that differs between two redacted specs, as `path: old → new` (values masked where secret). */
export function fieldChanges(before: unknown, after: unknown, path = ''): string[] {
  if (canonicalJson(before) === canonicalJson(after)) return [];
  const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  if (isMap(before) && isMap(after)) {
    const out: string[] = [];
    for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort())
      out.push(...fieldChanges(before[k], after[k], path ? `${path}.${k}` : k));
    return out;
  }
  return [`${path || 'spec'}: ${show(before)} → ${show(after)}`];
}

function show(v: unknown): string {
  if (v === undefined) return '(unset)';
  if (typeof v === 'string' && v.startsWith(FINGERPRINT)) return '(secret)';
  return JSON.stringify(v);
}
