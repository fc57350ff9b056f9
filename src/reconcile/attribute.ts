import { isSluiceError } from '../errors/index.js';
import { fieldLocation, parseFieldPath, resourceRef, type RenderedResource } from '../model/resource.js';

/**
 * A target names the object it refused (`Deployment/shop/web`) and often the field; people fix
 * files. This adds the file and line the object was rendered from, at the field where the
 * renderer can tell (the overlay patch that set it, if one did), to an error that names a
 * resource but no file.
 */
export function attribute(e: unknown, rendered: readonly RenderedResource[]): unknown {
  if (!isSluiceError(e) || e.location.file || !e.location.resource) return e;
  const r = rendered.find((x) => resourceRef(x.object) === e.location.resource);
  if (!r?.origin) return e;
  const path = e.location.field ? parseFieldPath(r.object, e.location.field) : [];
  const at = fieldLocation(r.origin, path);
  if (!at) return e;
  e.location.file = at.file;
  if (at.line !== undefined) e.location.line = at.line;
  return e;
}
