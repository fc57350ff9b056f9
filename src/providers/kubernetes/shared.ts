import { createHash } from 'node:crypto';
import type { Resource } from '../../model/resource.js';
import type { DeclaredElsewhere } from '../types.js';
import { groupKindOf } from './applyset.js';
import { ANNOTATION_SHARED } from './labels.js';

/**
 * Objects several scopes declare. Two scopes declaring one object is a conflict found before
 * anything is applied (the claims of target.ts), unless every declaration is marked shared and
 * says the same; and pruning never deletes what another scope still declares.
 */

/** The claim key of one object: what two declarations of it have in common. */
export function objectClaimKey(groupKind: string, namespace: string, name: string): string {
  return `object/${groupKind}/${namespace}/${name}`;
}

export function isShared(r: Resource): boolean {
  return r.metadata.annotations?.[ANNOTATION_SHARED] === 'true';
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/**
 * Equal for two declarations that apply alike. Sluice's own bookkeeping annotations (where a
 * resource came from) differ between apps and are left out.
 */
export function declarationFingerprint(r: Resource): string {
  const annotations = Object.fromEntries(
    Object.entries(r.metadata.annotations ?? {}).filter(([k]) => !k.startsWith('internal.sluice.dev/')),
  );
  const copy = { ...r, metadata: { ...r.metadata, annotations } };
  return createHash('sha256')
    .update(JSON.stringify(canonical(copy)))
    .digest('hex')
    .slice(0, 16);
}

/**
 * Whether another scope on the cluster still declares a live object, so pruning must leave it.
 * A cluster-scoped kind the claims do not know of is declared without a namespace but claimed
 * under the default one; both spellings are looked up.
 */
export function declaredElsewhere(
  obj: Resource,
  elsewhere: DeclaredElsewhere | undefined,
  defaultNamespace: string,
): boolean {
  if (!elsewhere) return false;
  const gk = groupKindOf(obj);
  const ns = obj.metadata.namespace;
  const keys = ns
    ? [objectClaimKey(gk, ns, obj.metadata.name)]
    : [objectClaimKey(gk, '', obj.metadata.name), objectClaimKey(gk, defaultNamespace, obj.metadata.name)];
  return keys.some((k) => elsewhere.keys.has(k));
}
