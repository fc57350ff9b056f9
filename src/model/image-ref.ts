/** A container image reference split the way registries and Docker read it. */
export interface ImageRef {
  /** Registry host, `docker.io` when none is written. */
  registry: string;
  /** Repository path without the registry, e.g. `library/nginx`. */
  repository: string;
  tag?: string;
  digest?: string;
}

/** `registry/app:1.2@sha256:…` → name `registry/app`, tag `1.2`, digest `sha256:…`; a registry port is not a tag. */
export function splitImage(image: string): { name: string; tag?: string; digest?: string } {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

export function parseImageRef(image: string): ImageRef {
  const { name: rest, tag, digest } = splitImage(image);
  const first = rest.split('/')[0]!;
  const hasRegistry = rest.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : 'docker.io';
  let repository = hasRegistry ? rest.slice(first.length + 1) : rest;
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

export function hasSha256Digest(ref: ImageRef): boolean {
  return /^sha256:[0-9a-f]{64}$/.test(ref.digest ?? '');
}

/**
 * True if `ref` comes from an allowed registry entry: a host (`ghcr.io`), a host with a path
 * prefix (`ghcr.io/acme`), or `docker.io` for images written without a host.
 */
export function registryAllowed(ref: ImageRef, allowed: string[]): boolean {
  const full = `${ref.registry}/${ref.repository}`;
  return allowed.some((a) => {
    const entry = a.replace(/\/+$/, '');
    return full === entry || full.startsWith(`${entry}/`) || (!entry.includes('/') && ref.registry === entry);
  });
}
