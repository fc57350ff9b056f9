import { RenderError } from '../../../errors/index.js';
import { effectiveNamespace, idEquals, idKey, idString, isClusterScoped, type ResId } from './gvk.js';
import type { Resource } from './resource.js';

/** An ordered list of resources with kustomize's id-based lookups. */
export class ResMap {
  list: Resource[] = [];

  get size(): number {
    return this.list.length;
  }

  append(r: Resource, where?: string): void {
    const id = r.curId();
    if (this.list.some((x) => idEquals(x.curId(), id))) {
      throw new RenderError(
        'KUSTOMIZE_ID_CONFLICT',
        `may not add resource with an already registered id: ${idString(id)}`,
        {
          file: where ?? r.source?.file,
          line: where ? undefined : r.source?.line,
          resource: `${id.gvk.kind}/${id.name}`,
          hint: 'Two resources have the same kind, name and namespace; rename one or patch instead of adding it twice.',
        },
      );
    }
    this.list.push(r);
  }

  /** Appends many at once; ids are compared through one index instead of pairwise. */
  appendAll(other: ResMap | Resource[], where?: string): void {
    const items = Array.isArray(other) ? other : other.list;
    if (items.length < 4) {
      for (const r of items) this.append(r, where);
      return;
    }
    const seen = new Set(this.list.map((r) => idKey(r.curId())));
    for (const r of items) {
      const key = idKey(r.curId());
      if (seen.has(key)) this.append(r, where); // throws the conflict error
      seen.add(key);
      this.list.push(r);
    }
  }

  /** First pair of resources sharing an id, if any. */
  duplicate(): Resource | undefined {
    const seen = new Set<string>();
    for (const r of this.list) {
      const key = idKey(r.curId());
      if (seen.has(key)) return r;
      seen.add(key);
    }
    return undefined;
  }

  byCurrentId(id: ResId): Resource[] {
    return this.list.filter((r) => idEquals(r.curId(), id));
  }

  byAnyId(match: (id: ResId) => boolean): Resource[] {
    return this.list.filter((r) => r.prevIds().some(match) || match(r.curId()));
  }

  indexOf(r: Resource): number {
    return this.list.indexOf(r);
  }

  replaceAt(i: number, r: Resource): void {
    this.list[i] = r;
  }

  remove(r: Resource): void {
    const i = this.list.indexOf(r);
    if (i >= 0) this.list.splice(i, 1);
  }

  /** Resources a referrer may point at: same namespace, cluster scoped, or a RoleBinding subject's namespace. */
  couldBeReferencedBy(referrer: Resource): Resource[] {
    const visible = visibleFrom(referrer);
    return this.list.filter(visible);
  }
}

/** The test behind couldBeReferencedBy, for callers that filter a smaller list. */
export function visibleFrom(referrer: Resource): (t: Resource) => boolean {
  const rid = referrer.curId();
  if (isClusterScoped(rid.gvk)) return () => true;
  const bindingNs = roleBindingNamespaces(referrer);
  const rns = effectiveNamespace(rid);
  return (t) => {
    const id = t.curId();
    return isClusterScoped(id.gvk) || effectiveNamespace(id) === rns || bindingNs.has(t.namespace);
  };
}

function roleBindingNamespaces(r: Resource): Set<string> {
  const out = new Set<string>();
  if (r.kind !== 'RoleBinding') return out;
  const subjects = r.obj['subjects'];
  if (!Array.isArray(subjects)) return out;
  for (const s of subjects) {
    if (!s || typeof s !== 'object' || Array.isArray(s) || s['kind'] !== 'ServiceAccount') continue;
    if (!Object.prototype.hasOwnProperty.call(s, 'namespace')) continue;
    const ns = s['namespace'];
    // kustomize stops here rather than guess which namespace a `namespace:` with no value means.
    if (typeof ns !== 'string') {
      throw new RenderError(
        'KUSTOMIZE_RESOURCE',
        `Invalid Input: namespace is blank for resource "${idString(r.curId())}"`,
        {
          file: r.source?.file,
          line: r.source?.line,
          resource: `RoleBinding/${r.name}`,
          hint: 'Give the ServiceAccount subject a namespace, or remove the empty namespace: key.',
        },
      );
    }
    out.add(ns);
  }
  return out;
}
