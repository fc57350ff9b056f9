import { Branch, Comment, type Item, type Node, type Tree } from './tree.js';

/**
 * dotenv ⇄ SOPS tree: `KEY=value` lines (everything after the first '=' is the value, `\n`
 * stands for a newline), `#` lines are comments, blank lines are dropped. Every value is a
 * string, so there are no types to keep.
 */
export class DotenvFormatError extends Error {}

export function parseDotenv(text: string): Tree {
  const items: Item[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      items.push({ key: new Comment(line.slice(1)), value: null });
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new DotenvFormatError('a dotenv line has no "=" (line content withheld)');
    items.push({ key: line.slice(0, eq), value: line.slice(eq + 1).replaceAll('\\n', '\n') });
  }
  return [new Branch(items)];
}

export function emitDotenv(tree: Tree): string {
  let out = '';
  for (const item of tree[0]?.items ?? []) {
    if (item.key instanceof Comment) {
      out += `#${item.key.value}\n`;
      continue;
    }
    out += `${item.key}=${valueText(item.value)}\n`;
  }
  return out;
}

function valueText(v: Node): string {
  if (typeof v === 'string') return v.replaceAll('\n', '\\n');
  if (v instanceof Branch || Array.isArray(v)) throw new DotenvFormatError('dotenv files cannot hold nested values');
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return v === null ? '' : String(v);
}

const MAP = '__map_';
const LIST = '__list_';

/** SOPS flattens its metadata into `sops_…` keys in formats without nesting. */
export function flattenBranch(b: Branch, prefix: string): Item[] {
  const out: Item[] = [];
  const descend = (v: Node, key: string): void => {
    if (v instanceof Branch) {
      for (const i of v.items) if (typeof i.key === 'string') descend(i.value, `${key}${MAP}${i.key}`);
    } else if (Array.isArray(v)) {
      v.filter((x) => !(x instanceof Comment)).forEach((x, i) => descend(x, `${key}${LIST}${i}`));
    } else {
      out.push({ key, value: v });
    }
  };
  for (const i of b.items) if (typeof i.key === 'string') descend(i.value, prefix + i.key);
  return out;
}

/** Inverse of flattenBranch for the metadata keys (prefix already removed). */
export function unflattenToObject(entries: [string, string][]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const tokens = key.split(/(?=__map_|__list_)/);
    let cur: Record<string, unknown> | unknown[] = root;
    tokens.forEach((tok, idx) => {
      const last = idx === tokens.length - 1;
      const name: string | number = tok.startsWith(MAP)
        ? tok.slice(MAP.length)
        : tok.startsWith(LIST)
          ? Number(tok.slice(LIST.length))
          : tok;
      const next = tokens[idx + 1];
      const container = cur as Record<string | number, unknown>;
      if (last) container[name] = value;
      else {
        container[name] ??= next?.startsWith(LIST) ? [] : {};
        cur = container[name] as Record<string, unknown>;
      }
    });
  }
  return root;
}
