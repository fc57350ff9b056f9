import { isMap, isScalar, isSeq, parseAllDocuments, type Document, type YAMLMap } from 'yaml';
import { ARTIFACT_TAG_ANNOTATION, splitImage } from '../reconcile/index.js';
import { setImages } from '../render/kustomize/edit.js';
import type { ArtifactRecord } from '../store/ledger-types.js';
import { PromotionError } from './errors.js';

/** Files of one overlay directory: path (relative to the repo root) → text. */
export type OverlayFiles = Map<string, string>;

const KUSTOMIZATION = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const COMPOSE = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const WORKLOADS = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);
const FORMAT = { lineWidth: 0 } as const;

const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const imageOf = (a: ArtifactRecord) => `${a.ref}${a.tag ? `:${a.tag}` : ''}${a.digest ? `@${a.digest}` : ''}`;

/**
 * Writes artifacts into an overlay the way its format expects: Kustomize `images:` (through
 * the kustomize editor), a Compose service's `image:`, a Process's `spec.artifact`, or the
 * matching container of a plain manifest. Comments and formatting survive; only files that
 * change are returned. Pure: text in, text out.
 */
export function editOverlay(files: OverlayFiles, artifacts: readonly ArtifactRecord[], where: string): OverlayFiles {
  const out = new Map<string, string>();
  const current = (p: string) => out.get(p) ?? files.get(p)!;
  const kustomization = [...files.keys()].find((p) => KUSTOMIZATION.includes(base(p)) && p.split('/').length === where.split('/').length + 1);
  for (const a of artifacts) {
    let done = false;
    if (a.kind === 'image' && kustomization) {
      const digest = a.digest ?? '';
      out.set(kustomization, setImages(current(kustomization), [{ name: a.name, ...(a.tag ? { newTag: a.tag } : {}), ...(digest ? { digest } : {}) }]));
      continue;
    }
    for (const path of [...files.keys()].filter((p) => /\.ya?ml$/.test(p) || base(p) === 'Kustomization')) {
      const next = editFile(current(path), a, COMPOSE.includes(base(path)));
      if (next !== undefined) {
        out.set(path, next);
        done = true;
      }
    }
    if (!done) {
      const what = a.kind === 'file' ? `a Process named "${a.name}"` : `an image, container or Compose service named "${a.name}"`;
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
    else if (a.kind === 'file') touched = editProcess(doc, a, edits) || touched;
    else touched = editWorkload(doc, a, edits) || touched;
  }
  if (!touched) return undefined;
  if (edits.structural) return docs.map((d) => d.toString(FORMAT)).join('');
  let out = text;
  for (const r of edits.ranges.sort((x, y) => y.start - x.start)) out = out.slice(0, r.start) + r.text + out.slice(r.end);
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
  return v === '' || /^[\s#&*!|>'"%@`{}[\],?:-]|[:#]\s|\s$|^(true|false|null|yes|no|on|off|~)$/i.test(v) || !Number.isNaN(Number(v));
}

function editProcess(doc: Document, a: ArtifactRecord, edits: FileEdits): boolean {
  if (doc.get('kind') !== 'Process' || !String(doc.get('apiVersion') ?? '').startsWith('sluice.dev/')) return false;
  if (doc.getIn(['metadata', 'name']) !== a.name) return false;
  const sha256 = (a.digest ?? '').replace(/^sha256:/, '');
  const where = a.ref.startsWith('file://') ? 'url' : 'path';
  const current = doc.getIn(['spec', 'artifact'], true);
  if (isMap(current) && current.has(where) && current.items.length === 2 && current.has('sha256')) {
    setScalar(doc, ['spec', 'artifact', where], a.ref, edits);
    setScalar(doc, ['spec', 'artifact', 'sha256'], sha256, edits);
  } else {
    edits.structural = true;
    doc.setIn(['spec', 'artifact'], doc.createNode({ [where]: a.ref, sha256 }, { flow: isMap(current) && (current as YAMLMap).flow === true }));
  }
  if (a.tag) setScalar(doc, ['metadata', 'annotations', ARTIFACT_TAG_ANNOTATION], a.tag, edits);
  else if (doc.hasIn(['metadata', 'annotations', ARTIFACT_TAG_ANNOTATION])) {
    edits.structural = true;
    doc.deleteIn(['metadata', 'annotations', ARTIFACT_TAG_ANNOTATION]);
  }
  return true;
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

function editWorkload(doc: Document, a: ArtifactRecord, edits: FileEdits): boolean {
  const kind = String(doc.get('kind') ?? '');
  if (!WORKLOADS.has(kind)) return false;
  const podPath = kind === 'Pod' ? ['spec'] : kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template', 'spec'] : ['spec', 'template', 'spec'];
  let touched = false;
  for (const list of ['initContainers', 'containers']) {
    const seq = doc.getIn([...podPath, list], true);
    if (!isSeq(seq)) continue;
    seq.items.forEach((c, i) => {
      if (!isMap(c)) return;
      const image = c.get('image');
      if (typeof image !== 'string') return;
      const current = splitImage(image).name;
      if (current === a.name || current === a.ref) {
        setScalar(doc, [...podPath, list, i, 'image'], imageOf({ ...a, ref: current }), edits);
        touched = true;
      }
    });
  }
  return touched;
}
