import { RenderError } from '../../../errors/index.js';
import type { FieldSpec } from '../config/transformer-config.js';
import { gvkSelected, gvkString } from '../resource/gvk.js';
import type { FieldSource } from '../resource/provenance.js';
import type { ResMap } from '../resource/resmap.js';
import { applyFieldSpec } from './fieldspec.js';

export interface ReplicaSpec {
  name: string;
  count: number;
  /** The kustomization line that asked for the count. */
  source?: FieldSource;
}

/** `replicas:` sets spec.replicas on every workload whose current or earlier name matches. */
export function setReplicas(m: ResMap, rep: ReplicaSpec, specs: FieldSpec[], file: string): void {
  let found = false;
  for (const spec of specs) {
    const hits = m.byAnyId((id) => id.name === rep.name && gvkSelected(id.gvk, spec.gvk));
    if (hits.length === 0) continue;
    found = true;
    for (const r of hits)
      applyFieldSpec(r, spec, 'scalar', (slot, at) => {
        slot.set(rep.count);
        if (rep.source) r.provenance.note([...at], rep.source);
      });
  }
  if (!found) {
    const gvks = specs.map((s) => gvkString(s.gvk)).join(' ');
    throw new RenderError(
      'KUSTOMIZE_REPLICAS_TARGET',
      `resource with name ${rep.name} does not match a config with the following GVK [${gvks}]`,
      {
        file,
        field: 'replicas',
        hint: `No Deployment, ReplicaSet, ReplicationController or StatefulSet named ${rep.name} is in this build.`,
      },
    );
  }
}
