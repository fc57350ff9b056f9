import { isDocument, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { locateInDocument } from '../config/index.js';
import type { RenderedResource, ResourceOrigin } from '../model/resource.js';
import type { ReadonlyFs } from '../vfs/index.js';

/**
 * Finds which file set a field of a rendered resource, for a renderer that builds resources out
 * of several files (a base and the patches of its overlays) and keeps only the base file as the
 * origin. It works from what the render read, newest first (patches are read after the resources
 * they patch): the first document about the same kind and name (or a JSON patch op on the same
 * path) that sets the field to the value it has is where the value came from. A value no file
 * writes as such (one computed by a transformer, such as an image tag from `images:`) is reported
 * at the field in the origin document.
 */
export function whereByValue(
  fs: ReadonlyFs,
  reads: readonly string[],
): (r: RenderedResource) => NonNullable<ResourceOrigin['where']> {
  // Parsed once per render, when a finding first asks, and shared by its resources.
  const files = new Map<string, ParsedDoc[]>();
  const docsOf = (file: string): ParsedDoc[] => {
    let docs = files.get(file);
    if (!docs) files.set(file, (docs = parse(fs, file)));
    return docs;
  };
  const candidates = [...new Set([...reads].reverse())].filter((f) => /\.ya?ml$|(^|\/)Kustomization$/i.test(f));
  return (r) => (path) => {
    const origin = r.origin;
    const value = valueAt(r.object, path);
    if (value !== undefined && path.length > 0) {
      for (const file of candidates) {
        for (const d of docsOf(file)) {
          const line = d.find(r, path, value);
          if (line !== undefined) return { file, line };
        }
      }
    }
    if (!origin) return undefined;
    const own = docsOf(origin.file).find((d) => origin.line === undefined || d.covers(origin.line));
    const line = own?.locate(path) ?? origin.line;
    return line === undefined ? undefined : { file: origin.file, line };
  };
}

interface ParsedDoc {
  covers(line: number): boolean;
  locate(path: readonly (string | number)[]): number | undefined;
  /** Line in this document that sets `path` of `r` to `value`, if it does. */
  find(r: RenderedResource, path: readonly (string | number)[], value: unknown): number | undefined;
}

function parse(fs: ReadonlyFs, file: string, lineOffset = 0): ParsedDoc[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(fs.readFile(file));
  } catch {
    return [];
  }
  return parseText(text, lineOffset);
}

function parseText(text: string, lineOffset: number): ParsedDoc[] {
  const lc = new LineCounter();
  let docs: Document[];
  try {
    docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false }) as Document[];
  } catch {
    return [];
  }
  if (!Array.isArray(docs)) return [];
  const out: ParsedDoc[] = [];
  for (const doc of docs) {
    if (!isDocument(doc) || doc.errors.length > 0 || !doc.contents) continue;
    const range = doc.contents.range;
    const first = range ? lc.linePos(range[0]).line : 1;
    const last = range ? lc.linePos(range[2]).line : Number.MAX_SAFE_INTEGER;
    let js: unknown;
    try {
      js = doc.toJS({ maxAliasCount: 100 });
    } catch {
      continue;
    }
    const locate = (p: readonly (string | number)[]) => {
      const l = locateInDocument(doc, lc, p)?.line;
      return l === undefined ? undefined : l + lineOffset;
    };
    const inline = inlinePatches(doc, lc, lineOffset);
    out.push({
      covers: (line) => line - lineOffset >= first && line - lineOffset <= last,
      locate,
      find(r, path, value) {
        if (isPatchOf(js, r) && deepEqual(valueAt(js, path), value)) return locate(path);
        const op = jsonPatchOp(js, path, value);
        if (op !== undefined) return locate([op, 'value']);
        for (const p of inline) {
          const line = p.find(r, path, value);
          if (line !== undefined) return line;
        }
        return undefined;
      },
    });
  }
  return out;
}

/** Patches written inside a kustomization (`patches[].patch`, `patchesStrategicMerge[]`), as documents. */
function inlinePatches(doc: Document, lc: LineCounter, lineOffset: number): ParsedDoc[] {
  const root = doc.contents;
  if (!isMap(root)) return [];
  const out: ParsedDoc[] = [];
  const add = (node: unknown) => {
    if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return;
    // A block scalar's text starts on the line after its `|`; other styles cannot be mapped line by line.
    const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
    const start = lc.linePos(node.range[0]).line + lineOffset;
    const docs = parseText(node.value, block ? start : 0);
    out.push(
      ...(block
        ? docs
        : docs.map((d) => ({
            ...d,
            find: (...a: Parameters<ParsedDoc['find']>) => (d.find(...a) === undefined ? undefined : start),
          }))),
    );
  };
  for (const key of ['patches', 'patchesStrategicMerge', 'patchesJson6902']) {
    const list = root.get(key, true) as Node | undefined;
    if (!isSeq(list)) continue;
    for (const item of list.items) {
      if (isMap(item)) add(item.get('patch', true));
      else add(item);
    }
  }
  return out;
}

/** A patch document names its target by kind and name; a name prefix or suffix may have been added since. */
function isPatchOf(doc: unknown, r: RenderedResource): boolean {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return false;
  const d = doc as { kind?: unknown; metadata?: { name?: unknown } };
  return (
    d.kind === r.object.kind && typeof d.metadata?.name === 'string' && r.object.metadata.name.includes(d.metadata.name)
  );
}

/** Index of the JSON patch op in `doc` (a list of ops) that adds or replaces `path` with `value`. */
function jsonPatchOp(doc: unknown, path: readonly (string | number)[], value: unknown): number | undefined {
  if (!Array.isArray(doc)) return undefined;
  const pointer = '/' + path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
  const i = doc.findIndex(
    (op: unknown) =>
      !!op &&
      typeof op === 'object' &&
      ['add', 'replace'].includes((op as { op?: unknown }).op as string) &&
      (op as { path?: unknown }).path === pointer &&
      deepEqual((op as { value?: unknown }).value, value),
  );
  return i < 0 ? undefined : i;
}

function valueAt(v: unknown, path: readonly (string | number)[]): unknown {
  let node = v;
  for (const k of path) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[k];
  }
  return node;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || !a || !b) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}
