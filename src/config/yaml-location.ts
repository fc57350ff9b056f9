import type { LineCounter} from 'yaml';
import { isCollection, isDocument, type Document, type Node } from 'yaml';

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
    if (next === undefined) {
      // An unknown key: point at the key itself rather than its parent map.
      const pair = node.items.find((it) => {
        const k = (it as { key?: unknown }).key;
        return k !== undefined && String((k as { value?: unknown }).value ?? k) === String(key);
      }) as { key?: Node } | undefined;
      if (pair?.key && pair.key.range) found = pair.key;
      break;
    }
    node = next;
    if ((next as Node).range) found = next as Node;
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
