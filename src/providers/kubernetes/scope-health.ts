import type { ResourceHealth } from '../../plan/types.js';
import type { Resource } from '../../model/resource.js';
import { resourceKey, resourceRef } from '../../model/resource.js';
import { groupKindOf } from './applyset.js';
import { evaluateCelHealth } from './health-cel.js';
import { evaluateHealth } from './health.js';
import { ANNOTATION_HEALTH } from './labels.js';

/** Health of one live object: its own CEL annotation, else a configured CEL check for its kind, else the built-in rules. */
export function healthOf(obj: Resource, checks: Record<string, string>): ResourceHealth {
  const expr = obj.metadata.annotations?.[ANNOTATION_HEALTH] ?? checks[groupKindOf(obj)];
  const verdict = expr ? evaluateCelHealth(expr, obj) : evaluateHealth(obj);
  const h: ResourceHealth = { key: resourceKey(obj), kind: obj.kind, name: obj.metadata.name, status: verdict.status };
  if (verdict.message) h.message = verdict.message;
  return h;
}

/** `Kind.group/ns/name` or `Kind/name` (resourceKey) back to kind and name, for objects that are gone. */
export function kindAndName(key: string): { kind: string; name: string } {
  const parts = key.split('/');
  const kindPart = parts[0]!;
  const dot = kindPart.indexOf('.');
  return { kind: dot < 0 ? kindPart : kindPart.slice(0, dot), name: parts[parts.length - 1]! };
}

/** Health of a scope: every live member, plus Missing for what the latest sync applied and is gone. */
export function scopeHealth(
  members: readonly Resource[],
  applied: readonly string[],
  checks: Record<string, string>,
): ResourceHealth[] {
  const out = members.map((m) => healthOf(m, checks));
  const seen = new Set(out.map((h) => h.key));
  for (const key of applied) {
    if (!seen.has(key))
      out.push({ key, ...kindAndName(key), status: 'Missing', message: 'applied by Sluice but not in the cluster' });
  }
  return out;
}

/** A change worth telling people about: something became Degraded, or became Healthy again. */
export function healthTransition(
  before: Resource,
  after: Resource,
  checks: Record<string, string>,
): { type: 'healthy' | 'unhealthy'; message: string } | undefined {
  const was = healthOf(before, checks).status;
  const now = healthOf(after, checks);
  if (was === now.status) return undefined;
  const ref = resourceRef(after);
  if (now.status === 'Degraded')
    return { type: 'unhealthy', message: `${ref} is Degraded${now.message ? `: ${now.message}` : ''}` };
  if (now.status === 'Healthy') return { type: 'healthy', message: `${ref} is Healthy (was ${was})` };
  return undefined;
}
