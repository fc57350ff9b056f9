import { RenderError } from '../../../errors/index.js';
import { isObject, type JsonObject, type JsonValue } from '../model/json.js';
import type { FieldSpec, NameBackRef } from '../config/transformer-config.js';
import { effectiveNamespace, gvkSelected, idString, isClusterScoped, type Gvk } from '../resource/gvk.js';
import { visibleFrom, type ResMap } from '../resource/resmap.js';
import type { Resource } from '../resource/resource.js';
import { applyFieldSpec } from '../transform/fieldspec.js';

/**
 * After names changed (prefix, suffix, content hash), rewrite every field that referred to
 * the old name: a Deployment's configMapRef, a RoleBinding's subjects, an Ingress backend…
 * A resource is a candidate only if one of its earlier names equals the reference, it has
 * the referenced kind, and it is visible from the referrer's namespace; ties are broken by
 * comparing the prefixes and suffixes both sides received, exactly as kustomize does.
 */
export function fixNameReferences(m: ResMap, backRefs: NameBackRef[]): void {
  const work = new Map<Resource, { spec: FieldSpec; target: Gvk }[]>();
  const orgIds = m.list.map((r) => r.orgId());
  for (const br of backRefs) {
    for (const spec of br.referrers) {
      m.list.forEach((r, i) => {
        if (!gvkSelected(orgIds[i]!.gvk, spec.gvk)) return;
        let list = work.get(r);
        if (!list) work.set(r, (list = []));
        list.push({ spec, target: br.gvk });
      });
    }
  }
  // Names do not change during this pass, so candidates are looked up by earlier name
  // instead of scanning every resource for every reference.
  const byPrevName = new Map<string, Resource[]>();
  for (const r of m.list) {
    for (const n of new Set(r.prev.map((p) => p.name))) {
      let l = byPrevName.get(n);
      if (!l) byPrevName.set(n, (l = []));
      l.push(r);
    }
  }
  for (const [referrer, filters] of work) {
    const visible = visibleFrom(referrer);
    const candidates = (name: string) => (byPrevName.get(name) ?? []).filter(visible);
    let all: Resource[] | undefined;
    const everyone = () => (all ??= m.list.filter(visible));
    for (const f of filters) {
      const spec: FieldSpec = { gvk: referrer.gvk(), path: f.spec.path, create: false };
      applyFieldSpec(referrer, spec, undefined, (slot) => {
        const v = slot.get();
        if (v === null || v === undefined) return;
        if (Array.isArray(v)) {
          v.forEach((e, i) => {
            if (e === null) return;
            if (isObject(e)) setMapping(e, referrer, candidates, everyone, f.target, spec.path);
            else if (typeof e !== 'object') {
              const n = scalarRef(String(e), referrer, candidates, f.target, spec.path);
              if (n !== undefined) v[i] = n;
            }
          });
        } else if (isObject(v)) setMapping(v, referrer, candidates, everyone, f.target, spec.path);
        else {
          const n = scalarRef(String(v), referrer, candidates, f.target, spec.path);
          if (n !== undefined) slot.set(n);
        }
      });
    }
  }
}

function scalarRef(
  old: string,
  referrer: Resource,
  candidates: (name: string) => Resource[],
  target: Gvk,
  path: string,
): string | undefined {
  const hit = selectReferral(old, candidates(old), referrer, target, path, (rs) =>
    rs.every((r) => r.name === rs[0]!.name),
  );
  if (!hit || hit.name === old) return undefined;
  return hit.name;
}

