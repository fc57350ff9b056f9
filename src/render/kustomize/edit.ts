import { isMap, isScalar, isSeq, parseDocument, YAMLMap, YAMLSeq, type Document, type Scalar } from 'yaml';
import { RenderError } from '../../errors/index.js';
import { splitImage } from './transform/images.js';

/** One `images:` entry as `kustomize edit set image` writes it. */
export interface ImageEdit {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/** `*` keeps the value already in the kustomization, as in kustomize. */
const PRESERVE = '*';

/**
 * Parses a `kustomize edit set image` argument: `nginx:1.2`, `nginx@sha256:…`,
 * `nginx=registry/nginx:1.2@sha256:…`, `nginx=*:1.3`.
 */
export function parseImageArg(arg: string): ImageEdit {
  const eq = arg.indexOf('=');
  const key = eq < 0 ? '' : arg.slice(0, eq);
  const value = eq < 0 ? arg : arg.slice(eq + 1);
  const { name, tag, digest } = splitImage(value);
  if (name === arg) {
    throw new RenderError('KUSTOMIZE_EDIT', `invalid format of image '${arg}'`, {
      hint: 'Use <image>:<tag>, <image>@<digest>, <image>=<newimage>[:<tag>][@<digest>]; * keeps the current value.',
    });
  }
  const out: ImageEdit = key === '' ? { name } : { name: key, newName: name };
  if (tag) out.newTag = tag;
  if (digest) out.digest = digest;
  return out;
}

const FIELDS = ['newName', 'newTag', 'digest'] as const;

/**
 * The equivalent of `kustomize edit set image` on kustomization text: the resulting images
 * list matches kustomize's (an edit replaces the entry, `*` preserves a field, entries are
 * sorted by name), but unlike kustomize the rest of the file is left as written — comments,
 * key order, quoting and blank lines survive. Pure: text in, text out.
 */
export function setImages(text: string, edits: (ImageEdit | string)[]): string {
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (doc.errors.length > 0) {
    throw new RenderError('YAML_INVALID', `kustomization: ${doc.errors[0]!.message.split('\n')[0]}`, {
      hint: 'Fix the YAML before editing it.',
    });
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new RenderError('KUSTOMIZE_EDIT', 'kustomization must be a YAML map');
  }
  const wanted = new Map<string, ImageEdit>();
  for (const e of edits) {
    const edit = typeof e === 'string' ? parseImageArg(e) : e;
    wanted.set(edit.name, edit);
  }
  let seq = doc.get('images', true) as YAMLSeq | undefined;
  if (!isSeq(seq)) {
    seq = new YAMLSeq();
    if (doc.contents === null) doc.contents = new YAMLMap() as never;
    doc.set('images', seq);
  }
  const items = seq.items as unknown[];
  for (const [name, edit] of wanted) {
    const existing = items.find((it): it is YAMLMap => isMap(it) && scalarText(it.get('name', true)) === name);
    if (existing) updateEntry(existing, edit);
    else items.push(newEntry(doc, edit));
  }
  for (const it of items) {
    if (!isMap(it)) continue;
    for (const f of FIELDS) if (scalarText(it.get(f, true)) === PRESERVE) it.delete(f);
  }
  items.sort((a, b) => {
    const na = isMap(a) ? (scalarText(a.get('name', true)) ?? '') : '';
    const nb = isMap(b) ? (scalarText(b.get('name', true)) ?? '') : '';
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
  return doc.toString({ lineWidth: 0, indentSeq: sequencesIndented(text) });
}

function scalarText(n: unknown): string | undefined {
  return isScalar(n) && n.value !== null && n.value !== undefined ? String(n.value) : undefined;
}

function updateEntry(item: YAMLMap, edit: ImageEdit): void {
  for (const f of FIELDS) {
    const next = edit[f];
    const current = item.get(f, true);
    const value = next === PRESERVE ? scalarText(current) : next;
    if (value === undefined || value === '') {
      item.delete(f);
    } else if (isScalar(current)) {
      // Keep the node (and its comments); drop a plain style that would now read as a number.
      (current as Scalar).value = value;
      if (current.type === 'PLAIN' && String(Number(value)) === value) current.type = 'QUOTE_DOUBLE';
    } else item.set(f, value);
  }
}

function newEntry(doc: Document, edit: ImageEdit): YAMLMap {
  const m = doc.createNode({ name: edit.name }) as YAMLMap;
  for (const f of FIELDS) {
    const v = edit[f];
    if (v && v !== PRESERVE) m.set(f, v);
  }
  return m;
}

/** Whether the file indents block sequences under their key (`key:\n  - a`) or not (`key:\n- a`). */
function sequencesIndented(text: string): boolean {
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    const key = /^(\s*)[^\s#-][^:]*:\s*$/.exec(lines[i]!);
    if (!key) continue;
    const next = /^(\s*)- /.exec(lines[i + 1]!);
    if (next) return next[1]!.length > key[1]!.length;
  }
  return false;
}
