import { resourceRef, type Resource } from '../model/resource.js';
import { containers, splitImage } from '../policy/index.js';
import type { ArtifactRecord } from '../store/ledger-types.js';

/** Annotation on a Process holding the version label of its artifact (file artifacts have no tag of their own). */
export const ARTIFACT_TAG_ANNOTATION = 'sluice.dev/artifact-tag';

export { splitImage };

/**
 * The artifacts a set of rendered resources runs: container images of pod templates, Compose
 * service images and Process artifacts. This is what a sync applied, recorded in the ledger so
 * a promotion copies what really ran, not whatever an overlay says now.
 */
export function appliedArtifacts(resources: readonly Resource[]): ArtifactRecord[] {
  const out: ArtifactRecord[] = [];
  for (const r of resources) {
    const resource = resourceRef(r);
    for (const c of containers(r)) {
      const image = c.spec['image'];
      if (typeof image !== 'string') continue;
      const { name, tag, digest } = splitImage(image);
      out.push({ kind: 'image', name: c.kind === 'service' ? c.name : name, ref: name, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}), resource });
    }
    if (r.kind === 'Process' && r.apiVersion.startsWith('sluice.dev/')) {
      const spec = r['spec'] as Record<string, unknown> | undefined;
      const a = spec?.['artifact'] as { path?: string; url?: string; sha256?: string } | undefined;
      if (a && (a.path || a.url)) {
        const tag = r.metadata.annotations?.[ARTIFACT_TAG_ANNOTATION];
        out.push({ kind: 'file', name: r.metadata.name, ref: (a.path ?? a.url)!, ...(a.sha256 ? { digest: `sha256:${a.sha256}` } : {}), ...(tag ? { tag } : {}), resource });
      }
    }
  }
  return out;
}