function setMapping(
  node: JsonObject,
  referrer: Resource,
  lookup: (name: string) => Resource[],
  visibleAll: () => Resource[],
  target: Gvk,
  path: string,
): void {
  if (!Object.prototype.hasOwnProperty.call(node, 'name')) {
    throw new RenderError(
      'KUSTOMIZE_NAMEREF',
      `updating name reference in '${path}' field of '${idString(referrer.curId())}': path config error; no 'name' field in node`,
      {
        file: referrer.source?.file,
        resource: `${referrer.kind}/${referrer.name}`,
      },
    );
  }
  let candidates = lookup(text(node['name']));
  if (Object.prototype.hasOwnProperty.call(node, 'namespace')) {
    // kustomize picks the namespace group (original namespace first) among all visible
    // resources before looking at names; only then narrow to the name.
    const ns = text(node['namespace']);
    const everyone = visibleAll();
    const byOrg = everyone.some((r) => r.orgId().namespace === ns);
    candidates = candidates.filter((r) => (byOrg ? r.orgId().namespace === ns : r.namespace === ns));
  }
  const old = text(node['name']);
  const hit = selectReferral(old, candidates, referrer, target, path, (rs) =>
    rs.every((r) => r.name === rs[0]!.name && r.namespace === rs[0]!.namespace),
  );
  if (!hit) return;
  if (hit.name === old && hit.namespace === '') return;
  node['name'] = hit.name;
  if (hit.namespace !== '') node['namespace'] = hit.namespace;
}

function text(v: JsonValue | undefined): string {
  return v === undefined || v === null || typeof v === 'object' ? '' : String(v);
}

function roleRefGvk(referrer: Resource): Gvk | undefined {
  const rr = referrer.obj['roleRef'];
  if (!isObject(rr) || rr['apiGroup'] === undefined || rr['kind'] === undefined) return undefined;
  return { group: text(rr['apiGroup']), version: '', kind: text(rr['kind']) };
}

function selectReferral(
  old: string,
  list: Resource[],
  referrer: Resource,
  target: Gvk,
  path: string,
  identical: (rs: Resource[]) => boolean,
): Resource | undefined {
  let c = list.filter((r) => r.prevIds().some((id) => id.name === old));
  c = c.filter((r) => r.prevIds().some((id) => gvkSelected(id.gvk, target)));
  if (path.endsWith('roleRef/name')) {
    const g = roleRefGvk(referrer);
    if (g) c = c.filter((r) => r.prevIds().some((id) => gvkSelected(id.gvk, g)));
  }
  const rid = referrer.curId();
  if (!isClusterScoped(rid.gvk)) {
    const rns = effectiveNamespace(rid);
    c = c.filter(
      (r) => isClusterScoped(r.gvk()) || r.kind === 'ServiceAccount' || effectiveNamespace(r.curId()) === rns,
    );
  }
  if (c.length === 1) return c[0];
  c = c.filter((r) => affixesEqual(r, referrer, true));
  if (c.length > 1) c = c.filter((r) => affixesEqual(r, referrer, false));
  if (c.length === 1) return c[0];
  if (c.length === 0) return undefined;
  if (identical(c)) return c[0];
  throw new RenderError(
    'KUSTOMIZE_NAMEREF',
    `found multiple possible referrals: ${c.map((r) => idString(r.curId())).join(', ')}`,
    {
      file: referrer.source?.file,
      resource: `${referrer.kind}/${referrer.name}`,
      hint: 'Several resources could be the one this field refers to; give them distinct names.',
    },
  );
}

function sameEnding(a: string[], b: string[]): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  const diff = long.length - short.length;
  if (short.length === 0) return diff === 0;
  for (let i = short.length - 1; i >= 0; i--) if (long[i + diff] !== short[i]) return false;
  return true;
}

function affixesEqual(r: Resource, o: Resource, allowEmpty: boolean): boolean {
  if (allowEmpty) {
    const pe = r.prefixes.length === 0 || o.prefixes.length === 0;
    const se = r.suffixes.length === 0 || o.suffixes.length === 0;
    return (pe || sameEnding(r.prefixes, o.prefixes)) && (se || sameEnding(r.suffixes, o.suffixes));
  }
  return sameEnding(r.prefixes, o.prefixes) && sameEnding(r.suffixes, o.suffixes);
}
