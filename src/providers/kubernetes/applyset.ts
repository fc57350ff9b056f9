import { createHash } from 'node:crypto';
import type { Scope } from '../types.js';
import type { Resource } from '../../model/resource.js';
import { apiGroup } from '../../model/resource.js';

/**
 * KEP-3659 ApplySet identity. The parent object records which group-kinds and namespaces
 * hold members; members carry the part-of label with the parent's id. Pruning only ever
 * considers objects carrying that exact id, so objects Sluice did not apply are never touched.
 */

export interface ParentRef {
  name: string;
  namespace: string;
  kind: string;
  group: string;
}

/** `applyset-<base64url(sha256(<name>.<namespace>.<kind>.<group>))>-v1`, unpadded, as the KEP specifies. */
export function applysetId(parent: ParentRef): string {
  const digest = createHash('sha256')
    .update(`${parent.name}.${parent.namespace}.${parent.kind}.${parent.group}`)
    .digest('base64url');
  return `applyset-${digest}-v1`;
}

/** One ConfigMap per app × environment; dots keep the three DNS labels apart without ambiguity. */
export function parentFor(scope: Scope, namespace: string): ParentRef {
  return { name: `sluice.${scope.project}.${scope.env}.${scope.app}`, namespace, kind: 'ConfigMap', group: '' };
}

/** `Kind.group`, or `Kind` for the core group: the spelling contains-group-kinds uses. */
export function groupKindOf(r: Pick<Resource, 'apiVersion' | 'kind'>): string {
  const group = apiGroup(r.apiVersion);
  return group ? `${r.kind}.${group}` : r.kind;
}

export function splitGroupKind(gk: string): { kind: string; group: string } {
  const i = gk.indexOf('.');
  return i < 0 ? { kind: gk, group: '' } : { kind: gk.slice(0, i), group: gk.slice(i + 1) };
}

export function parseList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Sorted and de-duplicated, so rewriting the parent with the same set is a no-op. */
export function formatList(items: Iterable<string>): string {
  return [...new Set(items)].sort().join(',');
}
