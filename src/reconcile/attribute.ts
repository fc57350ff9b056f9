import { isSluiceError } from '../errors/index.js';
import { resourceRef, type RenderedResource } from '../model/resource.js';

/**
 * A target names the object it refused (`Deployment/shop/web`) and often the field; people fix
 * files. This adds the file and line the object was rendered from, at the field where the
 * renderer can tell, to an error that names a resource but no file.
 */
export function attribute(e: unknown, rendered: readonly RenderedResource[]): unknown {
  if (!isSluiceError(e) || e.location.file || !e.location.resource) return e;
  const r = rendered.find((x) => resourceRef(x.object) === e.location.resource);
  if (!r?.origin) return e;
  const path = e.location.field ? fieldPath(e.location.field) : undefined;
  e.location.file = r.origin.file;
  const line = (path && r.origin.locate?.(path)) ?? r.origin.line;
  if (line !== undefined) e.location.line = line;
  return e;
}

/** `spec.containers[0].image` → `['spec', 'containers', 0, 'image']`. */
export function fieldPath(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}
