import type { FieldSpec } from '../config/transformer-config.js';
import { gvkSelected } from '../resource/gvk.js';
import type { FieldSource } from '../resource/provenance.js';
import type { ResMap } from '../resource/resmap.js';
import { applyFieldSpec } from './fieldspec.js';

/** Kinds whose names kustomize never prefixes or suffixes. */
const SKIP = [
  { kind: 'CustomResourceDefinition' },
  { group: 'apiregistration.k8s.io', kind: 'APIService' },
  { kind: 'Namespace' },
];

/**
 * namePrefix / nameSuffix. Each renamed resource remembers its previous id and the affix,
 * which the name-reference pass later uses to find which references to rewrite.
 */
export function addNameAffix(
  m: ResMap,
  affix: string,
  specs: FieldSpec[],
  where: 'prefix' | 'suffix',
  source?: FieldSource,
): void {
  for (const r of m.list) {
    const org = r.orgId();
    if (SKIP.some((s) => gvkSelected(org.gvk, s))) continue;
    for (const spec of specs) {
      if (!gvkSelected(org.gvk, spec.gvk)) continue;
      if (spec.path === 'metadata/name') {
        if (affix !== '') {
          if (where === 'prefix') r.prefixes.push(affix);
          else r.suffixes.push(affix);
          r.storePreviousId();
        }
      }
      applyFieldSpec(r, spec, 'scalar', (slot, at) => {
        const v = slot.get();
        const cur = typeof v === 'string' ? v : v === null ? '' : String(v);
        slot.set(where === 'prefix' ? affix + cur : cur + affix);
        if (source) r.provenance.note([...at], source);
      });
    }
  }
}
