import { RenderError } from '../../../errors/index.js';
import { isObject } from '../model/json.js';
import type { FieldSpec } from '../config/transformer-config.js';
import { isClusterScoped } from '../resource/gvk.js';
import type { FieldSource } from '../resource/provenance.js';
import type { ResMap } from '../resource/resmap.js';
import type { Resource } from '../resource/resource.js';
import { applyFieldSpec } from './fieldspec.js';

export type SubjectMode = 'defaultOnly' | 'none' | 'allServiceAccounts';

export interface NamespaceOptions {
  namespace: string;
  unsetOnly?: boolean;
  subjects?: SubjectMode;
  file?: string;
  /** The kustomization line that set the namespace. */
  source?: FieldSource;
}

/**
 * `namespace:` sets metadata.namespace on every namespaced resource, the extra namespace
 * fields in the specs (APIService, CRD webhooks), and RoleBinding subjects named `default`.
 */
export function setNamespace(m: ResMap, specs: FieldSpec[], o: NamespaceOptions): void {
  if (!o.namespace) return;
  for (const r of m.list) {
    r.storePreviousId();
    const set = (cur: unknown): string | undefined =>
      o.unsetOnly && typeof cur === 'string' && cur !== '' ? undefined : o.namespace;
    if (!isClusterScoped(r.gvk())) {
      applyFieldSpec(
        r,
        { gvk: { group: '', version: '', kind: '' }, path: 'metadata/namespace', create: true },
        'scalar',
        (slot, at) => {
          const v = set(slot.get());
          if (v === undefined) return;
          slot.set(v);
          if (o.source) r.provenance.note([...at], o.source);
        },
      );
    }
    let list = specs.filter(
      (s) => s.path !== 'metadata/namespace' && !(r.apiVersion !== 'v1' && s.path === 'metadata/name'),
    );
    if (r.kind === 'RoleBinding' || r.kind === 'ClusterRoleBinding') {
      list = list.filter(
        (s) =>
          !((s.gvk.kind === 'RoleBinding' || s.gvk.kind === 'ClusterRoleBinding') && s.path === 'subjects/namespace'),
      );
      setSubjects(r, o, set);
    }
    for (const spec of list) {
      applyFieldSpec(r, spec, 'scalar', (slot, at) => {
        const cur = slot.get();
        if (isObject(cur) || Array.isArray(cur)) {
          throw new RenderError(
            'KUSTOMIZE_NAMESPACE',
            `namespace field specs must target scalar nodes (${spec.path} of ${r.kind}/${r.name})`,
            { file: o.file },
          );
        }
        const v = set(cur);
        if (v === undefined) return;
        slot.set(v);
        if (o.source) r.provenance.note([...at], o.source);
      });
    }
  }
  const dup = m.duplicate();
  if (dup) {
    throw new RenderError(
      'KUSTOMIZE_ID_CONFLICT',
      `namespace transformation produces ID conflict for ${dup.kind}/${dup.name}`,
      {
        file: o.file,
        resource: `${dup.kind}/${dup.name}`,
        hint: 'Two resources end up with the same kind, name and namespace.',
      },
    );
  }
}

function setSubjects(r: Resource, o: NamespaceOptions, set: (cur: unknown) => string | undefined): void {
  const mode = o.subjects ?? 'defaultOnly';
  if (mode === 'none') return;
  const subjects = r.obj['subjects'];
  if (!Array.isArray(subjects)) return;
  for (const s of subjects) {
    if (!isObject(s)) continue;
    const hit = mode === 'allServiceAccounts' ? s['kind'] === 'ServiceAccount' : s['name'] === 'default';
    if (!hit) continue;
    const v = set(s['namespace']);
    if (v !== undefined) s['namespace'] = v;
  }
}
