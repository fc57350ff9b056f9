import { isMap, isScalar, parseAllDocuments, type Document } from 'yaml';
import type { Resource } from '../model/resource.js';
import { artifactEditsOf, type ValueEdit } from '../providers/index.js';
import { splitImage } from '../reconcile/index.js';
import { pinImage } from '../render/index.js';
import type { ArtifactRecord } from '../store/ledger-types.js';
import { PromotionError } from './errors.js';

/** Files of one overlay directory: path (relative to the repo root) → text. */
export type OverlayFiles = Map<string, string>;

const COMPOSE = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const FORMAT = { lineWidth: 0 } as const;

const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const imageOf = (a: ArtifactRecord) => `${a.ref}${a.tag ? `:${a.tag}` : ''}${a.digest ? `@${a.digest}` : ''}`;

/**
 * Writes artifacts into an overlay the way its format expects: where the format pins images
 * in a file of its own (Kustomize `images:`) there, else a Compose service's `image:`, else
 * wherever the target kind of a manifest keeps it (a Process's `spec.artifact`, a
 * container's `image`). Comments and formatting survive; only files that change are
 * returned. Pure: text in, text out.
 */
export function editOverlay(files: OverlayFiles, artifacts: readonly ArtifactRecord[], where: string): OverlayFiles {
  const out = new Map<string, string>();
  const current = (p: string) => out.get(p) ?? files.get(p)!;
  for (const a of artifacts) {
    let done = false;
    if (a.kind === 'image') {
      const pinned = pinImage(new Map([...files, ...out]), where, {
        name: a.name,
        ref: a.ref,
        ...(a.tag ? { tag: a.tag } : {}),
        ...(a.digest ? { digest: a.digest } : {}),
      });
      if (pinned) {
        out.set(pinned.path, pinned.text);
        continue;
      }
    }
    for (const path of [...files.keys()].filter((p) => /\.ya?ml$/.test(p) || base(p) === 'Kustomization')) {
      const next = editFile(current(path), a, COMPOSE.includes(base(path)));
      if (next !== undefined) {
        out.set(path, next);
        done = true;
      }
    }
    if (!done) {
      const what =
        a.kind === 'file' ? `a Process named "${a.name}"` : `an image, container or Compose service named "${a.name}"`;
      throw new PromotionError('PROMOTE_TARGET_MISSING', `${where} has no ${what} to set`, {
        file: where,
        hint:
          a.kind === 'file'
            ? 'Name the Process as in metadata.name, and keep its manifest in the overlay directory.'
            : 'Use the image name as written in the manifests (without tag), or add a kustomization.yaml with images: to the overlay.',
      });
    }
  }
  for (const [p, text] of [...out]) if (text === files.get(p)) out.delete(p);
  return out;
}

/**
 * Edits of one file. Values that already exist are replaced in place (their source range),
 * so every other byte stays as written; only a value that has to be added re-serializes the
 * document through the yaml Document API, which still keeps comments.
 */
interface FileEdits {
  ranges: { start: number; end: number; text: string }[];
  structural: boolean;
}

/** Edits one YAML file; undefined when nothing in it matches the artifact. */
function editFile(text: string, a: ArtifactRecord, compose: boolean): string | undefined {
  const docs = parseAllDocuments(text, { keepSourceTokens: true });
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return undefined;
  const edits: FileEdits = { ranges: [], structural: false };
  let touched = false;
  for (const doc of docs) {
    if (!isMap(doc.contents)) continue;
    if (compose) touched = editCompose(doc, a, edits) || touched;
    else touched = editManifest(doc, a, edits) || touched;
  }
  if (!touched) return undefined;
  if (edits.structural) return docs.map((d) => d.toString(FORMAT)).join('');
  let out = text;
  for (const r of edits.ranges.sort((x, y) => y.start - x.start))
    out = out.slice(0, r.start) + r.text + out.slice(r.end);
  return out;
}

/** Sets a scalar: in place when it exists, else through the document (a structural edit). */
function setScalar(doc: Document, path: (string | number)[], value: string, edits: FileEdits): void {
  const node = doc.getIn(path, true);
  if (isScalar(node) && node.range) {
    const quoted = node.type === 'QUOTE_DOUBLE' || needsQuotes(value);
    edits.ranges.push({ start: node.range[0], end: node.range[1], text: quoted ? JSON.stringify(value) : value });
  } else edits.structural = true;
  doc.setIn(path, value);
}

/** Plain scalars that YAML would read as something else than the string. */
function needsQuotes(v: string): boolean {
  return (
    v === '' ||
    /^[\s#&*!|>'"%@`{}[\],?:-]|[:#]\s|\s$|^(true|false|null|yes|no|on|off|~)$/i.test(v) ||
    !Number.isNaN(Number(v))
  );
}

/** Applies what the manifest's target kind says to change, keeping the style of a map it replaces. */
function editManifest(doc: Document, a: ArtifactRecord, edits: FileEdits): boolean {
  let changes: ValueEdit[];
  try {
    changes = artifactEditsOf(doc.toJS() as Resource, a);
  } catch {
    return false; // aliases past the expansion limit: not a manifest anyone edits this way
  }
  for (const change of changes) {
    if ('remove' in change) {
      if (!doc.hasIn(change.path)) continue;
      edits.structural = true;
      doc.deleteIn(change.path);
    } else if (typeof change.value === 'string') {
      setScalar(doc, change.path, change.value, edits);
    } else {
      const existing = doc.getIn(change.path, true);
      edits.structural = true;
      doc.setIn(change.path, doc.createNode(change.value, { flow: isMap(existing) && existing.flow === true }));
    }
  }
  return changes.length > 0;
}

function editCompose(doc: Document, a: ArtifactRecord, edits: FileEdits): boolean {
  const services = doc.get('services', true);
  if (!isMap(services)) return false;
  let touched = false;
  for (const item of services.items) {
    const key = String(isScalar(item.key) ? item.key.value : item.key);
    const svc = item.value;
    if (!isMap(svc)) continue;
    const image = svc.get('image');
    if (key === a.name || (typeof image === 'string' && splitImage(image).name === a.ref)) {
      setScalar(doc, ['services', key, 'image'], imageOf(a), edits);
      touched = true;
    }
  }
  return touched;
}
