import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { yamlErrorPosition } from '../../config/yaml-location.js';
import { RenderError } from '../../errors/index.js';

/** Aliases beyond this many expansions are refused: a YAML bomb must not exhaust memory. */
const MAX_ALIAS_COUNT = 100;

export type Path = readonly (string | number)[];

/** `!reset`: the overlay removes what the base set (compose-spec merge rules). */
export const RESET: unique symbol = Symbol('compose !reset');

/** `!override`: the overlay's value replaces the base's instead of merging with it. */
export class Override {
  constructor(readonly value: unknown) {}
}

/** One compose file as read: its values (with merge markers) and where each came from. */
export interface ComposeSource {
  file: string;
  value: Record<string, unknown>;
  /** Line of the value at `path`, or of its nearest parent the file has. */
  line(path: Path): number | undefined;
  /** Line of the key of the entry at `path` (where a block value starts below its key). */
  keyLine(path: Path): number | undefined;
  /** True if the file itself writes a value at `path`. */
  has(path: Path): boolean;
}

/** Parses a compose file, keeping line numbers and the `!reset` / `!override` tags. */
export function parseComposeSource(text: string, file: string): ComposeSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, merge: true });
  if (doc.errors.length > 0) {
    const pos = yamlErrorPosition(text, doc.errors, lineCounter);
    throw new RenderError('YAML_SYNTAX', `invalid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, {
      file,
      line: pos.line,
      column: pos.column,
      hint: 'Fix the YAML syntax at that line; nothing was applied.',
    });
  }
  // Where the value itself starts (a block list's first item, not its key), or its nearest parent's.
  const line = (path: Path): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = (n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)) as Node | null | undefined;
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const keyLine = (path: Path): number | undefined => {
    const parent = path.length <= 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    const key = path[path.length - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((it) => String(isScalar(it.key) ? it.key.value : it.key) === String(key));
      const range = (pair?.key as Node | undefined)?.range;
      if (range) return lineCounter.linePos(range[0]).line;
    }
    return line(path);
  };
  if (doc.contents === null) return { file, value: {}, line, keyLine, has: () => false };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    throw new RenderError('YAML_ALIAS_LIMIT', `refusing to expand YAML aliases: ${(e as Error).message}`, {
      file,
      hint: 'The file expands aliases excessively (a YAML bomb?); write the values out.',
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RenderError('COMPOSE_SHAPE', 'a compose file must be a mapping with services:', {
      file,
      line: 1,
      hint: 'Start the file with `services:`.',
    });
  }
  const written = structuredClone(value);
  const tags: { path: (string | number)[]; tag: string }[] = [];
  collectTags(doc.contents, [], tags);
  for (const { path, tag } of tags) {
    if (tag === '!reset') setAt(value, path, RESET);
    else if (tag === '!override') setAt(value, path, new Override(getAt(value, path)));
    else
      throw new RenderError('COMPOSE_TAG', `unknown YAML tag ${tag}`, {
        file,
        line: line(path),
        hint: 'Compose files know the !reset and !override tags only.',
      });
  }
  const has = (path: Path) => getAt(written, path) !== undefined;
  return { file, value: value as Record<string, unknown>, line, keyLine, has };
}

function collectTags(node: unknown, path: (string | number)[], out: { path: (string | number)[]; tag: string }[]) {
  if (!isNode(node)) return;
  const tag = (node as Node).tag;
  if (tag && tag.startsWith('!') && !tag.startsWith('!!')) out.push({ path, tag });
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (key === '<<') continue;
      collectTags(pair.value, [...path, String(key)], out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => collectTags(item, [...path, i], out));
  }
}

function getAt(root: unknown, path: readonly (string | number)[]): unknown {
  let v = root;
  for (const k of path) v = (v as Record<string | number, unknown> | undefined)?.[k];
  return v;
}

function setAt(root: unknown, path: readonly (string | number)[], value: unknown): void {
  if (path.length === 0) return;
  const parent = getAt(root, path.slice(0, -1));
  if (parent && typeof parent === 'object')
    (parent as Record<string | number, unknown>)[path[path.length - 1]!] = value;
}
