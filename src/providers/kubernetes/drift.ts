import type { Resource } from '../../model/resource.js';
import { resourceRef } from '../../model/resource.js';
import type { Scope } from '../types.js';
import { extractOwned, managedFieldsOf, ownedFields } from './managed-fields.js';
import type { CacheEventType } from './watch-cache.js';
import { LABEL_APP, LABEL_APPLYSET_PART_OF, LABEL_ENV, LABEL_PROJECT } from './labels.js';

/**
 * Drift from watch events: an object Sluice applied changed under the fields Sluice owns,
 * or was deleted, and Sluice was not the one writing. Changes to fields Sluice does not own
 * (status, defaults, other managers' fields) are not drift.
 */

export function scopeOfObject(obj: Resource): Scope | undefined {
  const l = obj.metadata.labels ?? {};
  const project = l[LABEL_PROJECT];
  const app = l[LABEL_APP];
  const env = l[LABEL_ENV];
  if (!project || !app || !env || !l[LABEL_APPLYSET_PART_OF]) return undefined;
  return { project, app, env };
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Path of the first difference, for the event message. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return path || '.';
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  // A field that vanished from one side is reported at its leaves, not at its parent.
  if ((isMap(a) && (isMap(b) || b === undefined)) || (isMap(b) && a === undefined)) {
    const x = isMap(a) ? a : {};
    const y = isMap(b) ? b : {};
    for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
      const d = firstDifference(x[k], y[k], `${path}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return a === b ? undefined : path || '.';
}

/** Managers whose entries are new or touched in `after`, other than sluice. */
function editors(before: Resource, after: Resource): string[] {
  const old = new Map(
    managedFieldsOf(before).map((e) => [`${e.manager}|${e.operation}|${e.subresource ?? ''}`, JSON.stringify(e)]),
  );
  const out = new Set<string>();
  for (const e of managedFieldsOf(after)) {
    if (e.manager === 'sluice' || e.subresource === 'status') continue;
    if (old.get(`${e.manager}|${e.operation}|${e.subresource ?? ''}`) !== JSON.stringify(e))
      out.add(e.manager ?? 'unknown');
  }
  return [...out];
}

export interface Drift {
  scope: Scope;
  message: string;
}

export function detectDrift(type: CacheEventType, obj: Resource, previous: Resource | undefined): Drift | undefined {
  const scope = scopeOfObject(obj);
  if (!scope) return undefined;
  const ref = resourceRef(obj);
  if (type === 'DELETED') return { scope, message: `${ref} was deleted outside Sluice` };
  if (type !== 'MODIFIED' || !previous) return undefined;
  const before = extractOwned(previous, ownedFields(previous));
  const after = extractOwned(obj, ownedFields(obj));
  const where = firstDifference(before, after);
  if (!where) return undefined;
  const who = editors(previous, obj);
  return {
    scope,
    message: `${ref}: ${where} changed${who.length ? ` by ${who.map((w) => `"${w}"`).join(', ')}` : ''}`,
  };
}
