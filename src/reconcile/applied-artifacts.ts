import { resourceRef, type Resource } from '../model/resource.js';
import { containers, splitImage } from '../policy/index.js';
import { appliedArtifactsOf } from '../providers/index.js';
import type { ArtifactRecord } from '../store/ledger-types.js';

export { splitImage };

/**
 * The artifacts a set of rendered resources runs, as each target kind reads them, plus
 * Compose service images. This is what a sync applied, recorded in the ledger so a promotion
 * copies what really ran, not whatever an overlay says now.
 */
export function appliedArtifacts(resources: readonly Resource[]): ArtifactRecord[] {
  const out: ArtifactRecord[] = [];
  for (const r of resources) {
    const resource = resourceRef(r);
    for (const a of appliedArtifactsOf(r)) out.push({ ...a, resource });
    for (const c of containers(r)) {
      const image = c.spec['image'];
      if (c.kind !== 'service' || typeof image !== 'string') continue;
      const { name, tag, digest } = splitImage(image);
      out.push({
        kind: 'image',
        name: c.name,
        ref: name,
        ...(tag ? { tag } : {}),
        ...(digest ? { digest } : {}),
        resource,
      });
    }
  }
  return out;
}
