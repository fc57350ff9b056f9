import type { Resource, RenderedResource } from '../model/resource.js';

/**
 * How a renderer says "this Secret's values came from a SOPS-encrypted file": an internal
 * annotation naming the encrypted file. The policy engine reads it (plaintext-secret rule) and
 * `stripInternalAnnotations` removes it before anything is planned or applied.
 */
export const SOPS_SOURCE_ANNOTATION = 'internal.sluice.dev/sops-source';
const INTERNAL_PREFIX = 'internal.sluice.dev/';

export function markDecrypted<T extends Resource>(resource: T, encryptedFile: string): T {
  const annotations = { ...(resource.metadata.annotations ?? {}), [SOPS_SOURCE_ANNOTATION]: encryptedFile };
  return { ...resource, metadata: { ...resource.metadata, annotations } };
}

/**
 * True if the resource came from an encrypted source: it carries the annotation, or its origin
 * file is one the DecryptingFs decrypted (a Secret manifest that is itself a SOPS file).
 */
export function isFromEncryptedSource(r: RenderedResource, encryptedFiles?: ReadonlySet<string>): boolean {
  if (r.object.metadata.annotations?.[SOPS_SOURCE_ANNOTATION]) return true;
  return r.origin !== undefined && encryptedFiles !== undefined && encryptedFiles.has(r.origin.file);
}

/** The resource without Sluice's internal annotations; call before plan/apply. */
export function stripInternalAnnotations<T extends Resource>(resource: T): T {
  const ann = resource.metadata.annotations;
  if (!ann || !Object.keys(ann).some((k) => k.startsWith(INTERNAL_PREFIX))) return resource;
  const kept = Object.fromEntries(Object.entries(ann).filter(([k]) => !k.startsWith(INTERNAL_PREFIX)));
  const { annotations: _dropped, ...rest } = resource.metadata;
  const metadata = Object.keys(kept).length === 0 ? rest : { ...rest, annotations: kept };
  return { ...resource, metadata: metadata as T['metadata'] };
}
