import type { LineCounter, YAMLError } from 'yaml';
import { isCollection, isDocument, isMap, Parser, type Document, type Node } from 'yaml';

/** Line and column (1-based) of the node at `path` in a parsed YAML document, or of its nearest parent. */
export function locateInDocument(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly (string | number)[],
): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let found = node as Node | null;
  for (const key of path) {
    if (!isCollection(node)) break;
    const next = node.get(key, true) as unknown;
    // A field is where its key is written: a block map or list as its value starts a line below.
    const pair = isMap(node)
      ? (node.items.find((it) => {
          const k = (it as { key?: unknown }).key;
          return k !== undefined && k !== null && String((k as { value?: unknown }).value ?? k) === String(key);
        }) as { key?: Node } | undefined)
      : undefined;
    if (next === undefined) {
      // An unknown key: point at the key itself rather than its parent map.
      if (pair?.key && pair.key.range) found = pair.key;
      break;
    }
    node = next;
    if (pair?.key?.range) found = pair.key;
    else if ((next as Node).range) found = next as Node;
  }
  const range = found?.range ?? (isDocument(doc) ? doc.contents?.range : undefined);
  if (!range) return undefined;
  const pos = lineCounter.linePos(range[0]);
  return { line: pos.line, column: pos.col };
}

/** `spec.environments[1].target` from a zod-style path. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

/**
 * Line and column (1-based) where a person has to look to fix a YAML syntax error. The parser
 * reports some errors where it gave up rather than where the mistake is: an unclosed quote at
 * the end of the file, an unclosed `[` or `{` at the next line, and a line indented too far
 * at the line above it (whose value it tried to continue).
 */
export function yamlErrorPosition(
  text: string,
  errors: readonly YAMLError[],
  lineCounter: LineCounter,
): { line: number; column: number } {
  const error = errors[0]!;
  const at = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  if (error.code === 'MISSING_CHAR' || error.code === 'BAD_INDENT' || error.code === 'UNEXPECTED_TOKEN') {
    const open = firstUnclosed(text);
    if (open !== undefined && open <= error.pos[0]) return at(open);
  }
  if (errors.some((e) => e.code === 'MULTILINE_IMPLICIT_KEY' && e.pos[0] === error.pos[0])) {
    // A value that runs on into the next line: that line is the one indented wrongly.
    const newline = text.indexOf('\n', error.pos[0]);
    if (newline >= 0 && newline + 1 < text.length) {
      const next = newline + 1 + (/^[ \t]*/.exec(text.slice(newline + 1))?.[0].length ?? 0);
      return at(next);
    }
  }
  return at(error.pos[0]);
}

/** Offset of the first quoted scalar or flow collection that is never closed. */
function firstUnclosed(text: string): number | undefined {
  let found: number | undefined;
  const visit = (token: unknown): void => {
    if (found !== undefined || token === null || typeof token !== 'object') return;
    const t = token as {
      type?: string;
      offset?: number;
      source?: string;
      start?: { offset: number };
      end?: { source: string }[];
    };
    if (
      (t.type === 'double-quoted-scalar' || t.type === 'single-quoted-scalar') &&
      t.source !== undefined &&
      t.offset !== undefined
    ) {
      if (!closedQuote(t.source)) found = t.offset;
    } else if (t.type === 'flow-collection' && t.start) {
      const closer = (t.start as { source?: string }).source === '[' ? ']' : '}';
      if (!t.end?.some((e) => e.source === closer)) {
        found = t.start.offset;
        return;
      }
    }
    for (const v of Object.values(t)) {
      if (Array.isArray(v)) v.forEach(visit);
      else if (v && typeof v === 'object') visit(v);
    }
  };
  for (const token of new Parser().parse(text)) visit(token);
  return found;
}

function closedQuote(source: string): boolean {
  const q = source[0]!;
  if (source.length < 2 || !source.endsWith(q)) return false;
  if (q === "'") return true; // '' inside is an escaped quote, and the scalar still ends with one
  // "…\"" ends with an escaped quote: count the backslashes before the last one.
  let backslashes = 0;
  for (let i = source.length - 2; i > 0 && source[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 0;
}
