import type { Alias } from 'yaml';
import {
  Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  Pair,
  parseAllDocuments,
  Scalar,
  YAMLMap,
  YAMLSeq,
  type Node as YamlNode,
} from 'yaml';
import { Branch, Comment, TimeValue, type Item, type Node, type Tree } from './tree.js';

/**
 * YAML ⇄ SOPS tree. Aliases are expanded (SOPS sees the aliased value at each use), comments
 * become Comment items in the order SOPS's YAML store produces them, and a file with no
 * documents is an empty tree.
 */
export class YamlFormatError extends Error {}

export function parseYaml(text: string): Tree {
  const docs = parseAllDocuments(text, { intAsBigInt: true, uniqueKeys: true });
  if (!Array.isArray(docs)) return [];
  const tree: Tree = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) throw new YamlFormatError(`invalid YAML: ${err.message.split('\n')[0]}`);
    const items: Item[] = [];
    pushComments(items, doc.commentBefore);
    const c = doc.contents;
    if (c === null || (isScalar(c) && c.value === null)) {
      pushComments(items, c?.commentBefore);
    } else if (isMap(c)) {
      mapItems(c, doc, items, true);
    } else {
      throw new YamlFormatError('a YAML document must be a mapping to be encrypted with SOPS');
    }
    pushComments(items, doc.comment);
    tree.push(new Branch(items));
  }
  return tree;
}

function pushComments(items: Item[], text: string | null | undefined, inline = false): void {
  for (const line of splitComment(text)) items.push({ key: new Comment(line, inline), value: null });
}

function splitComment(text: string | null | undefined): string[] {
  return text ? text.split('\n').filter((l) => l !== '') : [];
}

function mapItems(m: YAMLMap, doc: Document, items: Item[], top = false): void {
  if (!top) pushComments(items, m.commentBefore);
  for (const p of m.items) {
    const key = p.key as YamlNode | null;
    if (key && 'commentBefore' in key) pushComments(items, key.commentBefore);
    const value = resolve(p.value as YamlNode | null, doc);
    const scalarish = value === null || isScalar(value);
    if (scalarish && value) {
      pushComments(items, value.commentBefore);
      pushComments(items, value.comment, true);
    }
    items.push({ key: keyText(key), value: toNode(value, doc) });
  }
  if (!top) pushComments(items, m.comment);
}

function keyText(key: YamlNode | null): string {
  if (key === null) return '';
  if (isScalar(key)) return key.value === null ? '' : String(key.value);
  throw new YamlFormatError('mapping keys must be scalars to be encrypted with SOPS');
}

function resolve(n: YamlNode | null, doc: Document): YamlNode | null {
  let cur = n;
  for (let i = 0; cur && isAlias(cur) && i < 100; i++) cur = (cur as Alias).resolve(doc) as YamlNode | null;
  return cur ?? null;
}

function toNode(n: YamlNode | null, doc: Document): Node {
  if (n === null) return null;
  if (isMap(n)) {
    const items: Item[] = [];
    mapItems(n, doc, items);
    return new Branch(items);
  }
  if (isSeq(n)) {
    const out: Node[] = [];
    for (const c of splitComment(n.commentBefore)) out.push(new Comment(c));
    for (const raw of n.items) {
      const item = resolve(raw as YamlNode | null, doc);
      if (item && 'commentBefore' in item) for (const c of splitComment(item.commentBefore)) out.push(new Comment(c));
      if (item && isScalar(item)) for (const c of splitComment(item.comment)) out.push(new Comment(c, true));
      out.push(toNode(item, doc));
    }
    for (const c of splitComment(n.comment)) out.push(new Comment(c));
    return out;
  }
  if (isScalar(n)) return scalarValue(n);
  throw new YamlFormatError('unsupported YAML node');
}

function scalarValue(s: Scalar): Node {
  const v = s.value;
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'bigint' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isInteger(v) && s.tag === 'tag:yaml.org,2002:int' ? BigInt(v) : v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (v instanceof Date) return new TimeValue(v.toISOString());
  return String(v);
}

/** Emits a tree the way SOPS does: one document per branch, block style, four-space indent. */
export function emitYaml(tree: Tree): string {
  const out: string[] = [];
  for (const b of tree) {
    const doc = new Document();
    const head: string[] = [];
    doc.contents = branchToMap(b, head) as never;
    out.push(doc.toString({ indent: 4, indentSeq: true, lineWidth: 0, minContentWidth: 0 }));
  }
  if (out.length <= 1) return out[0] ?? '';
  return out.map((d, i) => (i === 0 ? d : `---\n${d}`)).join('');
}

function branchToMap(b: Branch, pending: string[] = []): YAMLMap {
  const m = new YAMLMap();
  let head = pending;
  let inline: string[] = [];
  for (const item of b.items) {
    if (item.key instanceof Comment) {
      (item.key.inline ? inline : head).push(item.key.value);
      continue;
    }
    const k = new Scalar(item.key);
    if (needsQuotes(item.key)) k.type = Scalar.QUOTE_DOUBLE;
    if (head.length) k.commentBefore = head.join('\n');
    head = [];
    const v = toYaml(item.value);
    if (inline.length && v instanceof Scalar) v.comment = inline.join('\n');
    else if (inline.length) k.commentBefore = [k.commentBefore, ...inline].filter(Boolean).join('\n');
    inline = [];
    m.items.push(new Pair(k, v));
  }
  const rest = [...head, ...inline];
  if (rest.length) m.comment = rest.join('\n');
  return m;
}

function toYaml(n: Node): YamlNode {
  if (n instanceof Branch) return branchToMap(n);
  if (Array.isArray(n)) {
    const seq = new YAMLSeq();
    let head: string[] = [];
    for (const v of n) {
      if (v instanceof Comment) {
        head.push(v.value);
        continue;
      }
      const node = toYaml(v);
      if (head.length) node.commentBefore = head.join('\n');
      head = [];
      seq.items.push(node);
    }
    if (head.length) seq.comment = head.join('\n');
    return seq;
  }
  if (n instanceof Comment) return new Scalar(null);
  const s = new Scalar(n instanceof TimeValue ? n.text : n);
  if (typeof n === 'string' && n.includes('\n')) s.type = Scalar.BLOCK_LITERAL;
  else if (n instanceof TimeValue || (typeof n === 'string' && needsQuotes(n))) s.type = Scalar.QUOTE_DOUBLE;
  return s;
}

/**
 * Plain strings that a YAML 1.1 reader (SOPS, and most Kubernetes tooling) would read as a
 * bool, number, null or timestamp. The yaml package only quotes what YAML 1.2 would misread,
 * and an unquoted `lastmodified` timestamp makes SOPS refuse the file.
 */
const YAML11_SPECIAL = [
  /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(~|null|Null|NULL)$/,
  /^\d{4}-\d\d?-\d\d?([Tt ]|$)/,
  /^[-+]?(0b[01_]+|0[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(:[0-5]?\d)*)$/,
  /^[-+]?([0-9][0-9_]*)?\.[0-9._]*([eE][-+][0-9]+)?$/,
  /^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/,
];

function needsQuotes(s: string): boolean {
  return s === '' || YAML11_SPECIAL.some((re) => re.test(s));
}
