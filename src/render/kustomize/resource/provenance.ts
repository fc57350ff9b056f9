import { isScalar, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { locateInDocument } from '../../../config/yaml-location.js';
import type { JsonValue } from '../model/json.js';

export type FieldPath = readonly (string | number)[];

/**
 * A file and the line in it that wrote a field. The line is worked out only when a finding
 * asks: a build records thousands of writes and reports on a handful.
 */
export interface FieldSource {
  file: string;
  line(): number | undefined;
}

const SEP = '\u0000';

function keyOf(path: FieldPath): string {
  return path.join(SEP);
}

/**
 * Which file and line wrote each field of one resource, noted by the transformers and patches
 * as they run: a later write wins, and a write of a whole map or list forgets what was noted
 * inside it. It never touches the resource, so the build's output stays the same.
 */
export class Provenance {
  private by = new Map<string, { path: FieldPath; source: FieldSource }>();

  /** `path` is kept as given: pass one nothing else changes. */
  note(path: FieldPath, source: FieldSource, value?: JsonValue): void {
    const key = keyOf(path);
    if (value !== null && typeof value === 'object') {
      const inside = key + SEP;
      for (const k of this.by.keys()) if (k.startsWith(inside)) this.by.delete(k);
    }
    this.by.set(key, { path, source });
  }

  /**
   * Holds on to the list elements the noted paths go through in `root`; the function returned
   * moves each path to where its elements sit after a change that reorders lists (a strategic
   * merge puts the patch's elements first), which keeps those element objects.
   */
  follow(root: JsonValue): (after: JsonValue) => void {
    this.holdFirst(root);
    if (this.by.size === 0) return () => undefined;
    const held = [...this.by.values()].map((e) => ({ e, chain: elementsOn(root, e.path) }));
    return (after) => {
      const next = new Map<string, { path: FieldPath; source: FieldSource }>();
      const kept = new Set<{ path: FieldPath; source: FieldSource }>();
      for (const { e, chain } of held) {
        if (this.by.get(keyOf(e.path)) !== e) continue; // written again since
        const path = moved(after, e.path, chain);
        kept.add(e);
        if (path) next.set(keyOf(path), { path, source: e.source });
      }
      for (const [k, e] of this.by) if (!kept.has(e)) next.set(k, e);
      this.by = next;
    };
  }

  /** Index of each list element in the document as read, taken before anything first moves one. */
  private firstAt: WeakMap<object, number> | undefined;

  private holdFirst(root: JsonValue): void {
    if (this.firstAt) return;
    const at = (this.firstAt = new WeakMap());
    const walk = (v: JsonValue | undefined): void => {
      if (v === null || typeof v !== 'object') return;
      if (Array.isArray(v))
        v.forEach((e, i) => {
          if (e !== null && typeof e === 'object') at.set(e, i);
          walk(e);
        });
      else for (const k of Object.keys(v)) walk(v[k]);
    };
    walk(root);
  }

  /** `path` of the built resource as a path in the document it was read from (lists may have moved). */
  asRead(root: JsonValue, path: FieldPath): FieldPath {
    const at = this.firstAt;
    if (!at) return path;
    let node: JsonValue | undefined = root;
    return path.map((k) => {
      const next: JsonValue | undefined =
        node !== null && typeof node === 'object' ? (node as Record<string | number, JsonValue>)[k] : undefined;
      const was = typeof k === 'number' && next !== null && typeof next === 'object' ? at.get(next) : undefined;
      node = next;
      return was ?? k;
    });
  }

  /** Where `path` was written, or the nearest enclosing field written as a whole. */
  find(path: FieldPath): { file: string; line: number } | undefined {
    if (this.by.size === 0) return undefined;
    for (let n = path.length; n > 0; n--) {
      const s = this.by.get(keyOf(path.slice(0, n)))?.source;
      if (!s) continue;
      const line = s.line();
      return line === undefined ? undefined : { file: s.file, line };
    }
    return undefined;
  }

  copy(): Provenance {
    const p = new Provenance();
    p.by = new Map(this.by);
    p.firstAt = this.firstAt;
    return p;
  }
}

/** Where a text sits when it is a string inside another YAML file (a patch inside a kustomization). */
export interface Enclosing {
  lines: YamlLines;
  docLine: number;
  path: FieldPath;
  /** Line breaks dropped from the start of the string before it was parsed. */
  dropped: number;
}

/** The element objects `path` passes through, by the position of their index in the path. */
function elementsOn(root: JsonValue, path: FieldPath): Map<number, object> {
  const out = new Map<number, object>();
  let node: JsonValue | undefined = root;
  path.forEach((k, i) => {
    if (node === null || typeof node !== 'object') return (node = undefined);
    node = (node as Record<string | number, JsonValue>)[k];
    if (typeof k === 'number' && node !== null && typeof node === 'object') out.set(i, node);
  });
  return out;
}

/** `path` with each list index changed to where its held element now is; undefined when one is gone. */
function moved(root: JsonValue, path: FieldPath, chain: Map<number, object>): FieldPath | undefined {
  const out: (string | number)[] = [];
  let node: JsonValue | undefined = root;
  for (const [i, k] of path.entries()) {
    let key = k;
    const held = chain.get(i);
    if (held && Array.isArray(node)) {
      const j = node.indexOf(held as JsonValue);
      if (j < 0) return undefined;
      key = j;
    }
    out.push(key);
    node = node !== null && typeof node === 'object' ? (node as Record<string | number, JsonValue>)[key] : undefined;
  }
  return out;
}

/** Lines of fields in one YAML text, parsed on first use. */
export class YamlLines {
  private docs: { first: number; doc: Document; lc: LineCounter }[] | undefined;

  constructor(
    private readonly text: string,
    private readonly within?: Enclosing,
  ) {}

  /** Line of `path` in the document whose content starts on `docLine` (as parseYamlDocs counts it). */
  at(docLine: number, path: FieldPath): number | undefined {
    const d = this.parsed().find((x) => x.first === docLine);
    if (!d) return undefined;
    const line = locateInDocument(d.doc, d.lc, path)?.line;
    if (line === undefined || !this.within) return line;
    const w = this.within;
    const outer = w.lines.scalar(w.docLine, w.path);
    if (!outer) return undefined;
    // A block scalar's text starts on the line after its `|`; other styles cannot be mapped line by line.
    return outer.block ? outer.line + w.dropped + line : outer.line;
  }

  /** Line of the string at `path` and whether it is a block scalar (its text a line below). */
  scalar(docLine: number, path: FieldPath): { line: number; block: boolean } | undefined {
    const d = this.parsed().find((x) => x.first === docLine);
    const node: unknown = d?.doc.getIn(path, true);
    if (!d || !isScalar(node) || !node.range) return undefined;
    const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
    return { line: d.lc.linePos(node.range[0]).line, block };
  }

  /** A source for `path` of the document on `docLine` of `file`. */
  source(file: string, docLine: number, path: FieldPath): FieldSource {
    return { file, line: () => this.at(docLine, path) };
  }

  private parsed(): { first: number; doc: Document; lc: LineCounter }[] {
    if (this.docs) return this.docs;
    const lc = new LineCounter();
    const out: { first: number; doc: Document; lc: LineCounter }[] = [];
    try {
      for (const doc of parseAllDocuments(this.text, {
        schema: 'failsafe',
        uniqueKeys: false,
        lineCounter: lc,
        prettyErrors: false,
      }) as Document[]) {
        const range = doc.contents?.range;
        if (range) out.push({ first: lc.linePos(range[0]).line, doc, lc });
      }
    } catch {
      // The build parsed this text already; a text it accepted and this parser does not has no lines.
    }
    return (this.docs = out);
  }
}
