import { splitImage } from '../reconcile/index.js';
import type { ArtifactRecord } from '../store/ledger-types.js';
import { PromotionError } from './errors.js';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * Parses `<name>=<ref>[:<tag>]@sha256:<hex>`: an image (`web=ghcr.io/acme/web:1.4@sha256:…`)
 * or a file artifact for a Process (`hello=/builds/hello.mjs:1.4.0@sha256:…`, `file://` too).
 * A digest is required: environments run immutable artifacts.
 */
export function parseArtifactArg(arg: string): ArtifactRecord {
  const eq = arg.indexOf('=');
  const name = eq > 0 ? arg.slice(0, eq) : '';
  const value = arg.slice(eq + 1);
  const fail = (why: string): never => {
    throw new PromotionError('PROMOTE_BAD_ARTIFACT', `invalid artifact "${arg}": ${why}`, {
      hint: 'Write <name>=<image>[:<tag>]@sha256:<64 hex>, or <process>=/abs/path/file[:<version>]@sha256:<64 hex> for a Process artifact.',
    });
  };
  if (!name || !value) fail('expected <name>=<ref>@sha256:<digest>');
  const { name: ref, tag, digest } = splitImage(value);
  if (!digest) fail('the digest is missing');
  if (!DIGEST.test(digest!)) fail(`"${digest}" is not sha256:<64 lowercase hex>`);
  if (!ref) fail('the reference is empty');
  const kind = ref.startsWith('/') || ref.startsWith('file://') ? 'file' : 'image';
  return { kind, name, ref, digest: digest!, ...(tag ? { tag } : {}) };
}

/** The inverse of parseArtifactArg, used in commit trailers and messages. */
export function formatArtifact(a: ArtifactRecord): string {
  return `${a.name}=${a.ref}${a.tag ? `:${a.tag}` : ''}${a.digest ? `@${a.digest}` : ''}`;
}

export function formatArtifacts(list: readonly ArtifactRecord[]): string {
  return list.map(formatArtifact).join(', ');
}

/** Reads a `Sluice-Artifacts` trailer back; entries that do not parse are skipped. */
export function parseArtifactList(text: string): ArtifactRecord[] {
  const out: ArtifactRecord[] = [];
  for (const part of text.split(/,\s+/)) {
    try {
      if (part.trim()) out.push(parseArtifactArg(part.trim()));
    } catch {
      // an artifact without a digest (a tag-only image) cannot round-trip; keep the rest
    }
  }
  return out;
}
